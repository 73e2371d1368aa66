import { expect, it } from 'vitest';
import { describeContract, T0 } from './contract-harness.ts';

/** The contract of settings, signing keys, secrets, locks and rate limits (TenantSettingsStore, ./tenant-settings.ts), on every store (see ./contract-harness.ts). */
describeContract(({ withStore }) => {
  it('agrees on one signing key however many instances add theirs', withStore(async (store) => {
    await Promise.all(['k1', 'k2', 'k3'].map((kid) => store.addFirstSigningKey({ kid, privateJwk: '{}', publicJwk: '{}', created_at: T0 })));
    expect((await store.getSigningKeys()).map((k) => k.kid)).toHaveLength(1);
  }));

  it('shares rate-limit counts', withStore(async (store) => {
    const [a, b] = [store.createRateLimiter(3, 60_000), store.createRateLimiter(3, 60_000)];
    const results = [await a.hit('k', T0), await b.hit('k', T0), await a.hit('k', T0), await b.hit('k', T0)];
    // Worker processes (SQLite) and instances (PostgreSQL) each make their own limiters.
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    await a.refund('k', T0);
    expect((await b.peek('k', T0)).remaining).toBe(0);
    expect((await b.hit('k', T0)).allowed).toBe(false);
    await b.reset('k');
    expect((await a.peek('k', T0)).remaining).toBe(3);
    expect((await a.hit('k', T0 + 60_001)).allowed).toBe(true);
  }));

  it('updates settings atomically and keeps them', withStore(async (store) => {
    await Promise.all(
      Array.from({ length: 10 }, () => store.updateSettings((s) => ({ ...s, session_lifetime: s.session_lifetime + 1 }))),
    );
    expect((await store.getSettings()).session_lifetime).toBe(82);
  }));
});
