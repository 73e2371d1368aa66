import { expect, it } from 'vitest';
import { randomSecret, sha256 } from '../../crypto/secrets.ts';
import { planExchange } from '../../domain/refresh-tokens.ts';
import { addressRange } from '@rtc/ip-intel';
import { describeContract, T0, mint, userRecord } from './contract-harness.ts';
import type { RefreshTokenSearch } from './refresh-tokens.ts';

/**
 * The contract of search across users (RefreshTokenStore, ./refresh-tokens.ts): by address, ASN,
 * device, application, DPoP binding, paged by checkpoint; on every store (see ./contract-harness.ts).
 */
describeContract(({ withStore }) => {
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
    'searches live tokens across users by address or CIDR (initial or last), ASN, user agent, device name, ' +
      'application and last use, alone and combined, with totals',
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
});
