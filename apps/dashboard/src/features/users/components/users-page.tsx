import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { Link, useNavigation, useSearchParams } from 'react-router';
import { Badge } from '../../../components/ui/badge';
import { Button } from '../../../components/ui/button';
import { EmptyState } from '../../../components/ui/empty-state';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { RetryingNotice } from '../../../components/ui/retrying-notice';
import { RelativeTime } from '../../../components/ui/relative-time';
import { SkeletonRows } from '../../../components/ui/skeleton';
import { paths } from '../../../config/paths';
import { PER_PAGE, searchUsersQuery } from '../api/users';
import { StaffMark } from './staff-mark';
import { useDebounced } from './use-debounced';
import { plural } from '../../../lib/format';
import { useTitle } from '../../../lib/use-title';

/** Users: search by email, name or id; the URL holds the query and the page. */
export function UsersPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  // ?page= counts from 1, as the pager shows it.
  const page = Math.max(0, (Number(params.get('page') ?? 1) || 1) - 1);
  useTitle('Users');
  const [text, setText] = useState(q);
  const debounced = useDebounced(text.trim(), 300);
  const inputId = useId();

  const navigation = useNavigation();
  const search = (value: string) => setParams(value ? { q: value } : {}, { replace: false });

  // The URL follows the typing (debounced); back and forward bring the box along. A pending
  // update never overrides a navigation under way (a result clicked while its page loads), nor
  // a value already stale.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only the debounced text moves the URL; a new q is a navigation
  useEffect(() => {
    if (debounced !== q && debounced === text.trim() && navigation.state === 'idle') search(debounced);
  }, [debounced]);
  useEffect(() => setText(q), [q]);

  const users = useQuery(searchUsersQuery(q, page));
  const pages = users.data ? Math.max(1, Math.ceil(users.data.total / PER_PAGE)) : 1;
  const goTo = (next: number) => setParams({ ...(q ? { q } : {}), ...(next ? { page: String(next + 1) } : {}) });

  return (
    <main className="page" aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      {/* biome-ignore lint/a11y/useSemanticElements: a form with role search is the landmark Testing Library and every browser know; <search> is not mapped */}
      <form
        className="search"
        role="search"
        onSubmit={(e) => {
          // Enter searches at once.
          e.preventDefault();
          if (text.trim() !== q) search(text.trim());
        }}
      >
        <label htmlFor={inputId}>Search users</label>
        <input
          id={inputId}
          type="search"
          placeholder="Email, name or user id"
          value={text}
          onChange={(e) => setText(e.target.value)}
          maxLength={200}
          // biome-ignore lint/a11y/noAutofocus: searching is this page's one task, and the box is its first control
          autoFocus
        />
      </form>
      <RetryingNotice query={users} what="users" />
      {users.error ? (
        <ErrorNotice error={users.error} onRetry={() => void users.refetch()} title="Could not search users" />
      ) : null}
      <table className="table" aria-busy={users.isFetching}>
        <caption className="visually-hidden">Users matching the search</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Last login</th>
            <th scope="col">Logins</th>
          </tr>
        </thead>
        {users.isPending ? (
          <SkeletonRows columns={4} rows={8} label="Loading users" />
        ) : (
          <tbody>
            {users.data?.users.map((user) => (
              <tr key={user.user_id}>
                <th scope="row">
                  <Link to={paths.user(user.user_id)}>{user.name ?? user.email ?? user.user_id}</Link>
                  {user.blocked ? <Badge tone="danger">Blocked</Badge> : null}
                  <StaffMark role={user.console_role} />
                  <div className="muted small">{user.user_id}</div>
                </th>
                <td>{user.email ?? '—'}</td>
                <td>
                  <RelativeTime value={user.last_login} fallback="Never" />
                </td>
                <td>{user.logins_count}</td>
              </tr>
            ))}
          </tbody>
        )}
      </table>
      {users.data && users.data.users.length === 0 ? (
        <EmptyState title="No users found">{q ? `Nobody matches “${q}”.` : 'This tenant has no users.'}</EmptyState>
      ) : null}
      {users.data && users.data.total > 0 ? (
        <nav className="pager" aria-label="User pages">
          <Button onClick={() => goTo(page - 1)} disabled={page === 0}>
            Previous
          </Button>
          <span aria-live="polite">
            Page {page + 1} of {pages} · {plural(users.data.total, 'user')}
          </span>
          <Button onClick={() => goTo(page + 1)} disabled={page + 1 >= pages}>
            Next
          </Button>
        </nav>
      ) : null}
    </main>
  );
}
