import { expect, it } from 'vitest';
import { randomSecret, sha256 } from '../../crypto/secrets.ts';
import { planExchange } from '../../domain/refresh-tokens.ts';
import { addressRange } from '@rtc/ip-intel';
import { describeContract, T0, mint, userRecord, exchange } from './contract-harness.ts';
import type { RefreshTokenSearch } from './refresh-tokens.ts';

/** The contract of refresh tokens (RefreshTokenStore, ./refresh-tokens.ts), on every store (see ./contract-harness.ts). */
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
    'counts the DPoP-bound tokens of each application, and a search keeps only the bound or only the bearer ones',
    withStore(async (store) => {
      await store.directory.createUser(userRecord('u1', 'u1@example.test'));
      const device = {
        initial_ip: '203.0.113.7',
        initial_asn: 'AS64500',
        initial_user_agent: 'okhttp/4',
        last_ip: '203.0.113.7',
        last_asn: 'AS64500',
        last_user_agent: 'okhttp/4',
      };
      const issue = async (dpop_jkt: string | null, client_id = 'app') => {
        const { record } = mint('u1', T0);
        await store.refreshTokens.issueRefreshToken({ ...record, client_id, device, dpop_jkt }, 1000);
        return record.id;
      };
      const bound = [await issue('jkt-1'), await issue('jkt-2')];
      const bearer = [await issue(null), await issue(null, 'web')];
      const revokedBound = await issue('jkt-3');
      await store.refreshTokens.revokeRefreshTokens([revokedBound], 'management_api', T0 + 1);
      expect(
        (await store.refreshTokens.summarizeRefreshTokensByClient(T0 + 100)).map((a) => [
          a.client_id,
          a.tokens,
          a.bound,
        ]),
      ).toEqual([
        ['app', 3, 2],
        ['web', 1, 0],
      ]);
      const found = async (filter: RefreshTokenSearch) =>
        (await store.refreshTokens.searchRefreshTokens(filter, T0 + 100, undefined, 100)).items.map((t) => t.id).sort();
      for (const by of [
        { asn: 'AS64500' },
        { ip: addressRange('203.0.113.7')! },
        { ip: addressRange('203.0.113.0/24')! },
        { client_id: 'app' },
        { user_agent: 'okhttp' },
      ]) {
        expect(await found({ ...by, dpop: 'bound' }), JSON.stringify(by)).toEqual([...bound].sort());
        expect(await found({ ...by }), JSON.stringify(by)).toHaveLength(by.client_id ? 3 : 4);
      }
      expect(await found({ asn: 'AS64500', dpop: 'bearer' })).toEqual([...bearer].sort());
      expect(await found({ client_id: 'app', dpop: 'bearer' })).toEqual([bearer[0]]);
      expect(
        await store.refreshTokens.countRefreshTokenSearch({ asn: 'AS64500', dpop: 'bound' }, T0 + 100, 10_000),
      ).toEqual({
        tokens: 2,
        users: 1,
        devices: 1,
        limited: false,
      });
      expect(
        (
          await store.refreshTokens.searchRefreshTokens({ asn: 'AS64500', dpop: 'bound' }, T0 + 100, undefined, 10)
        ).items
          .map((t) => t.dpop_jkt)
          .sort(),
      ).toEqual(['jkt-1', 'jkt-2']);
    }),
  );

  it(
    'searches live tokens across users by address or CIDR (initial or last), ASN, user agent, device name, application and last use, alone and combined, with totals',
    withStore(async (store) => {
      const device = (ip: string, asn: string, ua: string) => ({
        initial_ip: ip,
        initial_asn: asn,
        initial_user_agent: ua,
        last_ip: ip,
        last_asn: asn,
        last_user_agent: ua,
      });
      const issue = async (
        user_id: string,
        at: number,
        ip: string,
        asn: string,
        ua: string,
        extra: { device_name?: string; client_id?: string; expires_at?: number } = {},
      ) => {
        const { value, record } = mint(user_id, at, extra.device_name ? { device_name: extra.device_name } : {});
        await store.refreshTokens.issueRefreshToken(
          {
            ...record,
            device: device(ip, asn, ua),
            ...(extra.client_id ? { client_id: extra.client_id } : {}),
            ...(extra.expires_at ? { expires_at: extra.expires_at } : {}),
          },
          1000,
        );
        return { value, id: record.id };
      };
      for (const u of ['u1', 'u2', 'u3', 'u4']) await store.directory.createUser(userRecord(u, `${u}@example.test`));
      const a = await issue('u1', T0, '203.0.113.7', 'AS64500', 'Mozilla/5.0 (iPhone; 100%)', {
        device_name: "Alice's iPhone",
      });
      const b = await issue('u2', T0 + 1, '198.51.100.9', 'AS64501', 'curl/8.0', { device_name: 'Laptop' });
      const c = await issue('u3', T0 + 2, '2001:db8::5', 'AS64502', 'okhttp/4');
      // Stored in its ::ffff:-mapped form: found by the IPv4 address and network too.
      const d = await issue('u1', T0 + 3, '::ffff:203.0.113.8', 'AS64503', 'App/2', {
        device_name: "Alice's iPhone",
        client_id: 'other',
      });
      const revoked = await issue('u2', T0 + 4, '203.0.113.9', 'AS64500', 'Mozilla/5.0');
      await store.refreshTokens.revokeRefreshTokens([revoked.id], 'management_api', T0 + 5);
      await issue('u4', T0 + 5, '203.0.113.10', 'AS64500', 'Mozilla/5.0', { expires_at: T0 + 500 });
      // b moves: its last address, ASN and user agent are now in 203.0.113.0/24, AS64500, Android.
      const moved = await store.refreshTokens.rotateRefreshToken(
        sha256(b.value),
        T0 + 100,
        planExchange({
          clientId: 'app',
          now: T0 + 100,
          newSecretHash: sha256(randomSecret()),
          ip: '203.0.113.200',
          asn: 'AS64500',
          userAgent: 'Mozilla/5.0 (Android)',
          dpopJkt: null,
        }),
      );
      expect(moved.kind).toBe('exchanged');

      const now = T0 + 1000; // the token expiring at T0 + 500 is no longer live
      const range = (cidr: string) => addressRange(cidr)!;
      const found = async (filter: RefreshTokenSearch) =>
        (await store.refreshTokens.searchRefreshTokens(filter, now, undefined, 100)).items.map((t) => t.id);
      const ids = (...tokens: { id: string }[]) => tokens.map((t) => t.id).sort();

      expect(await found({ ip: range('203.0.113.7') })).toEqual(ids(a));
      expect(await found({ ip: range('203.0.113.0/24') })).toEqual(ids(a, b, d));
      expect(await found({ ip: range('::ffff:203.0.113.0/120') })).toEqual(ids(a, b, d));
      expect(await found({ ip: range('203.0.113.8') })).toEqual(ids(d));
      expect(await found({ ip: range('198.51.100.9') })).toEqual(ids(b)); // its initial address
      expect(await found({ ip: range('2001:db8::/32') })).toEqual(ids(c));
      expect(await found({ ip: range('2001:db9::/32') })).toEqual([]);
      expect(await found({ asn: 'AS64500' })).toEqual(ids(a, b));
      expect(await found({ asn: 'AS64501' })).toEqual(ids(b));
      expect(await found({ user_agent: 'mozilla' })).toEqual(ids(a, b));
      expect(await found({ user_agent: 'IPHONE' })).toEqual(ids(a));
      expect(await found({ user_agent: '100%' })).toEqual(ids(a));
      expect(await found({ user_agent: '%' })).toEqual(ids(a)); // a wildcard is taken literally
      expect(await found({ user_agent: '_' })).toEqual([]);
      expect(await found({ device_name: 'iphone' })).toEqual(ids(a, d));
      expect(await found({ client_id: 'other' })).toEqual(ids(d));
      expect(await found({ last_used_from: T0 + 50 })).toEqual(ids(b));
      expect(await found({ last_used_to: T0 + 2 })).toEqual(ids(a)); // exclusive: c was created at T0 + 2
      expect(await found({ last_used_from: T0 + 2, last_used_to: T0 + 4 })).toEqual(ids(c, d));
      // Combined: every condition holds.
      expect(await found({ ip: range('203.0.113.0/24'), asn: 'AS64500' })).toEqual(ids(a, b));
      expect(await found({ ip: range('203.0.113.0/24'), client_id: 'app' })).toEqual(ids(a, b));
      expect(await found({ ip: range('203.0.113.0/24'), user_agent: 'android' })).toEqual(ids(b));
      expect(await found({ ip: range('203.0.113.0/24'), device_name: 'iPhone', last_used_from: T0 + 3 })).toEqual(
        ids(d),
      );
      expect(await found({ asn: 'AS64500', last_used_from: T0 + 50 })).toEqual(ids(b));
      expect(await found({ asn: 'AS64500', user_agent: 'curl' })).toEqual(ids(b)); // initial UA, last ASN
      expect(await found({ asn: 'AS64503', client_id: 'app' })).toEqual([]);

      // What the API shows of each, and the device name.
      const [hit] = (
        await store.refreshTokens.searchRefreshTokens({ ip: range('198.51.100.0/24') }, now, undefined, 10)
      ).items;
      expect(hit).toMatchObject({
        id: b.id,
        user_id: 'u2',
        client_id: 'app',
        device_name: 'Laptop',
        created_at: T0 + 1,
        last_exchanged_at: T0 + 100,
        device: {
          initial_ip: '198.51.100.9',
          initial_asn: 'AS64501',
          initial_user_agent: 'curl/8.0',
          last_ip: '203.0.113.200',
          last_asn: 'AS64500',
          last_user_agent: 'Mozilla/5.0 (Android)',
        },
      });

      // Totals: u1's two tokens are one device ("Alice's iPhone"), u2's Laptop another.
      expect(await store.refreshTokens.countRefreshTokenSearch({ ip: range('203.0.113.0/24') }, now, 10_000)).toEqual({
        tokens: 3,
        users: 2,
        devices: 2,
        limited: false,
      });
      expect(await store.refreshTokens.countRefreshTokenSearch({ asn: 'AS64500' }, now, 10_000)).toEqual({
        tokens: 2,
        users: 2,
        devices: 2,
        limited: false,
      });
      expect(await store.refreshTokens.countRefreshTokenSearch({ user_agent: 'okhttp' }, now, 10_000)).toEqual({
        tokens: 1,
        users: 1,
        devices: 1,
        limited: false,
      });
      expect(await store.refreshTokens.countRefreshTokenSearch({ ip: range('10.0.0.0/8') }, now, 10_000)).toEqual({
        tokens: 0,
        users: 0,
        devices: 0,
        limited: false,
      });
      // The address indexes alone: initial or last in the range, each token once, no further than
      // limit + 1; unrevoked, expiry unchecked (the 4th, expired by now, counts; the revoked one does not).
      expect(await store.refreshTokens.countAddressCandidates(range('203.0.113.0/24'), 100)).toBe(4);
      expect(await store.refreshTokens.countAddressCandidates(range('203.0.113.0/24'), 1)).toBe(2);
      expect(await store.refreshTokens.countAddressCandidates(range('10.0.0.0/8'), 100)).toBe(0);
      // Counting stops past the limit: a filter matching everything costs that many rows.
      expect(await store.refreshTokens.countRefreshTokenSearch({ ip: range('203.0.113.0/24') }, now, 2)).toMatchObject({
        tokens: 2,
        limited: true,
      });
      expect(await store.refreshTokens.countRefreshTokenSearch({ ip: range('203.0.113.0/24') }, now, 3)).toMatchObject({
        tokens: 3,
        limited: false,
      });
      expect(await store.refreshTokens.countRefreshTokenSearch({ user_agent: 'o' }, now, 1)).toMatchObject({
        tokens: 1,
        limited: true,
      });
      // Before the expiring token expired, it was found too.
      expect(
        (await store.refreshTokens.countRefreshTokenSearch({ ip: range('203.0.113.0/24') }, T0 + 200, 10_000)).tokens,
      ).toBe(4);

      // An exchange from where the token already was writes no address column: still found there.
      const again = await store.refreshTokens.rotateRefreshToken(
        sha256(a.value),
        T0 + 900,
        planExchange({
          clientId: 'app',
          now: T0 + 900,
          newSecretHash: sha256(randomSecret()),
          ip: '203.0.113.7',
          asn: 'AS64500',
          userAgent: 'Mozilla/5.0 (iPhone; 100%)',
          dpopJkt: null,
        }),
      );
      expect(again.kind).toBe('exchanged');
      expect(await found({ ip: range('203.0.113.7') })).toEqual(ids(a));
      expect(await found({ asn: 'AS64500', last_used_from: T0 + 900 })).toEqual(ids(a));
    }),
  );

  it(
    'pages a search by checkpoint in id order with no gaps or repeats, matches by initial and by last address alike',
    withStore(async (store) => {
      const device = (ip: string) => ({
        initial_ip: ip,
        initial_asn: 'AS64500',
        initial_user_agent: 'A',
        last_ip: ip,
        last_asn: 'AS64500',
        last_user_agent: 'A',
      });
      const expected: string[] = [];
      for (let u = 0; u < 7; u++) await store.directory.createUser(userRecord(`u${u}`, `u${u}@example.test`));
      for (let i = 0; i < 30; i++) {
        const { value, record } = mint(`u${i % 7}`, T0 + i * 1000);
        // Even: issued in 10.1.1.0/24; odd: issued elsewhere, then exchanged from it; every third: noise outside.
        const inside = i % 3 !== 0;
        await store.refreshTokens.issueRefreshToken(
          { ...record, device: device(inside && i % 2 === 0 ? `10.1.1.${i}` : `192.0.2.${i}`) },
          1000,
        );
        if (inside && i % 2 === 1) {
          const now = T0 + i * 1000 + 1;
          await store.refreshTokens.rotateRefreshToken(
            sha256(value),
            now,
            planExchange({
              clientId: 'app',
              now,
              newSecretHash: sha256(randomSecret()),
              ip: `10.1.1.${i}`,
              asn: 'AS64500',
              userAgent: 'A',
              dpopJkt: null,
            }),
          );
        }
        if (inside) expected.push(record.id);
      }
      for (const filter of [
        { ip: addressRange('10.1.1.0/24')! },
        { asn: 'AS64500', ip: addressRange('10.1.0.0/16')! },
      ]) {
        const seen: string[] = [];
        let from: string | undefined;
        do {
          const page = await store.refreshTokens.searchRefreshTokens(filter, T0 + 100_000, from, 7);
          expect(page.items.length).toBeLessThanOrEqual(7);
          seen.push(...page.items.map((t) => t.id));
          from = page.next;
        } while (from);
        expect(seen).toEqual([...expected].sort());
        expect(await store.refreshTokens.countRefreshTokenSearch(filter, T0 + 100_000, 10_000)).toEqual({
          tokens: expected.length,
          users: 7,
          devices: 7,
          limited: false,
        });
      }
      // An ASN every token has: 30, paged the same way.
      const all: string[] = [];
      let from: string | undefined;
      do {
        const page = await store.refreshTokens.searchRefreshTokens({ asn: 'AS64500' }, T0 + 100_000, from, 8);
        all.push(...page.items.map((t) => t.id));
        from = page.next;
      } while (from);
      expect(all).toHaveLength(30);
      expect(new Set(all).size).toBe(30);
      expect(all).toEqual([...all].sort());
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
