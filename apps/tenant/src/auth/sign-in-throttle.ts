import type { RateLimiter, RateLimitResult } from './rate-limit.ts';

/** Failed sign-ins allowed per 15 minutes (Auth0's brute-force protection counts per account and address). */
export interface SignInLimits {
  /** One account from one address: a guesser at one account. */
  perAccountAndAddress: number;
  /** One account from any address: a guesser spread over many addresses. */
  perAccount: number;
  /** One address across accounts: password spraying. */
  perAddress: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = { perAccountAndAddress: 10, perAccount: 50, perAddress: 100 };
export const SIGN_IN_WINDOW_MS = 15 * 60_000;

export type SignInAttempt =
  | { allowed: true; /** The password was right: give the attempt back. */ succeeded(): Promise<void> }
  | { allowed: false; retryAfterSeconds: number; limit: RateLimitResult };

/**
 * Sign-in throttling for the login form and the password grant. Every attempt is counted
 * *before* the password is checked, atomically in the store's counter, so a parallel burst
 * cannot slip past the limit while the slow hash runs; a right password gives its count back.
 * Past any limit even the right password waits, so the limit cannot be probed.
 */
export class SignInThrottle {
  constructor(
    private readonly limiters: { perAccountAndAddress: RateLimiter; perAccount: RateLimiter; perAddress: RateLimiter },
  ) {}

  async attempt(account: string, ip: string | null, now: number): Promise<SignInAttempt> {
    const name = account.trim().toLowerCase();
    const address = ip ?? '-';
    const counters: [RateLimiter, string][] = [
      [this.limiters.perAccountAndAddress, `signin:account-address:${name}|${address}`],
      [this.limiters.perAccount, `signin:account:${name}`],
      // Without an address there is nothing to spray from; do not lump every such caller together.
      ...(ip ? ([[this.limiters.perAddress, `signin:address:${address}`]] as [RateLimiter, string][]) : []),
    ];
    const results = await Promise.all(counters.map(([limiter, key]) => limiter.hit(key, now)));
    const refused = results.filter((r) => !r.allowed).sort((a, b) => b.resetAt - a.resetAt)[0];
    if (refused) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((refused.resetAt - now) / 1000)), limit: refused };
    }
    return {
      allowed: true,
      succeeded: async () => {
        await Promise.all(counters.map(([limiter, key]) => limiter.refund(key, now)));
      },
    };
  }
}
