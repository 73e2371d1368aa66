import type { RateLimiter, RateLimitResult, WhenFull } from '../domain/rate-limiter.ts';

/**
 * Fixed-window counters. Auth0 limits refresh-token exchanges per token and IP (reference
 * 001) and answers 429 with `x-ratelimit-limit`, `x-ratelimit-remaining` and
 * `x-ratelimit-reset` (epoch seconds); we do the same.
 *
 * Why not `rate-limiter-flexible` (considered for sign-in throttling): the atomic consume it
 * offers is one upsert statement in each of our stores (tested under a parallel burst in
 * test/grants/password.test.ts), while its memory store grows with every key it is sent (a flood of
 * made-up account names would grow it without bound, or, bounded, evict a live lockout) and
 * its database stores would bring a second schema and connection handling beside ours.
 */
export type { RateLimiter, RateLimitResult, WhenFull };

/** In-process counters, bounded in size; fine for one instance. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private nextSweep = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
    private readonly whenFull: WhenFull = 'evict-oldest',
  ) {}

  async hit(key: string, now: number): Promise<RateLimitResult> {
    // Every rotated refresh token is a new key: expired windows go once per window, not only when full.
    if (now >= this.nextSweep || this.windows.size >= this.maxKeys) {
      this.sweep(now);
      this.nextSweep = now + this.windowMs;
    }
    let window = this.windows.get(key);
    if (!window && this.windows.size >= this.maxKeys) {
      // Only reached with whenFull 'refuse' (sweep() made room otherwise): fail closed.
      return { allowed: false, limit: this.limit, remaining: 0, resetAt: now + this.windowMs };
    }
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return {
      allowed: window.count <= this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - window.count),
      resetAt: window.resetAt,
    };
  }

  async peek(key: string, now: number): Promise<RateLimitResult> {
    const window = this.windows.get(key);
    const count = window && window.resetAt > now ? window.count : 0;
    return {
      allowed: count < this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - count),
      resetAt: window && window.resetAt > now ? window.resetAt : now + this.windowMs,
    };
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  async refund(key: string, now: number): Promise<void> {
    const window = this.windows.get(key);
    if (window && window.resetAt > now && window.count > 0) window.count -= 1;
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    if (this.whenFull === 'refuse') return;
    // Still full: drop the oldest windows (Map keeps insertion order).
    for (const key of this.windows.keys()) {
      if (this.windows.size < this.maxKeys) break;
      this.windows.delete(key);
    }
  }
}

export function rateLimitHeaders(result: RateLimitResult): Record<string, string> {
  return {
    'x-ratelimit-limit': String(result.limit),
    'x-ratelimit-remaining': String(result.remaining),
    'x-ratelimit-reset': String(Math.ceil(result.resetAt / 1000)),
  };
}
