import { useQuery } from '@tanstack/react-query';
import { Badge } from '../../../components/ui/badge';
import { RelativeTime } from '../../../components/ui/relative-time';
import { securityEventsQuery } from '../api/user-access';
import { UNNAMED_DEVICE } from '../lib/token-table';

/**
 * On the user's header, whatever tab is open: rotated refresh tokens used again (Auth0's
 * `ferrt`), with when, from which address (its network and country) and by which agent. Nothing when there is none.
 */
export function SecurityAlerts({ userId }: { userId: string }) {
  const events = useQuery(securityEventsQuery(userId));
  const reuse = events.data?.events.filter((e) => e.type === 'ferrt') ?? [];
  if (reuse.length === 0) return null;
  return (
    <div className="callout callout-danger" role="region" aria-label="Security alerts">
      <ul>
        {reuse.map((event) => (
          <li key={event.id}>
            <Badge tone="danger">Reuse detected</Badge> {event.client_name ?? 'An application'} on {event.device_name ?? UNNAMED_DEVICE}: a rotated refresh token was used
            again <RelativeTime value={event.at} />
            {event.where ? ` from ${event.where}` : ''}
            {event.agent ? ` by ${event.agent}` : ''}; its whole family was revoked.
          </li>
        ))}
      </ul>
    </div>
  );
}
