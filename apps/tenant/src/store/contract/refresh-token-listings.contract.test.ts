import { expect, it } from 'vitest';
import { describeContract, T0, mint, userRecord } from './contract-harness.ts';

/**
 * The contract of refresh-token listings (RefreshTokenStore, ./refresh-tokens.ts): summaries per
 * application, a user's live, revoked and past tokens; on every store (see ./contract-harness.ts).
 */
describeContract(({ withStore }) => {
  it(
    'summarizes live tokens per application: tokens, users, devices, and the users with the most',
    withStore(async (store) => {
      const of = (
        user_id: string,
        client_id: string,
        device_name: string | null,
        extra: { expires_at?: number } = {},
      ) => {
        const { record } = mint(user_id, T0, device_name ? { device_name } : {});
        return { ...record, client_id, ...extra };
      };
      const tokens = [
        of('u1', 'app', 'Phone'),
        of('u1', 'app', 'Phone'),
        of('u1', 'app', 'Laptop'),
        of('u1', 'app', null),
        of('u2', 'app', 'Phone'),
        of('u2', 'app', null),
        of('u2', 'app', null),
        of('u3', 'app', 'Tablet'),
        of('u1', 'web', 'Phone'),
        of('u4', 'app', 'Watch', { expires_at: T0 + 10 }),
      ];
      for (const t of tokens) await store.refreshTokens.issueRefreshToken(t, 1000);
      const revoked = of('u5', 'app', 'Old');
      await store.refreshTokens.issueRefreshToken(revoked, 1000);
      await store.refreshTokens.revokeRefreshTokens([revoked.id], 'management_api', T0 + 1);
      // u1: Phone, Laptop, unnamed; u2: Phone, unnamed; u3: Tablet. The expired and the revoked tokens do not count.
      const summary = await store.refreshTokens.summarizeRefreshTokensByClient(T0 + 100);
      expect(summary).toEqual([
        { client_id: 'app', tokens: 8, users: 3, devices: 6, bound: 0, issued_through: expect.any(Number) },
        { client_id: 'web', tokens: 1, users: 1, devices: 1, bound: 0, issued_through: expect.any(Number) },
      ]);
      // The newest live token of each: app's (u3's Tablet) was issued before web's.
      expect(summary[0]!.issued_through).toBeLessThan(summary[1]!.issued_through);
      expect(await store.refreshTokens.summarizeRefreshTokensByClient(T0 + 100, 'web')).toEqual([
        { client_id: 'web', tokens: 1, users: 1, devices: 1, bound: 0, issued_through: summary[1]!.issued_through },
      ]);
      expect(await store.refreshTokens.summarizeRefreshTokensByClient(T0 + 100, 'nobody')).toEqual([]);
      expect(await store.refreshTokens.listRefreshTokenUsersOfClient('app', T0 + 100, 2)).toEqual([
        { user_id: 'u1', tokens: 4 },
        { user_id: 'u2', tokens: 3 },
      ]);
      expect(await store.refreshTokens.listRefreshTokenUsersOfClient('app', T0 + 100, 10)).toEqual([
        { user_id: 'u1', tokens: 4 },
        { user_id: 'u2', tokens: 3 },
        { user_id: 'u3', tokens: 1 },
      ]);
    }),
  );

  it(
    'pages live tokens by checkpoint in id order with no gaps or repeats',
    withStore(async (store) => {
      const issued = [];
      for (let i = 0; i < 23; i++) {
        const { record } = mint('u1', T0 + i * 1000);
        issued.push(record.id);
        await store.refreshTokens.issueRefreshToken(record, 1000);
      }
      const seen: string[] = [];
      let from: string | undefined;
      do {
        const page = await store.refreshTokens.listRefreshTokens({ user_id: 'u1' }, T0, from, 10);
        seen.push(...page.items.map((t) => t.id));
        from = page.next;
      } while (from);
      expect(seen).toEqual([...issued].sort());
    }),
  );

  it(
    "lists a user's live tokens for the Management API: the columns it shows, by checkpoint, of one application when asked, none once the user is gone",
    withStore(async (store) => {
      const device = {
        initial_ip: '192.0.2.1',
        initial_asn: 'AS64500',
        initial_user_agent: 'App/1',
        last_ip: '192.0.2.1',
        last_asn: 'AS64500',
        last_user_agent: 'App/1',
      };
      const issued: string[] = [];
      for (let i = 0; i < 12; i++) {
        const { record } = mint('u1', T0 + i * 1000, { session_id: i === 0 ? 's1' : undefined });
        const token = { ...record, client_id: i % 3 === 0 ? 'other' : 'app', ...(i === 1 ? { device } : {}) };
        await store.refreshTokens.issueRefreshToken(token, 1000);
        issued.push(token.id);
      }
      const revoked = mint('u1', T0);
      await store.refreshTokens.issueRefreshToken(revoked.record, 1000);
      await store.refreshTokens.revokeRefreshTokens([revoked.record.id], 'management_api', T0);
      await store.refreshTokens.issueRefreshToken({ ...mint('u1', T0).record, expires_at: T0 + 10 }, 1000);
      await store.refreshTokens.issueRefreshToken(mint('u2', T0).record, 1000);
      const now = T0 + 60_000;

      const all = async (filter: { user_id: string; client_id?: string }, options?: { userMustExist?: boolean }) => {
        const seen = [];
        let from: string | undefined;
        do {
          const page = await store.refreshTokens.listRefreshTokenSummaries(filter, now, from, 5, options);
          seen.push(...page.items);
          from = page.next;
        } while (from);
        return seen;
      };
      const listed = await all({ user_id: 'u1' });
      expect(listed.map((t) => t.id)).toEqual([...issued].sort());
      // Each field as the full record reads back, and nothing else (no hashes, scope or audience).
      for (const summary of listed) {
        const record = (await store.refreshTokens.getRefreshToken(summary.id))!;
        expect(summary).toStrictEqual({
          id: record.id,
          user_id: record.user_id,
          client_id: record.client_id,
          session_id: record.session_id,
          rotating: record.rotating,
          resource_servers: record.resource_servers,
          metadata: record.metadata,
          created_at: record.created_at,
          expires_at: record.expires_at,
          idle_expires_at: record.idle_expires_at,
          last_exchanged_at: record.last_exchanged_at,
          device: record.device,
          dpop_jkt: record.dpop_jkt,
        });
      }
      expect(listed.find((t) => t.id === issued[1])!.device).toEqual(device);
      expect(listed.find((t) => t.id === issued[0])).toMatchObject({ session_id: 's1', rotating: true, metadata: {} });
      expect((await all({ user_id: 'u1', client_id: 'other' })).map((t) => t.id)).toEqual(
        issued.filter((_, i) => i % 3 === 0).sort(),
      );
      expect(await all({ user_id: 'u1', client_id: 'nobody' })).toEqual([]);
      // The same page as listRefreshTokens, checkpoint for checkpoint.
      const first = await store.refreshTokens.listRefreshTokenSummaries({ user_id: 'u1' }, now, undefined, 5);
      const full = await store.refreshTokens.listRefreshTokens({ user_id: 'u1' }, now, undefined, 5);
      expect({ ids: first.items.map((t) => t.id), next: first.next }).toEqual({
        ids: full.items.map((t) => t.id),
        next: full.next,
      });

      expect(await all({ user_id: 'u1' }, { userMustExist: true })).toEqual([]);
      await store.directory.createUser(userRecord('u1', 'u1@example.test'));
      expect(await all({ user_id: 'u1' }, { userMustExist: true })).toEqual(listed);
      expect(await all({ user_id: 'u1', client_id: 'other' }, { userMustExist: true })).toHaveLength(4);
      await store.directory.deleteUser('u1', { id: 'job-u1', now });
      expect(await all({ user_id: 'u1' }, { userMustExist: true })).toEqual([]);
      // The deletion journaled the revocation of the user's tokens: not listed, marked or not.
      expect(await all({ user_id: 'u1' })).toEqual([]);
      expect((await store.refreshTokens.getRefreshToken(issued[0]!))!.revoked_at).toBeNull();
    }),
  );

  it(
    "lists a user's revoked tokens since a time, the latest revoked first, with why, at most the limit",
    withStore(async (store) => {
      const issue = async (user_id: string) => {
        const { record } = mint(user_id, T0);
        await store.refreshTokens.issueRefreshToken(record, 1000);
        return record.id;
      };
      const [a, b, c, live, other] = [
        await issue('u1'),
        await issue('u1'),
        await issue('u1'),
        await issue('u1'),
        await issue('u2'),
      ];
      await store.refreshTokens.revokeRefreshTokens([a!], 'management_api', T0 + 10);
      await store.refreshTokens.revokeRefreshTokens([b!], 'device_unlinked', T0 + 30);
      await store.refreshTokens.revokeRefreshTokens([c!], 'oauth_revoke', T0 + 20);
      await store.refreshTokens.revokeRefreshTokens([other!], 'management_api', T0 + 40);
      const revoked = async (since: number, limit = 10) =>
        (await store.refreshTokens.listRevokedRefreshTokens('u1', since, limit)).map((t) => [
          t.id,
          t.revoked_at,
          t.revoked_reason,
        ]);
      expect(await revoked(T0)).toEqual([
        [b, T0 + 30, 'device_unlinked'],
        [c, T0 + 20, 'oauth_revoke'],
        [a, T0 + 10, 'management_api'],
      ]);
      expect(await revoked(T0 + 20)).toEqual([
        [b, T0 + 30, 'device_unlinked'],
        [c, T0 + 20, 'oauth_revoke'],
      ]);
      expect(await revoked(T0, 1)).toEqual([[b, T0 + 30, 'device_unlinked']]);
      expect((await store.refreshTokens.listRevokedRefreshTokens('u1', T0, 10)).map((t) => t.id)).not.toContain(live);
      expect(await store.refreshTokens.listRevokedRefreshTokens('u3', T0, 10)).toEqual([]);
    }),
  );

  it(
    "lists a user's token history newest first: revoked and expired tokens too, narrowed by the filter, paged with the total",
    withStore(async (store) => {
      const issue = async (user_id: string, at: number, extra: { client_id?: string; expires_at?: number } = {}) => {
        const token = { ...mint(user_id, at).record, ...extra };
        await store.refreshTokens.issueRefreshToken(token, 1000);
        return token.id;
      };
      const oldest = await issue('u1', T0);
      const revoked = await issue('u1', T0 + 1000);
      const expired = await issue('u1', T0 + 2000, { expires_at: T0 + 2500 });
      const newest = await issue('u1', T0 + 3000, { client_id: 'other' });
      await issue('u2', T0 + 4000);
      await store.refreshTokens.revokeRefreshTokens([revoked], 'management_api', T0 + 1500);
      // Covered by a journaled revocation, not yet marked: history shows every row.
      await store.revocationJournal.enqueueRevocations([
        {
          id: 'job-history',
          target: { kind: 'token', token_id: oldest },
          reason: 'management_api',
          requested_at: T0 + 3500,
        },
      ]);
      const history = async (filter: { user_id: string; client_id?: string }, page = 0, perPage = 10) => {
        const { items, total } = await store.refreshTokens.listRefreshTokensHistory(filter, page, perPage);
        return { ids: items.map((t) => t.id), total };
      };
      expect(await history({ user_id: 'u1' })).toEqual({ ids: [newest, expired, revoked, oldest], total: 4 });
      expect(await history({ user_id: 'u1' }, 0, 3)).toEqual({ ids: [newest, expired, revoked], total: 4 });
      expect(await history({ user_id: 'u1' }, 1, 3)).toEqual({ ids: [oldest], total: 4 });
      expect(await history({ user_id: 'u1', client_id: 'app' })).toEqual({ ids: [expired, revoked, oldest], total: 3 });
      expect(await history({ user_id: 'u3' })).toEqual({ ids: [], total: 0 });
      // The full records, as getRefreshToken reads them (the revocation visible).
      const { items } = await store.refreshTokens.listRefreshTokensHistory({ user_id: 'u1' }, 0, 10);
      for (const token of items) expect(token).toEqual(await store.refreshTokens.getRefreshToken(token.id));
      expect(items[2]).toMatchObject({ id: revoked, revoked_at: T0 + 1500, revoked_reason: 'management_api' });
    }),
  );
});
