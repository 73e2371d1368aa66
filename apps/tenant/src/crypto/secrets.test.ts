import { describe, expect, it } from 'vitest';
import { hashPassword, matchesHash, safeEqual, sha256, verifyPassword } from './secrets.ts';

/**
 * What is tested of the constant-time comparisons: their results, and that every comparison
 * runs over fixed-length SHA-256 digests (so neither a length nor a common prefix changes the
 * work done) through node:crypto's timingSafeEqual. Timing itself is not measured: on a shared
 * two-core machine it cannot be told apart from noise reliably.
 */
describe('secret comparison', () => {
  it('safeEqual compares any two strings, of any lengths, without throwing', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', 'x'.repeat(10_000))).toBe(false);
  });

  it('matchesHash checks a presented secret against a stored digest, and refuses a malformed digest', () => {
    const stored = sha256('client-secret');
    expect(matchesHash('client-secret', stored)).toBe(true);
    expect(matchesHash('client-secreT', stored)).toBe(false);
    expect(matchesHash('client-secret', stored.subarray(0, 16))).toBe(false);
    expect(matchesHash('client-secret', Buffer.alloc(0))).toBe(false);
  });

  it('passwords: scrypt with a per-hash salt, verified against the stored key', async () => {
    const cheap = { N: 2 ** 10, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
    const a = await hashPassword('correct horse', cheap);
    const b = await hashPassword('correct horse', cheap);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct hors', a)).toBe(false);
    expect(await verifyPassword('correct horse', 'plain')).toBe(false);
  });
});
