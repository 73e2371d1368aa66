import { describe, expect, it } from 'vitest';
import { hashPassword, matchesHash, randomId, safeEqual, sha256, verifyPassword } from './secrets.ts';

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

describe('random ids', () => {
  it('never repeat across refills of their entropy pool, and take any length', () => {
    // 24-character ids take 24 bytes of a 4,096-byte pool: 10,000 of them refill it 58 times.
    const made = Array.from({ length: 10_000 }, () => randomId(24));
    expect(new Set(made).size).toBe(made.length);
    for (const id of made.slice(0, 200)) expect(id).toMatch(/^[0-9A-Za-z]{24}$/);
    // Longer than the pool: drawn on their own.
    const long = [randomId(5_000), randomId(5_000)];
    expect(long[0]).toHaveLength(5_000);
    expect(long[0]).not.toBe(long[1]);
    expect(randomId(16, 'cgr_')).toMatch(/^cgr_[0-9A-Za-z]{16}$/);
  });
});
