import { Button } from '../../../components/ui/button';
import { EmptyState } from '../../../components/ui/empty-state';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { RetryingNotice } from '../../../components/ui/retrying-notice';
import { RelativeTime } from '../../../components/ui/relative-time';
import { SkeletonRows } from '../../../components/ui/skeleton';
import { useCan } from '../../auth/api/get-me';
import { authorizedAppsQuery } from '../api/user-access';
import { useRevocableList } from '../lib/use-revocable-list';
import { useActionDialog } from './action-dialog';
import { RevokedMark } from './revoked-mark';

/** Users > user > Authorized Applications: the user's grants; Revoke deletes one and its tokens. */
export function AuthorizedAppsTab({ userId }: { userId: string }) {
  const canRevoke = useCan('revoke');
  const { open, dialog, summary } = useActionDialog(userId);
  const { query: apps, isRevoking } = useRevocableList(userId, 'grant:', authorizedAppsQuery, (data) =>
    data.apps.map((a) => a.grant_id),
  );

  return (
    <section aria-labelledby="apps-heading">
      <h2 id="apps-heading" className="section-title">
        Authorized Applications
      </h2>
      <p className="muted">
        Applications this user has granted access to. Revoking one deletes the grant and every refresh token issued
        under it. The Management API does not say when a grant was made.
      </p>
      {summary}
      <RetryingNotice query={apps} what="authorized applications" />
      {apps.error ? (
        <ErrorNotice
          error={apps.error}
          onRetry={() => void apps.refetch()}
          title="Could not load authorized applications"
        />
      ) : null}
      <table className="table">
        <caption className="visually-hidden">Authorized applications of this user</caption>
        <thead>
          <tr>
            <th scope="col">Application</th>
            <th scope="col">API</th>
            <th scope="col">Scopes</th>
            <th scope="col">Oldest live refresh token</th>
            <th scope="col">Refresh tokens</th>
            {canRevoke ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        {apps.isPending ? (
          <SkeletonRows columns={canRevoke ? 6 : 5} rows={3} label="Loading authorized applications" />
        ) : (
          <tbody>
            {apps.data?.apps.map((app) => {
              const revoking = isRevoking(app.grant_id);
              return (
                <tr key={app.grant_id} aria-busy={revoking}>
                  <th scope="row">{app.client_name}</th>
                  <td>{app.api_name}</td>
                  <td>
                    <ul className="chips">
                      {app.scopes.map((s) => (
                        <li key={s}>{s}</li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    <RelativeTime value={app.first_token_at} fallback="None live" />
                  </td>
                  <td>
                    {revoking ? <RevokedMark /> : app.token_count}
                    {!revoking && app.device_names.length ? (
                      <div className="muted small">{app.device_names.join(', ')}</div>
                    ) : null}
                  </td>
                  {canRevoke ? (
                    <td className="actions">
                      <Button
                        variant="danger"
                        disabled={revoking}
                        aria-label={`Revoke ${app.client_name} for ${app.api_name}`}
                        onClick={() =>
                          open(
                            { action: 'grant.revoke', grant_id: app.grant_id },
                            { title: `Revoke ${app.client_name}?`, confirmLabel: 'Revoke' },
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
      {apps.data && apps.data.apps.length === 0 ? (
        <EmptyState title="No authorized applications">This user has not granted any application access.</EmptyState>
      ) : null}
      {dialog}
    </section>
  );
}
