import { AUDIT_RESULTS } from '@rtc/contracts/audit';
import { AUDIT_ACTION_GROUPS, AUDIT_ACTIONS_LIST } from './audit-actions';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { paths } from '../../../config/paths';
import { useTitle } from '../../../lib/use-title';
import { useCan, useMe } from '../../auth/api/get-me';
import { Badge } from '../../../components/ui/badge';
import { Button } from '../../../components/ui/button';
import { EmptyState } from '../../../components/ui/empty-state';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { RetryingNotice } from '../../../components/ui/retrying-notice';
import { RelativeTime } from '../../../components/ui/relative-time';
import { SkeletonRows } from '../../../components/ui/skeleton';
import { auditExportHref, auditQuery } from '../api/audit';
import { auditFilterFromParams } from '../lib/filter-from-params';
import { AuditDetail } from './audit-detail';
import { AuditEntryView } from './audit-entry-view';

/** The audit log: who did what to whom, filterable, exportable as CSV. */
export function AuditPage() {
  useTitle('Audit log');
  const canRead = useCan('readAudit');
  const me = useMe();
  // The server refuses it anyway; say so instead of a form that can only fail.
  if (me.data && !canRead) {
    return (
      <main className="page" aria-labelledby="audit-title">
        <h1 id="audit-title">Audit log</h1>
        <p className="callout">
          Your role ({me.data.user.role}) may not read the audit log. Ask a support lead or an admin.
        </p>
      </main>
    );
  }
  return <AuditLog />;
}

function AuditLog() {
  const [params, setParams] = useSearchParams();
  const { filter, unusable } = auditFilterFromParams(params);
  const audit = useQuery(auditQuery(filter));
  // The entry an action's result links to (?entry=<id>), marked in the table.
  const linked = params.get('entry');
  const set = (key: string, value: string) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      value ? next.set(key, value) : next.delete(key);
      next.delete('page');
      return next;
    });
  const goTo = (page: number) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      page ? next.set('page', String(page)) : next.delete('page');
      return next;
    });
  const { page: _page, ...exportFilter } = filter;
  const pages = audit.data ? Math.max(1, Math.ceil(audit.data.total / audit.data.per_page)) : 1;

  return (
    <main className="page" aria-labelledby="audit-title">
      <div className="section-head">
        <h1 id="audit-title">Audit log</h1>
        <a className="btn btn-secondary" href={auditExportHref(exportFilter)} download>
          Export CSV
        </a>
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a form with role search is the landmark Testing Library and every browser know; <search> is not mapped */}
      <form className="filters" role="search" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        <label>
          Staff member
          <input
            defaultValue={params.get('actor') ?? ''}
            onChange={(e) => set('actor', e.target.value.trim())}
            placeholder="Name or id"
          />
        </label>
        <label>
          User
          <input
            defaultValue={params.get('user_id') ?? ''}
            onChange={(e) => set('user_id', e.target.value.trim())}
            placeholder="Part of a name or email, or a user id"
          />
        </label>
        <label>
          Action
          <select value={params.get('action') ?? ''} onChange={(e) => set('action', e.target.value)}>
            <option value="">All actions</option>
            {AUDIT_ACTION_GROUPS.map((group) => (
              <optgroup key={group.kind} label={group.label}>
                {group.actions.map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </label>
        <label>
          Result
          <select value={params.get('result') ?? ''} onChange={(e) => set('result', e.target.value)}>
            <option value="">Any result</option>
            {AUDIT_RESULTS.map((result) => (
              <option key={result} value={result}>
                {result}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="datetime-local" value={params.get('from') ?? ''} onChange={(e) => set('from', e.target.value)} />
        </label>
        <label>
          To
          <input type="datetime-local" value={params.get('to') ?? ''} onChange={(e) => set('to', e.target.value)} />
        </label>
      </form>
      {unusable.length ? (
        <div className="callout callout-warn" role="status" aria-labelledby="audit-unusable-title">
          <p id="audit-unusable-title">
            <strong>Part of this link could not be used; the log is shown without it.</strong>
          </p>
          <ul>
            {unusable.map((problem) => (
              <li key={problem}>{problem}.</li>
            ))}
          </ul>
        </div>
      ) : null}
      {linked ? <AuditEntryView id={linked} /> : null}
      <RetryingNotice query={audit} what="the audit log" />
      {audit.error ? (
        <ErrorNotice error={audit.error} onRetry={() => void audit.refetch()} title="Could not load the audit log" />
      ) : null}
      <table className="table">
        <caption className="visually-hidden">Audit entries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Staff member</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        {audit.isPending ? (
          <SkeletonRows columns={5} rows={6} label="Loading the audit log" />
        ) : (
          <tbody>
            {audit.data?.entries.map((entry) => (
              <tr
                key={entry.id}
                className={entry.id === linked ? 'current-entry' : undefined}
                aria-current={entry.id === linked ? 'true' : undefined}
              >
                <td>
                  <RelativeTime value={entry.at} />
                </td>
                <td>
                  {entry.actor.name} <Badge>{entry.actor.role ?? 'no console role'}</Badge>
                </td>
                <td>{AUDIT_ACTIONS_LIST.find(([a]) => a === entry.action)?.[1] ?? entry.action}</td>
                <td>
                  {entry.target}
                  {entry.target_user_id ? (
                    <div className="muted small">
                      <Link to={paths.user(entry.target_user_id)}>{entry.target_user_id}</Link>
                    </div>
                  ) : null}
                  <AuditDetail detail={entry.detail} />
                  <Link
                    to={`${paths.audit}?${new URLSearchParams({ ...Object.fromEntries(params), entry: entry.id })}`}
                    aria-label={`Details of ${entry.actor.name}'s ${AUDIT_ACTIONS_LIST.find(([a]) => a === entry.action)?.[1] ?? entry.action}`}
                  >
                    Details
                  </Link>
                </td>
                <td>
                  <Badge tone={entry.result === 'success' ? 'good' : 'danger'}>{entry.result}</Badge>
                  <div className="muted small" title="Request id">
                    {entry.request_id.slice(0, 8)}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        )}
      </table>
      {audit.data && audit.data.entries.length === 0 ? (
        <EmptyState title="Nothing recorded">No audit entry matches these filters.</EmptyState>
      ) : null}
      {audit.data && audit.data.total > audit.data.per_page ? (
        <nav className="pager" aria-label="Audit pages">
          <Button onClick={() => goTo((filter.page ?? 0) - 1)} disabled={!filter.page}>
            Previous
          </Button>
          <span>
            Page {(filter.page ?? 0) + 1} of {pages}
          </span>
          <Button onClick={() => goTo((filter.page ?? 0) + 1)} disabled={(filter.page ?? 0) + 1 >= pages}>
            Next
          </Button>
        </nav>
      ) : null}
    </main>
  );
}
