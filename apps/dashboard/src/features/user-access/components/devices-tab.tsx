import type { Device } from '@rtc/contracts';
import { Badge } from '../../../components/ui/badge';
import { Button } from '../../../components/ui/button';
import { EmptyState } from '../../../components/ui/empty-state';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { RetryingNotice } from '../../../components/ui/retrying-notice';
import { RelativeTime } from '../../../components/ui/relative-time';
import { SkeletonRows } from '../../../components/ui/skeleton';
import { plural } from '../../../lib/format';
import { useCan } from '../../auth/api/get-me';
import { devicesQuery } from '../api/user-access';
import { useRevocableList } from '../lib/use-revocable-list';
import { useActionDialog } from './action-dialog';
import { RevokedMark } from './revoked-mark';
import { IpWithPlace } from '../../../components/ui/ip-address';

/**
 * Users > user > Devices: each device name with its refresh tokens, flagged when a token was
 * last used by another agent or from another network than it was issued to, or was reused.
 * "Lost or stolen" revokes its tokens and ends its sessions; X, then type UNLINK, unlinks it.
 */
export function DevicesTab({ userId }: { userId: string }) {
  const canRevoke = useCan('revoke');
  const { open, dialog, summary } = useActionDialog(userId);
  const { query: devices, isRevoking } = useRevocableList(userId, 'device:', devicesQuery, (data) =>
    data.devices.map((d) => d.name),
  );

  return (
    <section aria-labelledby="devices-heading">
      <h2 id="devices-heading" className="section-title">
        Devices
      </h2>
      <p className="muted">
        Every device name given when a refresh token was issued, with the number of refresh tokens on it.
      </p>
      {summary}
      <RetryingNotice query={devices} what="devices" />
      {devices.error ? (
        <ErrorNotice error={devices.error} onRetry={() => void devices.refetch()} title="Could not load devices" />
      ) : null}
      <table className="table">
        <caption className="visually-hidden">Devices of this user</caption>
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Refresh tokens</th>
            <th scope="col">Applications</th>
            <th scope="col">Last used</th>
            {canRevoke ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        {devices.isPending ? (
          <SkeletonRows columns={canRevoke ? 5 : 4} rows={3} label="Loading devices" />
        ) : (
          <tbody>
            {devices.data?.devices.map((device) => {
              const revoking = isRevoking(device.name);
              return (
                <tr key={device.name} aria-busy={revoking}>
                  <th scope="row">
                    {device.name} <DeviceFlags device={device} />
                    <div className="muted small">
                      {device.last_agent ?? 'Unknown agent'}
                      {device.last_ip ? (
                        <>
                          {' '}
                          · <IpWithPlace ip={device.last_ip} place={device.last_place} />
                        </>
                      ) : (
                        ''
                      )}
                    </div>
                    <DeviceDetails device={device} />
                  </th>
                  <td>{revoking ? <RevokedMark /> : device.token_count}</td>
                  <td>{device.applications.map((a) => a.name).join(', ')}</td>
                  <td>
                    <RelativeTime value={device.last_used_at} fallback="Never" />
                  </td>
                  {canRevoke ? (
                    <td className="actions">
                      <Button
                        variant="danger"
                        disabled={revoking}
                        aria-label={`Lost or stolen: ${device.name}`}
                        onClick={() =>
                          open(
                            { action: 'device.lost', device_name: device.name },
                            {
                              title: `${device.name} was lost or stolen?`,
                              confirmLabel: 'Revoke and sign out',
                              confirmWord: 'LOST',
                            },
                          )
                        }
                      >
                        Lost or stolen
                      </Button>
                      <button
                        type="button"
                        className="icon-button"
                        aria-label={`Unlink ${device.name}`}
                        title={`Unlink ${device.name}`}
                        disabled={revoking}
                        onClick={() =>
                          open(
                            { action: 'device.unlink', device_name: device.name },
                            { title: `Unlink ${device.name}?`, confirmLabel: 'Unlink', confirmWord: 'UNLINK' },
                          )
                        }
                      >
                        ×
                      </button>
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        )}
      </table>
      {devices.data && devices.data.devices.length === 0 ? (
        <EmptyState title="No devices">This user has no live refresh tokens on any device.</EmptyState>
      ) : null}
      {devices.data ? <p className="muted small">{plural(devices.data.devices.length, 'device')}</p> : null}
      {dialog}
    </section>
  );
}

/** The signals that a device may be in someone else's hands. */
function DeviceFlags({ device }: { device: Device }) {
  return (
    <>
      {device.signals.length ? <Badge tone="danger">Used elsewhere</Badge> : null}{' '}
      {device.reuse.length ? <Badge tone="danger">Reuse detected</Badge> : null}
      {device.signals.length || device.reuse.length ? (
        <ul className="signals small">
          {device.signals.map((signal) => (
            <li key={signal}>{signal}</li>
          ))}
          {device.reuse.map((event) => (
            <li key={event.id}>
              {event.client_name ?? 'An application'}'s rotated refresh token was used again{' '}
              <RelativeTime value={event.at} />
              {event.where ? ` from ${event.where}` : ''}
              {event.agent ? ` by ${event.agent}` : ''}; its whole family was revoked.
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}

/** The raw user agent, for when the parsed words are not enough. */
function DeviceDetails({ device }: { device: Device }) {
  if (!device.last_user_agent) return null;
  return (
    <details className="small">
      <summary>User agent</summary>
      <code className="raw-agent">{device.last_user_agent}</code>
    </details>
  );
}
