import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { describeContract, T0, client } from './contract-harness.ts';
import type { TenantStore } from '../types.ts';

/**
 * The contract of settings, signing keys, secrets, locks and rate limits (TenantSettingsStore,
 * ./tenant-settings.ts), on every store (see ./contract-harness.ts).
 */
describeContract(({ withStore, withTwoInstances }) => {
  it(
    'agrees on one signing key however many instances add theirs',
    withStore(async (store) => {
      await Promise.all(
        ['k1', 'k2', 'k3'].map((kid) =>
          store.settings.addFirstSigningKey({ kid, privateJwk: '{}', publicJwk: '{}', created_at: T0 }),
        ),
      );
      expect((await store.settings.getSigningKeys()).map((k) => k.kid)).toHaveLength(1);
    }),
  );

  it(
    'shares rate-limit counts',
    withStore(async (store) => {
      const [a, b] = [store.settings.createRateLimiter(3, 60_000), store.settings.createRateLimiter(3, 60_000)];
      const results = [await a.hit('k', T0), await b.hit('k', T0), await a.hit('k', T0), await b.hit('k', T0)];
      // Worker processes (SQLite) and instances (PostgreSQL) each make their own limiters.
      expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
      await a.refund('k', T0);
      expect((await b.peek('k', T0)).remaining).toBe(0);
      expect((await b.hit('k', T0)).allowed).toBe(false);
      await b.reset('k');
      expect((await a.peek('k', T0)).remaining).toBe(3);
      expect((await a.hit('k', T0 + 60_001)).allowed).toBe(true);
    }),
  );

  it(
    'updates settings atomically and keeps them',
    withStore(async (store) => {
      await Promise.all(
        Array.from({ length: 10 }, () =>
          store.settings.updateSettings((s) => ({ ...s, session_lifetime: s.session_lifetime + 1 })),
        ),
      );
      expect((await store.settings.getSettings()).session_lifetime).toBe(82);
    }),
  );

  it(
    'runs one holder of a named lock at a time, on one instance and across instances, and answers what the holder returned',
    withTwoInstances(async (first, second) => {
      const log: string[] = [];
      const hold = (store: TenantStore, who: string) =>
        store.settings.exclusive('demo-seed', async () => {
          log.push(`${who} in`);
          // Long enough for every other caller to be waiting, had the lock let it in.
          await sleep(40);
          log.push(`${who} out`);
          return who;
        });
      expect(await Promise.all([hold(first, 'a'), hold(second, 'b'), hold(first, 'c'), hold(second, 'd')])).toEqual([
        'a',
        'b',
        'c',
        'd',
      ]);
      expect(log).toHaveLength(8);
      // Each holder left before the next came in.
      for (let i = 0; i < log.length; i += 2)
        expect([log[i], log[i + 1]]).toEqual([log[i], log[i]!.replace(' in', ' out')]);
    }),
  );

  it(
    'holds a lock by its name only: another name does not wait, and a holder that fails releases it',
    withTwoInstances(async (first, second) => {
      const within = <T>(promise: Promise<T>) =>
        Promise.race([promise, sleep(5_000).then(() => 'still waiting' as const)]);
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const held = first.settings.exclusive('bootstrap-client', async () => {
        entered();
        await released;
      });
      await inside;
      expect(await within(second.settings.exclusive('demo-seed', async () => 'ran'))).toBe('ran');
      release();
      await held;
      await expect(
        first.settings.exclusive('demo-seed', async () => {
          throw new Error('seed failed');
        }),
      ).rejects.toThrow('seed failed');
      expect(await within(second.settings.exclusive('demo-seed', async () => 'ran after the failure'))).toBe(
        'ran after the failure',
      );
    }),
  );

  it(
    'creates a named secret once: every caller, at once and on every instance, gets the one that was stored',
    withTwoInstances(async (first, second) => {
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 ? second : first).settings.getOrCreateSecret('cookie', () => `cookie-${i}`),
        ),
      );
      expect(answers[0]).toMatch(/^cookie-\d$/);
      expect(new Set(answers)).toEqual(new Set([answers[0]]));
      expect(await second.settings.getOrCreateSecret('cookie', () => 'a later one')).toBe(answers[0]);
      // Each name is a secret of its own.
      expect(await first.settings.getOrCreateSecret('instance-id', () => 'instance')).toBe('instance');
      expect(await first.settings.getOrCreateSecret('cookie', () => 'a later one')).toBe(answers[0]);
    }),
  );

  it(
    'remembers for good that the demo seed wrote the store, on every instance',
    withTwoInstances(async (first, second) => {
      expect(await first.settings.isDemo()).toBe(false);
      await first.settings.markDemo(T0);
      await second.settings.markDemo(T0 + 1);
      expect(await first.settings.isDemo()).toBe(true);
      expect(await second.settings.isDemo()).toBe(true);
      // Not a tenant's application: a marked store with no client is still empty for the seed.
      expect(await first.settings.isEmpty()).toBe(true);
    }),
  );

  it(
    'is empty until the tenant has an application; the Management API every start writes does not count',
    withStore(async (store) => {
      expect(await store.settings.isEmpty()).toBe(true);
      // A tenant first started without --demo already has this API: started with --demo later, it still seeds.
      await store.directory.putResourceServer({
        id: 'mgmt',
        identifier: 'https://tenant/api/v2/',
        name: 'Auth0 Management API',
        scopes: [],
        token_lifetime: 86_400,
        allow_offline_access: false,
        is_system: true,
      });
      expect(await store.settings.isEmpty()).toBe(true);
      await store.directory.putClient(client);
      expect(await store.settings.isEmpty()).toBe(false);
    }),
  );
});
