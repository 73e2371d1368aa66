/**
 * Liveness of a refresh token or an SSO session: past its absolute expiry (`expires_at`) or
 * its idle expiry (`idle_expires_at`), it is expired; null means infinite. The stores' SQL
 * says the same in their `LIVE` clauses.
 */
export interface Expiring {
  expires_at: number | null;
  idle_expires_at: number | null;
}

export function isExpired(item: Expiring, now: number): boolean {
  return (item.expires_at !== null && item.expires_at <= now) || (item.idle_expires_at !== null && item.idle_expires_at <= now);
}

/** Neither revoked nor expired. */
export function isLive(item: Expiring & { revoked_at: number | null }, now: number): boolean {
  return item.revoked_at === null && !isExpired(item, now);
}
