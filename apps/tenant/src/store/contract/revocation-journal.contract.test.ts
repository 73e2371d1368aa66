import { expect, it } from 'vitest';
import { sha256 } from '../../crypto/secrets.ts';
import { ids } from '../../domain/ids.ts';
import { describeContract, T0, mint, exchange } from './contract-harness.ts';

/** The contract of bulk revocations (RevocationJournalStore, ./revocation-journal.ts), on every store (see ./contract-harness.ts). */
describeContract(({ withStore }) => {
  it(
    'a journaled revocation covers existing tokens at once and not tokens issued after it',
    withStore(async (store) => {
      const before = mint('u1', T0);
      await store.refreshTokens.issueRefreshToken(before.record, 200);
      await store.revocationJournal.enqueueRevocations([
        {
          id: ids.revocationJob(T0),
          target: { kind: 'user', user_id: 'u1' },
          reason: 'user_tokens_revoked',
          requested_at: T0,
        },
      ]);
      const after = mint('u1', T0);
      await store.refreshTokens.issueRefreshToken(after.record, 200);
      expect((await store.refreshTokens.findRefreshTokenBySecret(sha256(before.value), T0))!.usable).toBe(false);
      expect((await exchange(store, before.value, T0)).kind).toBe('rejected');
      expect((await store.refreshTokens.findRefreshTokenBySecret(sha256(after.value), T0))!.usable).toBe(true);
    }),
  );

  it(
    'journals several revocations in one call: each in force at once, each its own job',
    withStore(async (store) => {
      const tokens = Array.from({ length: 3 }, (_, i) => mint('u1', T0 + i));
      const spared = mint('u1', T0 + 5);
      for (const t of [...tokens, spared]) await store.refreshTokens.issueRefreshToken(t.record, 200);
      await store.revocationJournal.enqueueRevocations(
        tokens.map((t, i) => ({
          id: `job-many-${i}`,
          target: { kind: 'token', token_id: t.record.id },
          reason: 'management_api',
          requested_at: T0,
        })),
      );
      for (const t of tokens)
        expect((await store.refreshTokens.findRefreshTokenBySecret(sha256(t.value), T0))!.usable).toBe(false);
      expect((await store.refreshTokens.findRefreshTokenBySecret(sha256(spared.value), T0))!.usable).toBe(true);
      expect((await store.revocationJournal.listRevocationJobs()).map((j) => j.id).sort()).toEqual([
        'job-many-0',
        'job-many-1',
        'job-many-2',
      ]);
    }),
  );

  it(
    'processes a revocation job in batches and deletes it when done',
    withStore(async (store) => {
      for (let i = 0; i < 25; i++)
        await store.refreshTokens.issueRefreshToken(
          mint('u1', T0 + i, { device_name: i % 2 ? 'phone' : 'tablet' }).record,
          1000,
        );
      await store.refreshTokens.issueRefreshToken(mint('u2', T0).record, 1000);
      await store.revocationJournal.enqueueRevocations([
        {
          id: 'job1',
          target: { kind: 'device', user_id: 'u1', device_name: 'phone' },
          reason: 'device_unlinked',
          requested_at: T0,
        },
      ]);
      const batches = [];
      for (;;) {
        const batch = await store.revocationJournal.processRevocationBatch('job1', 5, T0 + 100, {
          owner: 'me',
          leaseMs: 1000,
        });
        batches.push(batch.revoked);
        if (batch.done) break;
      }
      expect(batches.reduce((a, b) => a + b, 0)).toBe(12);
      expect(await store.revocationJournal.listRevocationJobs()).toEqual([]);
      expect(await store.refreshTokens.countLiveRefreshTokens({ user_id: 'u1' }, T0 + 100)).toBe(13);
      expect(await store.refreshTokens.countLiveRefreshTokens({ user_id: 'u2' }, T0 + 100)).toBe(1);
    }),
  );

  it(
    "an application-wide revocation covers every user's tokens of that client (of one audience when given) at once, then in batches",
    withStore(async (store) => {
      const of = (user_id: string, client_id: string, audience: string) => {
        const minted = mint(user_id, T0);
        return { value: minted.value, record: { ...minted.record, client_id, audience } };
      };
      const covered = [of('u1', 'app', 'https://api/'), of('u2', 'app', 'https://api/')];
      const spared = [of('u1', 'app', 'https://other/'), of('u1', 'web', 'https://api/')];
      for (const t of [...covered, ...spared]) await store.refreshTokens.issueRefreshToken(t.record, 1000);
      await store.revocationJournal.enqueueRevocations([
        {
          id: 'job-app',
          target: { kind: 'client', client_id: 'app', audience: 'https://api/' },
          reason: 'client_tokens_revoked',
          requested_at: T0,
        },
      ]);
      expect((await store.revocationJournal.listRevocationJobs())[0]!.target).toEqual({
        kind: 'client',
        client_id: 'app',
        audience: 'https://api/',
      });
      for (const t of covered)
        expect((await store.refreshTokens.findRefreshTokenBySecret(sha256(t.value), T0))!.usable).toBe(false);
      for (const t of spared)
        expect((await store.refreshTokens.findRefreshTokenBySecret(sha256(t.value), T0))!.usable).toBe(true);
      while (
        !(await store.revocationJournal.processRevocationBatch('job-app', 1, T0 + 1, { owner: 'me', leaseMs: 1000 }))
          .done
      );
      for (const t of covered)
        expect((await store.refreshTokens.getRefreshToken(t.record.id))!.revoked_reason).toBe('client_tokens_revoked');
      for (const t of spared) expect((await store.refreshTokens.getRefreshToken(t.record.id))!.revoked_at).toBeNull();
    }),
  );

  it(
    'an application-wide revocation given issued_through covers the tokens the summary counted, none issued after',
    withStore(async (store) => {
      const counted = mint('u1', T0);
      await store.refreshTokens.issueRefreshToken({ ...counted.record, client_id: 'app' }, 1000);
      const [app] = await store.refreshTokens.summarizeRefreshTokensByClient(T0);
      const later = mint('u2', T0);
      await store.refreshTokens.issueRefreshToken({ ...later.record, client_id: 'app' }, 1000);
      await store.revocationJournal.enqueueRevocations([
        {
          id: 'job-through',
          target: { kind: 'client', client_id: 'app' },
          reason: 'client_tokens_revoked',
          requested_at: T0,
          issued_through: app!.issued_through,
        },
      ]);
      expect((await store.refreshTokens.findRefreshTokenBySecret(sha256(counted.value), T0))!.usable).toBe(false);
      expect((await store.refreshTokens.findRefreshTokenBySecret(sha256(later.value), T0))!.usable).toBe(true);
      while (
        !(
          await store.revocationJournal.processRevocationBatch('job-through', 10, T0 + 1, {
            owner: 'me',
            leaseMs: 1000,
          })
        ).done
      );
      expect(await store.refreshTokens.countLiveRefreshTokens({ client_id: 'app' }, T0 + 1)).toBe(1);
    }),
  );

  it(
    'listings, counts, summaries and searches leave out what a journaled revocation covers, before its rows are marked',
    withStore(async (store) => {
      const app = (user_id: string, device_name: string) => ({
        ...mint(user_id, T0, { device_name }).record,
        client_id: 'app',
      });
      const web = { ...mint('u1', T0, { device_name: 'laptop' }).record, client_id: 'web' };
      const covered = [app('u1', 'phone'), app('u2', 'tablet')];
      for (const t of [...covered, web]) await store.refreshTokens.issueRefreshToken(t, 1000);
      await store.revocationJournal.enqueueRevocations([
        {
          id: 'job-pending',
          target: { kind: 'client', client_id: 'app' },
          reason: 'client_tokens_revoked',
          requested_at: T0,
        },
      ]);
      const issuedAfter = app('u2', 'tablet');
      await store.refreshTokens.issueRefreshToken(issuedAfter, 1000);
      // Nothing marked yet: the worker has not run.
      expect((await store.refreshTokens.getRefreshToken(covered[0]!.id))!.revoked_at).toBeNull();
      const now = T0 + 1;
      expect(
        (await store.refreshTokens.listRefreshTokens({ user_id: 'u1' }, now, undefined, 50)).items.map((t) => t.id),
      ).toEqual([web.id]);
      expect(
        (await store.refreshTokens.listRefreshTokenSummaries({ user_id: 'u2' }, now, undefined, 50)).items.map(
          (t) => t.id,
        ),
      ).toEqual([issuedAfter.id]);
      expect((await store.refreshTokens.pageRefreshTokens({ user_id: 'u1' }, now, 0, 50)).total).toBe(1);
      expect(await store.refreshTokens.countLiveRefreshTokens({ client_id: 'app' }, now)).toBe(1);
      expect(
        (await store.refreshTokens.summarizeRefreshTokensByClient(now)).map((a) => [a.client_id, a.tokens, a.users]),
      ).toEqual([
        ['app', 1, 1],
        ['web', 1, 1],
      ]);
      expect(await store.refreshTokens.listRefreshTokenUsersOfClient('app', now, 10)).toEqual([
        { user_id: 'u2', tokens: 1 },
      ]);
      expect(
        (await store.refreshTokens.searchRefreshTokens({ client_id: 'app' }, now, undefined, 50)).items.map(
          (t) => t.id,
        ),
      ).toEqual([issuedAfter.id]);
      expect((await store.refreshTokens.countRefreshTokenSearch({ client_id: 'app' }, now, 10_000)).tokens).toBe(1);
      // Marked later, the same answers.
      while (
        !(await store.revocationJournal.processRevocationBatch('job-pending', 1, now, { owner: 'me', leaseMs: 1000 }))
          .done
      );
      expect(await store.refreshTokens.countLiveRefreshTokens({ client_id: 'app' }, now)).toBe(1);
      expect((await store.refreshTokens.getRefreshToken(covered[0]!.id))!.revoked_reason).toBe('client_tokens_revoked');
    }),
  );

  it(
    'leases a revocation job to one instance until its lease lapses',
    withStore(async (store) => {
      for (let i = 0; i < 10; i++) await store.refreshTokens.issueRefreshToken(mint('u1', T0 + i).record, 1000);
      await store.revocationJournal.enqueueRevocations([
        { id: 'job2', target: { kind: 'user', user_id: 'u1' }, reason: 'user_tokens_revoked', requested_at: T0 },
      ]);
      expect(
        await store.revocationJournal.processRevocationBatch('job2', 3, T0, { owner: 'a', leaseMs: 1000 }),
      ).toEqual({
        revoked: 3,
        done: false,
        claimed: true,
      });
      expect(
        await store.revocationJournal.processRevocationBatch('job2', 3, T0 + 500, { owner: 'b', leaseMs: 1000 }),
      ).toEqual({
        revoked: 0,
        done: false,
        claimed: false,
      });
      expect((await store.revocationJournal.listRevocationJobs())[0]).toMatchObject({
        claimed_by: 'a',
        revoked_count: 3,
      });
      // a died: once its lease lapses, b takes over and finishes.
      expect(
        await store.revocationJournal.processRevocationBatch('job2', 100, T0 + 1001, { owner: 'b', leaseMs: 1000 }),
      ).toEqual({
        revoked: 7,
        done: true,
        claimed: true,
      });
      expect(await store.refreshTokens.countLiveRefreshTokens({ user_id: 'u1' }, T0 + 2000)).toBe(0);
    }),
  );
});
