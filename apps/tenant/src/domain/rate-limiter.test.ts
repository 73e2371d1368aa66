import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../auth/rate-limit.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { RateLimiter } from './rate-limiter.ts';

/** The port's rules, held against every implementation: in memory and in the SQLite store. */
const dir = mkdtempSync(join(tmpdir(), 'rtc-rate-limiter-'));
const store = openSqliteStore(join(dir, 'tenant.sqlite'));
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const LIMIT = 3;
const WINDOW = 60_000;
let keys = 0;
const IMPLEMENTATIONS: [string, () => RateLimiter][] = [
  ['memory', () => new MemoryRateLimiter(LIMIT, WINDOW)],
  ['sqlite', () => store.settings.createRateLimiter(LIMIT, WINDOW)],
];

for (const [name, make] of IMPLEMENTATIONS) {
  describe(`RateLimiter port: ${name}`, () => {
    const key = () => `key-${name}-${++keys}`;

    it('allows `limit` hits in a fixed window, counting down what remains, then refuses until the window ends', async () => {
      const limiter = make();
      const k = key();
      const results = [];
      for (let i = 0; i < LIMIT + 1; i++) results.push(await limiter.hit(k, 1_000 + i));
      expect(results.map((r) => [r.allowed, r.remaining])).toEqual([
        [true, 2],
        [true, 1],
        [true, 0],
        [false, 0],
      ]);
      expect(new Set(results.map((r) => r.resetAt))).toEqual(new Set([1_000 + WINDOW]));
      expect((await limiter.hit(k, 1_000 + WINDOW - 1)).allowed).toBe(false);
      expect(await limiter.hit(k, 1_000 + WINDOW)).toEqual({
        allowed: true,
        limit: LIMIT,
        remaining: 2,
        resetAt: 1_000 + 2 * WINDOW,
      });
    });

    it('peeks without counting: whether one more would be allowed', async () => {
      const limiter = make();
      const k = key();
      expect(await limiter.peek(k, 0)).toEqual({ allowed: true, limit: LIMIT, remaining: LIMIT, resetAt: WINDOW });
      for (let i = 0; i < LIMIT; i++) await limiter.hit(k, 0);
      expect(await limiter.peek(k, 1)).toMatchObject({ allowed: false, remaining: 0, resetAt: WINDOW });
      expect(await limiter.peek(k, 1)).toMatchObject({ allowed: false });
    });

    it('gives back one hit on refund, never below zero, and not into a window that has ended', async () => {
      const limiter = make();
      const k = key();
      for (let i = 0; i < LIMIT; i++) await limiter.hit(k, 0);
      await limiter.refund(k, 1);
      expect((await limiter.peek(k, 1)).remaining).toBe(1);
      for (let i = 0; i < 5; i++) await limiter.refund(k, 1);
      expect((await limiter.peek(k, 1)).remaining).toBe(LIMIT);
      await limiter.refund(k, WINDOW + 1);
      expect((await limiter.hit(k, WINDOW + 1)).remaining).toBe(LIMIT - 1);
    });

    it('forgets a key on reset, and counts keys apart', async () => {
      const limiter = make();
      const [a, b] = [key(), key()];
      for (let i = 0; i < LIMIT + 1; i++) await limiter.hit(a, 0);
      expect((await limiter.hit(b, 0)).allowed).toBe(true);
      await limiter.reset(a);
      expect((await limiter.hit(a, 0)).allowed).toBe(true);
    });
  });
}
