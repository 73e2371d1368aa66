import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from './sqlite-store.ts';

describe('SqliteRateLimiter', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a small row per key however long the key (an account name typed at sign-in), and still counts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-limits-'));
    dirs.push(dir);
    const store = openSqliteStore(join(dir, 'tenant.sqlite'));
    try {
      const limiter = store.settings.createRateLimiter(3, 60_000);
      const long = `${'a'.repeat(60_000)}@example.com|2001:db8::/64`;
      const verdicts = [];
      for (let i = 0; i < 4; i++) verdicts.push((await limiter.hit(long, 1_000)).allowed);
      expect(verdicts).toEqual([true, true, true, false]);
      expect((await limiter.hit(`${long}x`, 1_000)).allowed).toBe(true); // another key, counted apart
      await limiter.reset(long);
      expect((await limiter.peek(long, 1_000)).remaining).toBe(3);
      const counters = new Database(join(dir, 'tenant.counters.sqlite'), { readonly: true });
      const { longest } = counters.prepare('SELECT max(length(key)) AS longest FROM rate_limits').get() as {
        longest: number;
      };
      counters.close();
      expect(longest).toBeLessThanOrEqual(64);
    } finally {
      await store.close();
    }
  });

  it("counts outside the tenant's file: another worker's connection to it sees no change, so keeps its page cache", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-limits-'));
    dirs.push(dir);
    const store = openSqliteStore(join(dir, 'tenant.sqlite'));
    const otherWorker = new Database(join(dir, 'tenant.sqlite'), { readonly: true });
    try {
      const limiter = store.settings.createRateLimiter(100, 60_000);
      const before = otherWorker.pragma('data_version', { simple: true });
      for (let i = 0; i < 10; i++) await limiter.hit(`token-${i}|127.0.0.1`, 1_000);
      // data_version changes when another connection commits to the file (SQLite's cache check).
      expect(otherWorker.pragma('data_version', { simple: true })).toBe(before);
      // The counts are shared: a second store on the same files (another worker) sees them.
      const second = openSqliteStore(join(dir, 'tenant.sqlite'));
      try {
        expect((await second.settings.createRateLimiter(100, 60_000).peek('token-0|127.0.0.1', 1_000)).remaining).toBe(
          99,
        );
      } finally {
        await second.close();
      }
    } finally {
      otherWorker.close();
      await store.close();
    }
  });
});
