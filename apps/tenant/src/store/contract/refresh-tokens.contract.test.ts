import { expect, it } from 'vitest';
import { sha256 } from '../../crypto/secrets.ts';
import { addressRange } from '@rtc/ip-intel';
import { tenantEvent } from '../../domain/tenant-log.ts';
import { describeContract, T0, mint, userRecord, exchange } from './contract-harness.ts';

/**
 * The contract of a refresh token's life (RefreshTokenStore, ./refresh-tokens.ts): issued, rotated,
 * revoked, its metadata, the bulk load; on every store (see ./contract-harness.ts).
 */
describeContract(({ withStore }) => {
  it(
    'rotates a secret once: the second presentation of the same secret is reuse',
    withStore(async (store) => {
      await store.directory.createUser(userRecord('u1', 'u1@example.test'));
      const { value, record } = mint('u1', T0);
      await store.refreshTokens.issueRefreshToken(record, 200);
      const outcomes = await Promise.all([exchange(store, value, T0 + 1), exchange(store, value, T0 + 1)]);
      expect(outcomes.map((o) => o.kind).sort()).toEqual(['exchanged', 'reuse-detected']);
      expect((await store.refreshTokens.getRefreshToken(record.id))!.revoked_reason).toBe('reuse_detected');
      // Ten at once, on as many connections as the store has: still one successor.
      const many = mint('u1', T0);
      await store.refreshTokens.issueRefreshToken(many.record, 200);
      const kinds = (await Promise.all(Array.from({ length: 10 }, () => exchange(store, many.value, T0 + 1)))).map(
        (o) => o.kind,
      );
      expect(kinds.filter((kind) => kind === 'exchanged')).toHaveLength(1);
      expect(kinds).toContain('reuse-detected');
    }),
  );

  it(
    'many presentations at once of a secret within its leeway all exchange, one after another: the last new secret is current',
    withStore(async (store) => {
      await store.directory.createUser(userRecord('u1', 'u1@example.test'));
      const { value, record } = mint('u1', T0);
      await store.refreshTokens.issueRefreshToken({ ...record, leeway: 60 }, 200);
      const present = (secret: string, newSecret: string) =>
        exchange(store, secret, T0 + 1, { newSecretHash: sha256(newSecret) });
      expect((await present(value, 'first')).kind).toBe('exchanged');
      // Twelve at once present the previous secret (within leeway): each replaces the current one.
      // On PostgreSQL most lose the optimistic write's race more than once and take the row lock.
      const successors = Array.from({ length: 12 }, (_, i) => `successor-${i}`);
      const outcomes = await Promise.all(successors.map((next) => present(value, next)));
      expect(outcomes.map((o) => o.kind)).toEqual(successors.map(() => 'exchanged'));
      const usable = async (secret: string) =>
        (await store.refreshTokens.findRefreshTokenBySecret(sha256(secret), T0 + 2))?.usable ?? false;
      expect(await usable(value)).toBe(true);
      expect(await usable('first')).toBe(false);
      const current = [];
      for (const next of successors) if (await usable(next)) current.push(next);
      expect(current).toHaveLength(1);
      expect((await store.refreshTokens.getRefreshToken(record.id))!.revoked_at).toBeNull();
    }),
  );

  it(
    'a rotation that fails after its first write leaves its token as it was, and the rotations beside it go through',
    withStore(async (store) => {
      await store.directory.createUser(userRecord('u1', 'u1@example.test'));
      const tokens = [mint('u1', T0), mint('u1', T0), mint('u1', T0)];
      for (const { record } of tokens) await store.refreshTokens.issueRefreshToken(record, 200);
      // The middle one's log entry reuses an id already in the log: its insert fails after the
      // token's row and new secret were written, which must be undone with it.
      const taken = tenantEvent({ type: 'sertft', description: 'already there', user_id: 'u1' }, T0);
      await store.events.addEvent(taken);
      const now = T0 + 1;
      const settled = await Promise.allSettled(
        tokens.map(({ value }, i) =>
          exchange(store, value, now, {
            newSecretHash: sha256(`next-${i}`),
            exchangeEvent: (token) => ({
              ...tenantEvent({ type: 'sertft', description: 'exchange', user_id: token.user_id }, now),
              ...(i === 1 ? { id: taken.id } : {}),
            }),
          }),
        ),
      );
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(settled.map((s) => (s.status === 'fulfilled' ? s.value.kind : 'failed'))).toEqual([
        'exchanged',
        'failed',
        'exchanged',
      ]);
      const usable = async (secret: string) =>
        (await store.refreshTokens.findRefreshTokenBySecret(sha256(secret), now))?.usable ?? false;
      expect([await usable('next-0'), await usable('next-1'), await usable('next-2')]).toEqual([true, false, true]);
      expect(await usable(tokens[1]!.value)).toBe(true);
      expect((await store.refreshTokens.getRefreshToken(tokens[1]!.record.id))!.last_exchanged_at).toBeNull();
      expect(await store.events.countEvents({ type: 'sertft' })).toBe(3);
    }),
  );

  it(
    "exchanges of a non-rotating token at once log the hour's first exchange once",
    withStore(async (store) => {
      await store.directory.createUser(userRecord('u1', 'u1@example.test'));
      const { value, record } = mint('u1', T0);
      await store.refreshTokens.issueRefreshToken({ ...record, rotating: false }, 200);
      // Ten reads at once first, so a pooled store has ten connections open: the exchanges below
      // then read together instead of queueing behind new connections.
      await Promise.all(Array.from({ length: 10 }, () => store.refreshTokens.getRefreshToken(record.id)));
      const now = T0 + 1;
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, () =>
          exchange(store, value, now, {
            exchangeEvent: (token) =>
              tenantEvent({ type: 'sertft', description: 'exchange', user_id: token.user_id }, now),
          }),
        ),
      );
      expect(outcomes.map((o) => o.kind)).toEqual(outcomes.map(() => 'exchanged'));
      expect(await store.events.countEvents({ type: 'sertft' })).toBe(1);
    }),
  );

  it(
    'refuses a token whose device name is over 255 characters, and stores nothing of it',
    withStore(async (store) => {
      await store.directory.createUser(userRecord('u1', 'u1@example.test'));
      const { value, record } = mint('u1', T0, { device_name: 'x'.repeat(256) });
      await expect(store.refreshTokens.issueRefreshToken(record, 200)).rejects.toThrow(/255/);
      expect(await store.refreshTokens.getRefreshToken(record.id)).toBeUndefined();
      expect(await store.refreshTokens.findRefreshTokenBySecret(sha256(value), T0)).toBeUndefined();
      const longest = mint('u1', T0, { device_name: 'x'.repeat(255) }).record;
      await store.refreshTokens.issueRefreshToken(longest, 200);
      expect((await store.refreshTokens.getRefreshToken(longest.id))!.device_name).toHaveLength(255);
    }),
  );

  it(
    'answers unknown for a secret it never issued',
    withStore(async (store) => {
      expect((await exchange(store, 'nope', T0)).kind).toBe('unknown');
      expect(await store.refreshTokens.findRefreshTokenBySecret(sha256('nope'), T0)).toBeUndefined();
    }),
  );

  it(
    'keeps the newest tokens within the entity limit',
    withStore(async (store) => {
      const records = [];
      for (let i = 0; i < 4; i++) {
        const { record } = mint('u1', T0 + i);
        records.push(record);
        const { revokedForLimit } = await store.refreshTokens.issueRefreshToken(record, 3);
        if (i === 3) expect(revokedForLimit).toEqual([records[0]!.id]);
      }
    }),
  );

  it(
    'counts toward the entity limit only live tokens: one a journaled revocation covers no longer counts',
    withStore(async (store) => {
      const [a, b, c] = [mint('u1', T0), mint('u1', T0 + 1), mint('u1', T0 + 2)];
      await store.refreshTokens.issueRefreshToken(a.record, 2);
      await store.refreshTokens.issueRefreshToken(b.record, 2);
      await store.revocationJournal.enqueueRevocations([
        {
          id: 'job-b',
          target: { kind: 'token', token_id: b.record.id },
          reason: 'management_api',
          requested_at: T0 + 1,
        },
      ]);
      // a and c are the user's live tokens: within the limit of 2, so none goes.
      expect(await store.refreshTokens.issueRefreshToken(c.record, 2)).toEqual({ revokedForLimit: [] });
      expect((await store.refreshTokens.getRefreshToken(a.record.id))!.revoked_at).toBeNull();
    }),
  );

  it(
    'answers each of many concurrent revocations with what it revoked (SQLite commits them as a group)',
    withStore(async (store) => {
      const tokens = [];
      for (let i = 0; i < 30; i++) {
        const token = mint('u1', T0 + i);
        await store.refreshTokens.issueRefreshToken(token.record, 1000);
        tokens.push(token);
      }
      const ids = tokens.map((t) => t.record.id);
      // Token 0 is asked for twice at once: exactly one caller revokes it.
      const answers = await Promise.all([
        store.refreshTokens.revokeRefreshTokens([ids[0]!], 'oauth_revoke', T0 + 100),
        ...ids
          .slice(1)
          .map((id) => store.refreshTokens.revokeRefreshTokens([id, 'rt_unknown'], 'oauth_revoke', T0 + 100)),
        store.refreshTokens.revokeRefreshTokens([ids[0]!], 'device_unlinked', T0 + 100),
      ]);
      expect(answers[0]).toEqual([ids[0]]);
      expect(answers.at(-1)).toEqual([]);
      for (const [i, id] of ids.slice(1).entries()) expect(answers[i + 1]).toEqual([id]);
      for (const token of tokens)
        expect((await store.refreshTokens.findRefreshTokenBySecret(sha256(token.value), T0 + 100))!.usable).toBe(false);
      expect((await store.refreshTokens.getRefreshToken(ids[0]!))!.revoked_reason).toBe('oauth_revoke');
    }),
  );

  it(
    "tells the rotation planner whether the token's user is active, blocked or gone, in the same transaction",
    withStore(async (store) => {
      const seen: string[] = [];
      const look = (value: string) =>
        store.refreshTokens.rotateRefreshToken(sha256(value), T0 + 1, (state) => {
          seen.push(state.user);
          return { kind: 'reject' };
        });
      const { value, record } = mint('u1', T0);
      await store.refreshTokens.issueRefreshToken(record, 200);
      await look(value);
      await store.directory.createUser(userRecord('u1', 'u1@example.test'));
      await look(value);
      await store.directory.updateUser({ ...userRecord('u1', 'u1@example.test'), blocked: true });
      await look(value);
      expect(seen).toEqual(['missing', 'active', 'blocked']);
    }),
  );

  it(
    "replaces a token's metadata and answers the token as it now is; an unknown id answers nothing",
    withStore(async (store) => {
      const { record } = mint('u1', T0);
      await store.refreshTokens.issueRefreshToken(record, 1000);
      const before = (await store.refreshTokens.getRefreshToken(record.id))!;
      expect(before.metadata).toEqual({});
      const updated = await store.refreshTokens.updateRefreshTokenMetadata(record.id, {
        device: 'kiosk',
        site: 'Berlin',
      });
      expect(updated).toEqual({ ...before, metadata: { device: 'kiosk', site: 'Berlin' } });
      expect(await store.refreshTokens.getRefreshToken(record.id)).toEqual(updated);
      // Replaced, not merged.
      expect((await store.refreshTokens.updateRefreshTokenMetadata(record.id, { site: 'Paris' }))!.metadata).toEqual({
        site: 'Paris',
      });
      expect(
        (await store.refreshTokens.listRefreshTokenSummaries({ user_id: 'u1' }, T0, undefined, 10)).items[0]!.metadata,
      ).toEqual({
        site: 'Paris',
      });
      expect((await store.refreshTokens.updateRefreshTokenMetadata(record.id, {}))!.metadata).toEqual({});
      expect(await store.refreshTokens.updateRefreshTokenMetadata('rt_unknown', { site: 'Paris' })).toBeUndefined();
    }),
  );

  it(
    "bulk-loads with the tokens' indexes built at the end: what it loaded is listed and searched, even when the load fails",
    withStore(async (store) => {
      const device = {
        initial_ip: '10.30.0.1',
        initial_asn: 'AS64520',
        initial_user_agent: 'Gen/2',
        last_ip: '10.30.0.1',
        last_asn: 'AS64520',
        last_user_agent: 'Gen/2',
      };
      await store.directory.createUser(userRecord('load|1', 'load1@example.test'));
      const batch = (from: number) =>
        Array.from({ length: 5 }, (_, i) => mint('load|1', T0 + from + i, { device_name: 'Phone' }));
      const loaded = [...batch(0), ...batch(5)];
      expect(
        await store.bulkLoad(async () => {
          await store.bulkImport({
            users: [],
            grants: [],
            tokens: loaded.slice(0, 5).map((t) => ({ ...t.record, device })),
          });
          await store.bulkImport({
            users: [],
            grants: [],
            tokens: loaded.slice(5).map((t) => ({ ...t.record, device })),
          });
          return 'done';
        }),
      ).toBe('done');
      const listed = await store.refreshTokens.listRefreshTokenSummaries(
        { user_id: 'load|1' },
        T0 + 100,
        undefined,
        50,
      );
      expect(listed.items.map((t) => t.id).sort()).toEqual(loaded.map((t) => t.record.id).sort());
      expect((await store.refreshTokens.countRefreshTokenSearch({ asn: 'AS64520' }, T0 + 100, 100)).tokens).toBe(10);

      // A load that fails: its error reaches the caller, what it imported stays, and the store
      // goes on as before (a token issued and revoked after it is indexed like any other).
      const more = batch(10);
      await expect(
        store.bulkLoad(async () => {
          await store.bulkImport({ users: [], grants: [], tokens: more.map((t) => ({ ...t.record, device })) });
          throw new Error('the generator failed');
        }),
      ).rejects.toThrow('the generator failed');
      expect(await store.refreshTokens.countLiveRefreshTokens({ user_id: 'load|1' }, T0 + 100)).toBe(15);
      await store.refreshTokens.revokeRefreshTokens([more[0]!.record.id], 'management_api', T0 + 100);
      expect(await store.refreshTokens.countLiveRefreshTokens({ user_id: 'load|1' }, T0 + 100)).toBe(14);
      expect((await store.refreshTokens.countRefreshTokenSearch({ asn: 'AS64520' }, T0 + 100, 100)).tokens).toBe(14);
    }),
  );

  it(
    'bulk-imports users, grants and tokens as issued ones, with no entity limit',
    withStore(async (store) => {
      const device = {
        initial_ip: '10.20.0.1',
        initial_asn: 'AS64510',
        initial_user_agent: 'Gen/1',
        last_ip: '10.20.0.1',
        last_asn: 'AS64510',
        last_user_agent: 'Gen/1',
      };
      const users = [userRecord('gen|1', 'gen1@example.test'), userRecord('gen|2', 'gen2@example.test')];
      const grant = {
        id: 'g-gen',
        user_id: 'gen|1',
        client_id: 'app',
        audience: 'https://api/',
        scope: ['offline_access'],
        created_at: T0,
        updated_at: T0,
      };
      // More than any entity limit would keep for one user and application.
      const tokens = Array.from({ length: 12 }, (_, i) =>
        mint('gen|1', T0 + i, { grant_id: 'g-gen', device_name: 'Phone' }),
      );
      await store.bulkImport({ users, grants: [grant], tokens: tokens.map((t) => ({ ...t.record, device })) });
      expect(await store.directory.getUser('gen|1')).toEqual(users[0]);
      expect((await store.directory.getUserByEmail('GEN2@example.test'))!.user_id).toBe('gen|2');
      expect(await store.directory.getGrant('g-gen')).toEqual(grant);
      expect(await store.refreshTokens.countLiveRefreshTokens({ user_id: 'gen|1' }, T0 + 100)).toBe(12);
      for (const t of tokens)
        expect((await store.refreshTokens.findRefreshTokenBySecret(sha256(t.value), T0 + 100))!.usable).toBe(true);
      // Found by address as an issued token is (the address keys are written too).
      expect(
        await store.refreshTokens.countRefreshTokenSearch({ ip: addressRange('10.20.0.0/16')! }, T0 + 100, 100),
      ).toEqual({
        tokens: 12,
        users: 1,
        devices: 1,
        limited: false,
      });
      // And live like one: an exchange rotates it, deleting the grant revokes them all.
      expect((await exchange(store, tokens[0]!.value, T0 + 100)).kind).toBe('exchanged');
      await store.directory.deleteGrant('g-gen', { id: 'job-gen', now: T0 + 200 });
      expect(await store.refreshTokens.countLiveRefreshTokens({ user_id: 'gen|1' }, T0 + 200)).toBe(0);
    }),
  );
});
