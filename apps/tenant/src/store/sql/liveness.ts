import { LIVENESS } from '../../domain/liveness.ts';
import { coveredByPendingRevocation, tableColumns } from './pending-revocation.ts';

/**
 * The domain's liveness rule (LIVENESS) as SQL conditions, for both stores, the listings and
 * the searches. `field` names the expression a field is read by: a column of the row (the
 * default), or a path in a session's JSON record. The ended condition stays the bare
 * `revoked_at IS NULL`: the partial indexes of live tokens are declared with it, and a planner
 * uses them only when the query says the same.
 */
export function liveConditions(now: string, field: (name: string) => string = (name) => name): string[] {
  return [
    `${field(LIVENESS.ended)} IS NULL`,
    ...LIVENESS.expiries.map((name) => `(${field(name)} IS NULL OR ${field(name)} > ${now})`),
  ];
}

/**
 * A live refresh token, as every listing, count and search reads it: the rule above, and not
 * covered by a journaled bulk revocation still being marked (`seq`: the store's name for the
 * row's place in insertion order).
 */
export function liveTokenSql(now: string, seq: 'rowid' | 'seq'): string {
  return [...liveConditions(now), `NOT ${coveredByPendingRevocation(tableColumns(seq))}`].join(' AND ');
}
