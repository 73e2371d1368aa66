import { Button } from '../../../components/ui/button';
import { EmptyState } from '../../../components/ui/empty-state';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { RetryingNotice } from '../../../components/ui/retrying-notice';
import { RelativeTime } from '../../../components/ui/relative-time';
import { SkeletonRows } from '../../../components/ui/skeleton';
import { useCan } from '../../auth/api/get-me';
import { sessionsQuery } from '../api/user-access';
import { authMethodWords } from '../lib/auth-methods';
import { useRevocableList } from '../lib/use-revocable-list';
import { useActionDialog } from './action-dialog';
import { RevokedMark } from './revoked-mark';
import { IpWithPlace } from '../../../components/ui/ip-address';

/** The user's sessions at the tenant; revoking one also revokes the refresh tokens issued in it. */
export function SessionsTab({ userId }: { userId: string }) {
  const canRevoke = useCan('revoke');
  const { open, dialog, summary } = useActionDialog(userId);
  const { query: sessions, isRevoking } = useRevocableList(userId, 'session:', sessionsQuery, (data) =>
    data.sessions.map((s) => s.id),
  );

  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading" className="section-title">
        Sessions
      </h2>
      <p className="muted">
        Where the user is signed in at the tenant. Refresh tokens can outlive a session; revoking a session here revokes
        its refresh tokens too.
      </p>
      {summary}
      <RetryingNotice query={sessions} what="sessions" />
      {sessions.error ? (
        <ErrorNotice error={sessions.error} onRetry={() => void sessions.refetch()} title="Could not load sessions" />
      ) : null}
      <table className="table">
        <caption className="visually-hidden">Sessions of this user</caption>
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Applications</th>
            <th scope="col">Signed in</th>
            <th scope="col">Last active</th>
            <th scope="col">Expires</th>
            <th scope="col">Refresh tokens</th>
            {canRevoke ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        {sessions.isPending ? (
          <SkeletonRows columns={canRevoke ? 7 : 6} rows={2} label="Loading sessions" />
        ) : (
          <tbody>
            {sessions.data?.sessions.map((session) => {
              const revoking = isRevoking(session.id);
              const agent = session.device.last_agent ?? session.device.initial_agent ?? 'Unknown agent';
              const device = session.device_names.length ? `${session.device_names.join(', ')} (${agent})` : agent;
              return (
                <tr key={session.id} aria-busy={revoking}>
                  <th scope="row">
                    {device}
                    <div className="muted small">
                      <IpWithPlace
                        ip={session.device.last_ip ?? session.device.initial_ip}
                        place={session.device.last_ip ? session.device.last_place : session.device.initial_place}
                        unknown="unknown IP"
                      />{' '}
                      · {session.authentication_methods.map(authMethodWords).join(', ')}
                    </div>
                    {(session.device.last_user_agent ?? session.device.initial_user_agent) ? (
                      <details className="small">
                        <summary>User agent</summary>
                        <code className="raw-agent">
                          {session.device.last_user_agent ?? session.device.initial_user_agent}
                        </code>
                      </details>
                    ) : null}
                  </th>
                  <td>{session.applications.map((a) => a.name).join(', ') || '—'}</td>
                  <td>
                    <RelativeTime value={session.authenticated_at} />
                  </td>
                  <td>
                    <RelativeTime value={session.last_interacted_at} />
                  </td>
                  <td>
                    <RelativeTime value={session.expires_at} fallback="Never" />
                  </td>
                  <td>{revoking ? <RevokedMark /> : session.token_count}</td>
                  {canRevoke ? (
                    <td className="actions">
                      <Button
                        variant="danger"
                        disabled={revoking}
                        aria-label={`Revoke session on ${device}`}
                        onClick={() =>
                          open(
                            { action: 'session.revoke', session_id: session.id },
                            { title: 'Revoke this session?', confirmLabel: 'Revoke session' },
                          )
                        }
                      >
                        Revoke
                      </Button>
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        )}
      </table>
      {sessions.data && sessions.data.sessions.length === 0 ? (
        <EmptyState title="No active sessions">The user is not signed in anywhere right now.</EmptyState>
      ) : null}
      {dialog}
    </section>
  );
}
