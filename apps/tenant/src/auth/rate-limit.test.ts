import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from './rate-limit.ts';

describe('MemoryRateLimiter when its table is full', () => {
  it('by default drops the oldest windows (per-token limits: the next key matters more)', async () => {
    const limiter = new MemoryRateLimiter(1, 60_000, 3);
    for (const key of ['a', 'b', 'c']) await limiter.hit(key, 0);
    expect((await limiter.peek('a', 1)).allowed).toBe(false);
    expect((await limiter.hit('d', 2)).allowed).toBe(true);
    expect((await limiter.peek('a', 3)).allowed).toBe(true); // the oldest was forgotten
  });

  it('with whenFull "refuse", never forgets a live window: a flood of new keys is refused instead', async () => {
    const limiter = new MemoryRateLimiter(1, 60_000, 3, 'refuse');
    await limiter.hit('locked', 0);
    expect((await limiter.hit('locked', 0)).allowed).toBe(false);
    for (let i = 0; i < 10; i++) await limiter.hit(`junk${i}`, 1);
    expect((await limiter.hit('locked', 2)).allowed).toBe(false);
    expect((await limiter.hit('newcomer', 2)).allowed).toBe(false);
    // Once the windows expire there is room again.
    expect((await limiter.hit('newcomer', 60_001)).allowed).toBe(true);
  });
});
