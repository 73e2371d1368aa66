import { DPOP_BOUND_TOKEN_REFUSED } from '@rtc/contracts/binding';
import type { SecurityEvent } from '@rtc/contracts';
import { useQuery } from '@tanstack/react-query';
import { Badge } from '../../../components/ui/badge';
import { Button } from '../../../components/ui/button';
import { RelativeTime } from '../../../components/ui/relative-time';
import { useCan } from '../../auth/api/get-me';
import { securityEventsQuery } from '../api/user-access';
import { UNNAMED_DEVICE } from '../lib/token-table';
import { useActionDialog } from './action-dialog';

/** How the tenant refused a DPoP-bound token's stolen copy (`details.reason`), in words. */
const REFUSAL: Record<string, string> = {
  'missing-proof': 'it came with no DPoP proof',
  'other-key': 'it came with a proof signed by another key',
  'invalid-proof': 'it came with an invalid DPoP proof (replayed, stale, or made for another request)',
};

/** Theft signals, one per token (its latest attempt, and how many there were), newest first. */
function theftsByToken(events: SecurityEvent[]): { event: SecurityEvent; attempts: number }[] {
  const byToken = new Map<string, { event: SecurityEvent; attempts: number }>();
  for (const event of events) {
    if (event.type !== DPOP_BOUND_TOKEN_REFUSED) continue;
    const key = event.refresh_token_id ?? event.id;
    const seen = byToken.get(key);
    if (!seen) byToken.set(key, { event, attempts: 1 });
    else
      byToken.set(key, {
        event: (event.at ?? '') > (seen.event.at ?? '') ? event : seen.event,
        attempts: seen.attempts + 1,
      });
  }
  return [...byToken.values()].sort((a, b) => (b.event.at ?? '').localeCompare(a.event.at ?? ''));
}

/**
 * On the user's header, whatever tab is open: rotated refresh tokens used again (Auth0's
 * `ferrt`), with when, from which address (its network and country) and by which agent; and a
 * DPoP-bound token's stolen copy tried without its key (the embedded tenant's
 * `dpop_bound_token_refused`), with its one-click revoke through the usual preview.
 * Nothing when there is none.
 */
export function SecurityAlerts({ userId }: { userId: string }) {
  const events = useQuery(securityEventsQuery(userId));
  const canRevoke = useCan('revoke');
  const actions = useActionDialog(userId);
  const all = events.data?.events ?? [];
  const reuse = all.filter((e) => e.type === 'ferrt');
  const thefts = theftsByToken(all);
  if (reuse.length === 0 && thefts.length === 0) return null;
  return (
    <>
      <section className="callout callout-danger" aria-label="Security alerts">
        <ul>
          {thefts.map(({ event, attempts }) => (
            <li key={event.id}>
              <Badge tone="danger">Stolen token tried</Badge> A stolen copy of this token was tried without its key from{' '}
              {event.where ?? 'an unknown address'} <RelativeTime value={event.at} />
              {event.agent ? ` by ${event.agent}` : ''}: {event.client_name ?? 'An application'} on{' '}
              {event.device_name ?? UNNAMED_DEVICE}
              {attempts > 1 ? `, ${attempts} attempts` : ''}. The tenant refused it (
              {REFUSAL[event.reason ?? ''] ?? 'it was not presented with its key'}); the app holding the key can still
              use it.{' '}
              {event.token_live === false ? (
                <strong>This token has since been revoked.</strong>
              ) : canRevoke && event.token_live && event.refresh_token_id ? (
                <Button
                  variant="danger"
                  onClick={() =>
                    actions.open(
                      { action: 'refresh_token.revoke', token_id: event.refresh_token_id! },
                      { title: 'Revoke this stolen refresh token?', confirmLabel: 'Revoke' },
                    )
                  }
                >
                  Revoke this token
                </Button>
              ) : null}
            </li>
          ))}
          {reuse.map((event) => (
            <li key={event.id}>
              <Badge tone="danger">Reuse detected</Badge> {event.client_name ?? 'An application'} on{' '}
              {event.device_name ?? UNNAMED_DEVICE}: a rotated refresh token was used again{' '}
              <RelativeTime value={event.at} />
              {event.where ? ` from ${event.where}` : ''}
              {event.agent ? ` by ${event.agent}` : ''}; its whole family was revoked.
            </li>
          ))}
        </ul>
        {actions.summary}
      </section>
      {actions.dialog}
    </>
  );
}
