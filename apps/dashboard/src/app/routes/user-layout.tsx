import { useQuery } from '@tanstack/react-query';
import { Link, NavLink, Outlet, useOutletContext, useParams } from 'react-router';
import { ErrorNotice } from '../../components/ui/error-notice';
import { RetryingNotice } from '../../components/ui/retrying-notice';
import { SkeletonBlock } from '../../components/ui/skeleton';
import { paths, USER_TABS } from '../../config/paths';
import { ApiError } from '../../lib/api-client';
import { userQuery } from '../../features/users/api/users';
import { StaffMark } from '../../features/users/components/staff-mark';
import { useTitle } from '../../lib/use-title';
import { SecurityAlerts } from '../../features/user-access/components/security-alerts';
import { useSignOutEverywhereAction } from '../../features/sign-out-everywhere/components/sign-out-everywhere';
import type { UserDetail } from '@rtc/contracts';

export interface UserOutletContext {
  userId: string;
  user: UserDetail;
}

/** The tabs read the user from the layout: `useUserOutlet()`. */
export const useUserOutlet = () => useOutletContext<UserOutletContext>();

/** Users > a user: a header and tabs, each tab its own URL. */
export function UserLayout() {
  const userId = useParams().userId!;
  const user = useQuery(userQuery(userId));
  useTitle(user.data ? (user.data.name ?? user.data.email ?? userId) : 'User');
  if (user.error) {
    // A user that does not exist stays so: Retry is offered only when asking again may help.
    const missing = user.error instanceof ApiError && user.error.status === 404;
    return (
      <main className="page">
        <p className="breadcrumb">
          <Link to={paths.users()}>Users</Link>
        </p>
        <ErrorNotice
          error={user.error}
          title={missing ? 'No such user' : 'Could not load this user'}
          {...(missing ? {} : { onRetry: () => void user.refetch() })}
        />
      </main>
    );
  }
  return (
    <main className="page" aria-labelledby="user-title">
      <p className="breadcrumb">
        <Link to={paths.users()}>Users</Link> › {user.data?.name ?? userId}
      </p>
      <header className="user-header">
        <div className="avatar" aria-hidden="true">
          {(user.data?.name ?? user.data?.email ?? '?').slice(0, 1).toUpperCase()}
        </div>
        <div>
          <h1 id="user-title">{user.data ? (user.data.name ?? user.data.email ?? userId) : 'Loading…'}</h1>
          <p className="muted">
            {user.data?.email} · <code>{userId}</code> <StaffMark role={user.data?.console_role} />
          </p>
        </div>
        {user.data ? <UserActions user={user.data} /> : null}
      </header>
      <RetryingNotice query={user} what="this user" />
      <SecurityAlerts userId={userId} />
      <nav className="tabs" aria-label="User sections">
        {USER_TABS.map(({ tab, label }) => (
          <NavLink key={tab} to={paths.user(userId, tab)} end={tab === 'details'}>
            {label}
          </NavLink>
        ))}
      </nav>
      <div className="tab-panel">
        {user.data ? (
          <Outlet context={{ userId, user: user.data } satisfies UserOutletContext} />
        ) : (
          <SkeletonBlock lines={4} label="Loading the user" />
        )}
      </div>
    </main>
  );
}

/** The header's actions on the whole user, and what they answered. */
function UserActions({ user }: { user: UserDetail }) {
  const signOut = useSignOutEverywhereAction(user);
  if (!signOut.button) return null;
  return (
    <div className="user-header-actions">
      {signOut.button}
      {signOut.dialog}
      {signOut.summary}
    </div>
  );
}
