/**
 * The port every rate limiter implements: in memory (auth/rate-limit.ts) or in a store
 * (store/sqlite, store/postgres). Fixed windows; see auth/rate-limit.ts for why.
 */
export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** When the window resets, ms since the epoch. */
  resetAt: number;
}

export interface RateLimiter {
  /** Counts one event against `key` and says whether it is within the limit. */
  hit(key: string, now: number): Promise<RateLimitResult>;
  /** Whether one more event would be within the limit, without counting it. */
  peek(key: string, now: number): Promise<RateLimitResult>;
  /** Forgets a key (a successful sign-in clears its failures). */
  reset(key: string): Promise<void>;
  /** Gives back one event counted in the current window (an attempt that turned out fine). */
  refund(key: string, now: number): Promise<void>;
}

/**
 * What a bounded table does when every window in it is live: drop the oldest (fine where the
 * newest key matters most, as per refresh token), or refuse new keys (sign-in throttling: a
 * flood of junk keys must not evict a live lockout).
 */
export type WhenFull = 'evict-oldest' | 'refuse';
