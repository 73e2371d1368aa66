import type { ReactNode } from 'react';
import { useLocation } from 'react-router';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { paths } from '../../../config/paths';
import { ApiError } from '../../../lib/api-client';
import { useMe } from '../api/get-me';

/** Renders the console for a signed-in staff member; otherwise the sign-in screen. */
export function RequireSession({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <div className="boot" role="status" aria-label="Loading the console" />;
  if (me.error instanceof ApiError && me.error.status === 401) {
    return (
      <main className="sign-in">
        <div className="sign-in-card">
          <h1>Refresh Token Console</h1>
          <p className="muted">
            Sign in with your staff account to manage users' devices, applications and refresh tokens.
          </p>
          <a className="btn btn-primary" href={paths.signIn(location.pathname + location.search)}>
            Sign in
          </a>
        </div>
      </main>
    );
  }
  if (me.error)
    return <ErrorNotice error={me.error} onRetry={() => void me.refetch()} title="The console could not start" />;
  return <>{children}</>;
}
