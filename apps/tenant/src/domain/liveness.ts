/**
 * Liveness of a refresh token or an SSO session, the one definition: ended (`revoked_at` set),
 * or past its absolute expiry (`expires_at`) or its idle expiry (`idle_expires_at`), it is no
 * longer live; an expiry of null is none. The stores' SQL is rendered from LIVENESS
 * (store/sql/liveness.ts), so what the code refuses and what the listings and searches show
 * cannot drift apart.
 */
export const LIVENESS = {
  /** Set when the token is revoked or the session ended. */
  ended: 'revoked_at',
  /** Past any of these, expired. */
  expiries: ['expires_at', 'idle_expires_at'],
} as const;

export type Expiring = Record<(typeof LIVENESS.expiries)[number], number | null>;

export function isExpired(item: Expiring, now: number): boolean {
  for (const field of LIVENESS.expiries) {
    const at = item[field];
    if (at !== null && at <= now) return true;
  }
  return false;
}

/** Neither ended nor expired. */
export function isLive(item: Expiring & Record<typeof LIVENESS.ended, number | null>, now: number): boolean {
  return item[LIVENESS.ended] === null && !isExpired(item, now);
}
