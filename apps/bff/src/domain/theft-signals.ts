import type { RefreshToken } from '@rtc/contracts';
import { describeAddress, placeChange } from './ip-places.ts';
import { parseAgent } from './user-agent.ts';

/**
 * How a token's last use differs from its issue, in sentences for a support person: another
 * agent family (an app's token replayed by curl), or another network. Networks are compared by
 * ASN when the tenant knows it; by address only when it knows no ASN for either, since a phone
 * changes address within its carrier all day.
 */
export function theftSignals(d: RefreshToken['device']): string[] {
  const signals: string[] = [];
  const first = parseAgent(d.initial_user_agent);
  const last = parseAgent(d.last_user_agent);
  if (first && last && first.family !== last.family)
    signals.push(`Last used by ${last.description}, but issued to ${first.description}.`);
  const moved = placeChange(d);
  if (moved !== undefined) {
    if (moved) signals.push(moved);
  } else if (d.initial_asn && d.last_asn) {
    if (d.initial_asn !== d.last_asn)
      signals.push(
        `Last used from network ${d.last_asn}${d.last_ip ? ` (${d.last_ip})` : ''}, but issued on ${d.initial_asn}.`,
      );
  } else if (!d.initial_asn && !d.last_asn && d.initial_ip && d.last_ip && d.initial_ip !== d.last_ip) {
    signals.push(
      `Last used from ${describeAddress(d.last_ip, d.last_place)}, but issued at ${describeAddress(d.initial_ip, d.initial_place)}.`,
    );
  }
  return signals;
}
