import { isIP } from 'node:net';
import type { RateLimiter, RateLimitResult } from './rate-limiter.ts';

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
  | { allowed: true /** The password was right: give the attempt back. */; succeeded(): Promise<void> }
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
    const name = account.normalize('NFKC').trim().toLowerCase();
    const address = ip ? addressKey(ip) : '-';
    // Widest first, stopping at the first refusal: an attempt already refused for its address
    // counts against no account (a spray cannot lock accounts out, nor fill the tables).
    const counters: [RateLimiter, string][] = [
      // Without an address there is nothing to spray from; do not lump every such caller together.
      ...(ip ? ([[this.limiters.perAddress, `signin:address:${address}`]] as [RateLimiter, string][]) : []),
      [this.limiters.perAccount, `signin:account:${name}`],
      [this.limiters.perAccountAndAddress, `signin:account-address:${name}|${address}`],
    ];
    const counted: [RateLimiter, string][] = [];
    for (const [limiter, key] of counters) {
      const result = await limiter.hit(key, now);
      if (!result.allowed) {
        // Refused: the attempt never reaches the password check, so the wider counters it
        // passed give it back. Otherwise 50 refused guesses from one address would fill the
        // account's own counter and lock its owner out from everywhere else.
        await Promise.all(counted.map(([wider, widerKey]) => wider.refund(widerKey, now)));
        return {
          allowed: false,
          retryAfterSeconds: Math.max(1, Math.ceil((result.resetAt - now) / 1000)),
          limit: result,
        };
      }
      counted.push([limiter, key]);
    }
    return {
      allowed: true,
      succeeded: async () => {
        await Promise.all(counted.map(([limiter, key]) => limiter.refund(key, now)));
      },
    };
  }
}

/** An IPv6 caller is counted by its /64 (one subscriber's prefix), an IPv4 one by its address. */
function addressKey(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
