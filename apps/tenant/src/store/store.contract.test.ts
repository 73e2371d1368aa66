import { describe, expect, it } from 'vitest';
import { randomSecret, sha256 } from '../crypto/secrets.ts';
import { ids } from '../domain/ids.ts';
import { mintRefreshToken, planExchange } from '../domain/refresh-tokens.ts';
import { newSession } from '../domain/sso-session.ts';
import { DEFAULT_REFRESH_TOKEN_POLICY } from '../domain/defaults.ts';
import { PostgresStore } from './postgres/postgres-store.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import { postgresForTests } from '../../test/postgres.ts';
import { addressRange } from '@rtc/ip-intel';
import type { ClientRecord, RefreshTokenSearch, SessionSearch, TenantStore, UserRecord } from './types.ts';

/**
 * One contract, every store. A new store joins by adding a factory here; a store that
 * cannot run (no server reachable) is reported as skipped with the reason.
 */
const postgres = await postgresForTests();
export const STORES: { name: string; open: () => Promise<TenantStore>; skip?: string }[] = [
  { name: 'sqlite', open: async () => new SqliteStore(':memory:') },
  {
    name: 'postgres',
    open: async () => postgres.track(await PostgresStore.open(postgres.url, { schema: postgres.schema() })),
    ...(postgres.skip ? { skip: postgres.skip } : {}),
  },
];

const T0 = Date.UTC(2026, 0, 1);
const client: ClientRecord = {
  client_id: 'app',
  name: 'App',
  description: '',
  app_type: 'native',
  client_secret_hash: null,
  token_endpoint_auth_method: 'none',
  callbacks: [],
  allowed_logout_urls: [],
  grant_types: ['refresh_token'],
  refresh_token: { ...DEFAULT_REFRESH_TOKEN_POLICY, rotation_type: 'rotating', expiration_type: 'expiring', infinite_token_lifetime: false, infinite_idle_token_lifetime: false },
  is_first_party: true,
  created_at: T0,
  updated_at: T0,
};

function mint(user_id: string, now: number, extra: { grant_id?: string; session_id?: string; device_name?: string } = {}) {
  return mintRefreshToken({
    client,
    user_id,
    grant_id: extra.grant_id ?? null,
    session_id: extra.session_id ?? null,
    device_name: extra.device_name ?? null,
    audience: 'https://api/',
    scope: ['offline_access'],
    resource_servers: [{ audience: 'https://api/', scopes: 'offline_access' }],
    device: { initial_ip: null, initial_asn: null, initial_user_agent: null, last_ip: null, last_asn: null, last_user_agent: null },
    now,
  });
}

const userRecord = (user_id: string, email: string): UserRecord => ({
  user_id, email, email_verified: false, name: email, nickname: email, given_name: null, family_name: null, picture: null,
  password_hash: null, app_metadata: {}, user_metadata: {}, blocked: false, created_at: T0, updated_at: T0, last_login: null, last_ip: null, logins_count: 0,
});

const exchange = (store: TenantStore, value: string, now: number) =>
  store.rotateRefreshToken(sha256(value), now, planExchange({ clientId: 'app', now, newSecretHash: sha256(randomSecret()), ip: null, asn: null, userAgent: null }));

for (const { name, open, skip } of STORES) {
  describe.skipIf(!!skip)(`TenantStore contract: ${name}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const withStore = (fn: (store: TenantStore) => Promise<void>) => async () => {
      const store = await open();
      try {
        await fn(store);
      } finally {
        await store.close();
      }
    };

    it('rotates a secret once: the second presentation of the same secret is reuse', withStore(async (store) => {
      await store.createUser(userRecord('u1', 'u1@example.test'));
      const { value, record } = mint('u1', T0);
      await store.issueRefreshToken(record, 200);
      const outcomes = await Promise.all([exchange(store, value, T0 + 1), exchange(store, value, T0 + 1)]);
      expect(outcomes.map((o) => o.kind).sort()).toEqual(['exchanged', 'reuse-detected']);
      expect((await store.getRefreshToken(record.id))!.revoked_reason).toBe('reuse_detected');
    }));

    it('answers unknown for a secret it never issued', withStore(async (store) => {
      expect((await exchange(store, 'nope', T0)).kind).toBe('unknown');
      expect(await store.findRefreshTokenBySecret(sha256('nope'), T0)).toBeUndefined();
    }));

    it('consumes an authorization code exactly once', withStore(async (store) => {
      const hash = sha256('code');
      await store.saveAuthorizationCode(hash, {
        client_id: 'app', user_id: 'u1', redirect_uri: 'https://x/cb', scope: ['openid'], audience: 'a', nonce: null,
        code_challenge: null, code_challenge_method: null, session_id: 's', grant_id: 'g', device_name: null, auth_time: T0, expires_at: T0 + 60_000,
      });
      const results = await Promise.all([store.consumeAuthorizationCode(hash, T0), store.consumeAuthorizationCode(hash, T0)]);
      expect(results.map((r) => r!.reused).sort()).toEqual([false, true]);
    }));

    it('a journaled revocation covers existing tokens at once and not tokens issued after it', withStore(async (store) => {
      const before = mint('u1', T0);
      await store.issueRefreshToken(before.record, 200);
      await store.enqueueRevocations([{ id: ids.revocationJob(T0), target: { kind: 'user', user_id: 'u1' }, reason: 'user_tokens_revoked', requested_at: T0 }]);
      const after = mint('u1', T0);
      await store.issueRefreshToken(after.record, 200);
      expect((await store.findRefreshTokenBySecret(sha256(before.value), T0))!.usable).toBe(false);
      expect((await exchange(store, before.value, T0)).kind).toBe('rejected');
      expect((await store.findRefreshTokenBySecret(sha256(after.value), T0))!.usable).toBe(true);
    }));

    it('journals several revocations in one call: each in force at once, each its own job', withStore(async (store) => {
      const tokens = Array.from({ length: 3 }, (_, i) => mint('u1', T0 + i));
      const spared = mint('u1', T0 + 5);
      for (const t of [...tokens, spared]) await store.issueRefreshToken(t.record, 200);
      await store.enqueueRevocations(tokens.map((t, i) => ({ id: `job-many-${i}`, target: { kind: 'token', token_id: t.record.id }, reason: 'management_api', requested_at: T0 })));
      for (const t of tokens) expect((await store.findRefreshTokenBySecret(sha256(t.value), T0))!.usable).toBe(false);
      expect((await store.findRefreshTokenBySecret(sha256(spared.value), T0))!.usable).toBe(true);
      expect((await store.listRevocationJobs()).map((j) => j.id).sort()).toEqual(['job-many-0', 'job-many-1', 'job-many-2']);
    }));

    it('processes a revocation job in batches and deletes it when done', withStore(async (store) => {
      for (let i = 0; i < 25; i++) await store.issueRefreshToken(mint('u1', T0 + i, { device_name: i % 2 ? 'phone' : 'tablet' }).record, 1000);
      await store.issueRefreshToken(mint('u2', T0).record, 1000);
      await store.enqueueRevocations([{ id: 'job1', target: { kind: 'device', user_id: 'u1', device_name: 'phone' }, reason: 'device_unlinked', requested_at: T0 }]);
      const batches = [];
      for (;;) {
        const batch = await store.processRevocationBatch('job1', 5, T0 + 100, { owner: 'me', leaseMs: 1000 });
        batches.push(batch.revoked);
        if (batch.done) break;
      }
      expect(batches.reduce((a, b) => a + b, 0)).toBe(12);
      expect(await store.listRevocationJobs()).toEqual([]);
      expect(await store.countLiveRefreshTokens({ user_id: 'u1' }, T0 + 100)).toBe(13);
      expect(await store.countLiveRefreshTokens({ user_id: 'u2' }, T0 + 100)).toBe(1);
    }));

    it('an application-wide revocation covers every user\'s tokens of that client (of one audience when given) at once, then in batches', withStore(async (store) => {
      const of = (user_id: string, client_id: string, audience: string) => {
        const minted = mint(user_id, T0);
        return { value: minted.value, record: { ...minted.record, client_id, audience } };
      };
      const covered = [of('u1', 'app', 'https://api/'), of('u2', 'app', 'https://api/')];
      const spared = [of('u1', 'app', 'https://other/'), of('u1', 'web', 'https://api/')];
      for (const t of [...covered, ...spared]) await store.issueRefreshToken(t.record, 1000);
      await store.enqueueRevocations([{ id: 'job-app', target: { kind: 'client', client_id: 'app', audience: 'https://api/' }, reason: 'client_tokens_revoked', requested_at: T0 }]);
      expect((await store.listRevocationJobs())[0]!.target).toEqual({ kind: 'client', client_id: 'app', audience: 'https://api/' });
      for (const t of covered) expect((await store.findRefreshTokenBySecret(sha256(t.value), T0))!.usable).toBe(false);
      for (const t of spared) expect((await store.findRefreshTokenBySecret(sha256(t.value), T0))!.usable).toBe(true);
      while (!(await store.processRevocationBatch('job-app', 1, T0 + 1, { owner: 'me', leaseMs: 1000 })).done);
      for (const t of covered) expect((await store.getRefreshToken(t.record.id))!.revoked_reason).toBe('client_tokens_revoked');
      for (const t of spared) expect((await store.getRefreshToken(t.record.id))!.revoked_at).toBeNull();
    }));

    it('an application-wide revocation given issued_through covers the tokens the summary counted, none issued after', withStore(async (store) => {
      const counted = mint('u1', T0);
      await store.issueRefreshToken({ ...counted.record, client_id: 'app' }, 1000);
      const [app] = await store.summarizeRefreshTokensByClient(T0);
      const later = mint('u2', T0);
      await store.issueRefreshToken({ ...later.record, client_id: 'app' }, 1000);
      await store.enqueueRevocations([{ id: 'job-through', target: { kind: 'client', client_id: 'app' }, reason: 'client_tokens_revoked', requested_at: T0, issued_through: app!.issued_through }]);
      expect((await store.findRefreshTokenBySecret(sha256(counted.value), T0))!.usable).toBe(false);
      expect((await store.findRefreshTokenBySecret(sha256(later.value), T0))!.usable).toBe(true);
      while (!(await store.processRevocationBatch('job-through', 10, T0 + 1, { owner: 'me', leaseMs: 1000 })).done);
      expect(await store.countLiveRefreshTokens({ client_id: 'app' }, T0 + 1)).toBe(1);
    }));

    it('listings, counts, summaries and searches leave out what a journaled revocation covers, before its rows are marked', withStore(async (store) => {
      const app = (user_id: string, device_name: string) => ({ ...mint(user_id, T0, { device_name }).record, client_id: 'app' });
      const web = { ...mint('u1', T0, { device_name: 'laptop' }).record, client_id: 'web' };
      const covered = [app('u1', 'phone'), app('u2', 'tablet')];
      for (const t of [...covered, web]) await store.issueRefreshToken(t, 1000);
      await store.enqueueRevocations([{ id: 'job-pending', target: { kind: 'client', client_id: 'app' }, reason: 'client_tokens_revoked', requested_at: T0 }]);
      const issuedAfter = app('u2', 'tablet');
      await store.issueRefreshToken(issuedAfter, 1000);
      // Nothing marked yet: the worker has not run.
      expect((await store.getRefreshToken(covered[0]!.id))!.revoked_at).toBeNull();
      const now = T0 + 1;
      expect((await store.listRefreshTokens({ user_id: 'u1' }, now, undefined, 50)).items.map((t) => t.id)).toEqual([web.id]);
      expect((await store.listRefreshTokenSummaries({ user_id: 'u2' }, now, undefined, 50)).items.map((t) => t.id)).toEqual([issuedAfter.id]);
      expect((await store.pageRefreshTokens({ user_id: 'u1' }, now, 0, 50)).total).toBe(1);
      expect(await store.countLiveRefreshTokens({ client_id: 'app' }, now)).toBe(1);
      expect((await store.summarizeRefreshTokensByClient(now)).map((a) => [a.client_id, a.tokens, a.users])).toEqual([['app', 1, 1], ['web', 1, 1]]);
      expect(await store.listRefreshTokenUsersOfClient('app', now, 10)).toEqual([{ user_id: 'u2', tokens: 1 }]);
      expect((await store.searchRefreshTokens({ client_id: 'app' }, now, undefined, 50)).items.map((t) => t.id)).toEqual([issuedAfter.id]);
      expect((await store.countRefreshTokenSearch({ client_id: 'app' }, now, 10_000)).tokens).toBe(1);
      // Marked later, the same answers.
      while (!(await store.processRevocationBatch('job-pending', 1, now, { owner: 'me', leaseMs: 1000 })).done);
      expect(await store.countLiveRefreshTokens({ client_id: 'app' }, now)).toBe(1);
      expect((await store.getRefreshToken(covered[0]!.id))!.revoked_reason).toBe('client_tokens_revoked');
    }));

    it('summarizes live tokens per application: tokens, users, devices, and the users with the most', withStore(async (store) => {
      const of = (user_id: string, client_id: string, device_name: string | null, extra: { expires_at?: number } = {}) => {
        const { record } = mint(user_id, T0, device_name ? { device_name } : {});
        return { ...record, client_id, ...extra };
      };
      const tokens = [
        of('u1', 'app', 'Phone'), of('u1', 'app', 'Phone'), of('u1', 'app', 'Laptop'), of('u1', 'app', null),
        of('u2', 'app', 'Phone'), of('u2', 'app', null), of('u2', 'app', null),
        of('u3', 'app', 'Tablet'),
        of('u1', 'web', 'Phone'),
        of('u4', 'app', 'Watch', { expires_at: T0 + 10 }),
      ];
      for (const t of tokens) await store.issueRefreshToken(t, 1000);
      const revoked = of('u5', 'app', 'Old');
      await store.issueRefreshToken(revoked, 1000);
      await store.revokeRefreshTokens([revoked.id], 'management_api', T0 + 1);
      // u1: Phone, Laptop, unnamed; u2: Phone, unnamed; u3: Tablet. The expired and the revoked tokens do not count.
      const summary = await store.summarizeRefreshTokensByClient(T0 + 100);
      expect(summary).toEqual([
        { client_id: 'app', tokens: 8, users: 3, devices: 6, issued_through: expect.any(Number) },
        { client_id: 'web', tokens: 1, users: 1, devices: 1, issued_through: expect.any(Number) },
      ]);
      // The newest live token of each: app's (u3's Tablet) was issued before web's.
      expect(summary[0]!.issued_through).toBeLessThan(summary[1]!.issued_through);
      expect(await store.summarizeRefreshTokensByClient(T0 + 100, 'web')).toEqual([{ client_id: 'web', tokens: 1, users: 1, devices: 1, issued_through: summary[1]!.issued_through }]);
      expect(await store.summarizeRefreshTokensByClient(T0 + 100, 'nobody')).toEqual([]);
      expect(await store.listRefreshTokenUsersOfClient('app', T0 + 100, 2)).toEqual([{ user_id: 'u1', tokens: 4 }, { user_id: 'u2', tokens: 3 }]);
      expect(await store.listRefreshTokenUsersOfClient('app', T0 + 100, 10)).toEqual([{ user_id: 'u1', tokens: 4 }, { user_id: 'u2', tokens: 3 }, { user_id: 'u3', tokens: 1 }]);
    }));

    it('searches live tokens across users by address or CIDR (initial or last), ASN, user agent, device name, application and last use, alone and combined, with totals', withStore(async (store) => {
      const device = (ip: string, asn: string, ua: string) => ({ initial_ip: ip, initial_asn: asn, initial_user_agent: ua, last_ip: ip, last_asn: asn, last_user_agent: ua });
      const issue = async (user_id: string, at: number, ip: string, asn: string, ua: string, extra: { device_name?: string; client_id?: string; expires_at?: number } = {}) => {
        const { value, record } = mint(user_id, at, extra.device_name ? { device_name: extra.device_name } : {});
        await store.issueRefreshToken({ ...record, device: device(ip, asn, ua), ...(extra.client_id ? { client_id: extra.client_id } : {}), ...(extra.expires_at ? { expires_at: extra.expires_at } : {}) }, 1000);
        return { value, id: record.id };
      };
      for (const u of ['u1', 'u2', 'u3', 'u4']) await store.createUser(userRecord(u, `${u}@example.test`));
      const a = await issue('u1', T0, '203.0.113.7', 'AS64500', 'Mozilla/5.0 (iPhone; 100%)', { device_name: "Alice's iPhone" });
      const b = await issue('u2', T0 + 1, '198.51.100.9', 'AS64501', 'curl/8.0', { device_name: 'Laptop' });
      const c = await issue('u3', T0 + 2, '2001:db8::5', 'AS64502', 'okhttp/4');
      // Stored in its ::ffff:-mapped form: found by the IPv4 address and network too.
      const d = await issue('u1', T0 + 3, '::ffff:203.0.113.8', 'AS64503', 'App/2', { device_name: "Alice's iPhone", client_id: 'other' });
      const revoked = await issue('u2', T0 + 4, '203.0.113.9', 'AS64500', 'Mozilla/5.0');
      await store.revokeRefreshTokens([revoked.id], 'management_api', T0 + 5);
      await issue('u4', T0 + 5, '203.0.113.10', 'AS64500', 'Mozilla/5.0', { expires_at: T0 + 500 });
      // b moves: its last address, ASN and user agent are now in 203.0.113.0/24, AS64500, Android.
      const moved = await store.rotateRefreshToken(sha256(b.value), T0 + 100, planExchange({ clientId: 'app', now: T0 + 100, newSecretHash: sha256(randomSecret()), ip: '203.0.113.200', asn: 'AS64500', userAgent: 'Mozilla/5.0 (Android)' }));
      expect(moved.kind).toBe('exchanged');

      const now = T0 + 1000; // the token expiring at T0 + 500 is no longer live
      const range = (cidr: string) => addressRange(cidr)!;
      const found = async (filter: RefreshTokenSearch) => (await store.searchRefreshTokens(filter, now, undefined, 100)).items.map((t) => t.id);
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
      expect(await found({ ip: range('203.0.113.0/24'), device_name: 'iPhone', last_used_from: T0 + 3 })).toEqual(ids(d));
      expect(await found({ asn: 'AS64500', last_used_from: T0 + 50 })).toEqual(ids(b));
      expect(await found({ asn: 'AS64500', user_agent: 'curl' })).toEqual(ids(b)); // initial UA, last ASN
      expect(await found({ asn: 'AS64503', client_id: 'app' })).toEqual([]);

      // What the API shows of each, and the device name.
      const [hit] = (await store.searchRefreshTokens({ ip: range('198.51.100.0/24') }, now, undefined, 10)).items;
      expect(hit).toMatchObject({
        id: b.id, user_id: 'u2', client_id: 'app', device_name: 'Laptop', created_at: T0 + 1, last_exchanged_at: T0 + 100,
        device: { initial_ip: '198.51.100.9', initial_asn: 'AS64501', initial_user_agent: 'curl/8.0', last_ip: '203.0.113.200', last_asn: 'AS64500', last_user_agent: 'Mozilla/5.0 (Android)' },
      });

      // Totals: u1's two tokens are one device ("Alice's iPhone"), u2's Laptop another.
      expect(await store.countRefreshTokenSearch({ ip: range('203.0.113.0/24') }, now, 10_000)).toEqual({ tokens: 3, users: 2, devices: 2, limited: false });
      expect(await store.countRefreshTokenSearch({ asn: 'AS64500' }, now, 10_000)).toEqual({ tokens: 2, users: 2, devices: 2, limited: false });
      expect(await store.countRefreshTokenSearch({ user_agent: 'okhttp' }, now, 10_000)).toEqual({ tokens: 1, users: 1, devices: 1, limited: false });
      expect(await store.countRefreshTokenSearch({ ip: range('10.0.0.0/8') }, now, 10_000)).toEqual({ tokens: 0, users: 0, devices: 0, limited: false });
      // The address indexes alone: initial or last in the range, each token once, no further than
      // limit + 1; unrevoked, expiry unchecked (the 4th, expired by now, counts; the revoked one does not).
      expect(await store.countAddressCandidates(range('203.0.113.0/24'), 100)).toBe(4);
      expect(await store.countAddressCandidates(range('203.0.113.0/24'), 1)).toBe(2);
      expect(await store.countAddressCandidates(range('10.0.0.0/8'), 100)).toBe(0);
      // Counting stops past the limit: a filter matching everything costs that many rows.
      expect(await store.countRefreshTokenSearch({ ip: range('203.0.113.0/24') }, now, 2)).toMatchObject({ tokens: 2, limited: true });
      expect(await store.countRefreshTokenSearch({ ip: range('203.0.113.0/24') }, now, 3)).toMatchObject({ tokens: 3, limited: false });
      expect(await store.countRefreshTokenSearch({ user_agent: 'o' }, now, 1)).toMatchObject({ tokens: 1, limited: true });
      // Before the expiring token expired, it was found too.
      expect((await store.countRefreshTokenSearch({ ip: range('203.0.113.0/24') }, T0 + 200, 10_000)).tokens).toBe(4);

      // An exchange from where the token already was writes no address column: still found there.
      const again = await store.rotateRefreshToken(sha256(a.value), T0 + 900, planExchange({ clientId: 'app', now: T0 + 900, newSecretHash: sha256(randomSecret()), ip: '203.0.113.7', asn: 'AS64500', userAgent: 'Mozilla/5.0 (iPhone; 100%)' }));
      expect(again.kind).toBe('exchanged');
      expect(await found({ ip: range('203.0.113.7') })).toEqual(ids(a));
      expect(await found({ asn: 'AS64500', last_used_from: T0 + 900 })).toEqual(ids(a));
    }));

    it('pages a search by checkpoint in id order with no gaps or repeats, matches by initial and by last address alike', withStore(async (store) => {
      const device = (ip: string) => ({ initial_ip: ip, initial_asn: 'AS64500', initial_user_agent: 'A', last_ip: ip, last_asn: 'AS64500', last_user_agent: 'A' });
      const expected: string[] = [];
      for (let u = 0; u < 7; u++) await store.createUser(userRecord(`u${u}`, `u${u}@example.test`));
      for (let i = 0; i < 30; i++) {
        const { value, record } = mint(`u${i % 7}`, T0 + i * 1000);
        // Even: issued in 10.1.1.0/24; odd: issued elsewhere, then exchanged from it; every third: noise outside.
        const inside = i % 3 !== 0;
        await store.issueRefreshToken({ ...record, device: device(inside && i % 2 === 0 ? `10.1.1.${i}` : `192.0.2.${i}`) }, 1000);
        if (inside && i % 2 === 1) {
          const now = T0 + i * 1000 + 1;
          await store.rotateRefreshToken(sha256(value), now, planExchange({ clientId: 'app', now, newSecretHash: sha256(randomSecret()), ip: `10.1.1.${i}`, asn: 'AS64500', userAgent: 'A' }));
        }
        if (inside) expected.push(record.id);
      }
      for (const filter of [{ ip: addressRange('10.1.1.0/24')! }, { asn: 'AS64500', ip: addressRange('10.1.0.0/16')! }]) {
        const seen: string[] = [];
        let from: string | undefined;
        do {
          const page = await store.searchRefreshTokens(filter, T0 + 100_000, from, 7);
          expect(page.items.length).toBeLessThanOrEqual(7);
          seen.push(...page.items.map((t) => t.id));
          from = page.next;
        } while (from);
        expect(seen).toEqual([...expected].sort());
        expect(await store.countRefreshTokenSearch(filter, T0 + 100_000, 10_000)).toEqual({ tokens: expected.length, users: 7, devices: 7, limited: false });
      }
      // An ASN every token has: 30, paged the same way.
      const all: string[] = [];
      let from: string | undefined;
      do {
        const page = await store.searchRefreshTokens({ asn: 'AS64500' }, T0 + 100_000, from, 8);
        all.push(...page.items.map((t) => t.id));
        from = page.next;
      } while (from);
      expect(all).toHaveLength(30);
      expect(new Set(all).size).toBe(30);
      expect(all).toEqual([...all].sort());
    }));

    it('searches live sessions across users by address or CIDR (initial or last), ASN, user agent and last interaction, with totals, paged', withStore(async (store) => {
      const hours = { session_lifetime: 100, idle_session_lifetime: 10 };
      const open = async (user_id: string, at: number, ip: string, asn: string, userAgent: string) => {
        const session = newSession(user_id, hours, { ip, asn, userAgent }, at);
        await store.createSession(session, sha256(randomSecret()));
        return session;
      };
      const a = await open('u1', T0, '203.0.113.7', 'AS64500', 'Mozilla/5.0 (iPhone)');
      const b = await open('u2', T0 + 1, '198.51.100.9', 'AS64501', 'curl/8.0');
      const c = await open('u3', T0 + 2, '2001:db8::5', 'AS64502', 'okhttp/4');
      const d = await open('u1', T0 + 3, '::ffff:203.0.113.8', 'AS64503', 'App/2');
      const ended = await open('u2', T0 + 4, '203.0.113.9', 'AS64500', 'Mozilla/5.0');
      await store.revokeSession(ended.id, T0 + 5, null);
      // Idle for more than 10 hours by the time of the search: expired.
      await open('u4', T0 - 11 * 3_600_000, '203.0.113.10', 'AS64500', 'Mozilla/5.0');
      // b is used again from 203.0.113.200 (AS64500, Android) at T0 + 100.
      await store.touchSession(b.id, { now: T0 + 100, idle_expires_at: T0 + 100 + 10 * 3_600_000, clientId: 'app', ip: '203.0.113.200', asn: 'AS64500', userAgent: 'Mozilla/5.0 (Android)' });

      const now = T0 + 1000;
      const range = (cidr: string) => addressRange(cidr)!;
      const found = async (filter: SessionSearch) => (await store.searchSessions(filter, now, undefined, 100)).items.map((x) => x.id);
      const ids = (...sessions: { id: string }[]) => sessions.map((x) => x.id).sort();
      expect(await found({ ip: range('203.0.113.7') })).toEqual(ids(a));
      expect(await found({ ip: range('203.0.113.0/24') })).toEqual(ids(a, b, d));
      expect(await found({ ip: range('198.51.100.9') })).toEqual(ids(b));
      expect(await found({ ip: range('2001:db8::/32') })).toEqual(ids(c));
      expect(await found({ asn: 'AS64500' })).toEqual(ids(a, b));
      expect(await found({ user_agent: 'MOZILLA' })).toEqual(ids(a, b));
      expect(await found({ user_agent: '%' })).toEqual([]);
      expect(await found({ last_used_from: T0 + 50 })).toEqual(ids(b));
      expect(await found({ last_used_to: T0 + 2 })).toEqual(ids(a));
      expect(await found({ ip: range('203.0.113.0/24'), asn: 'AS64503' })).toEqual(ids(d));
      expect(await found({ ip: range('203.0.113.0/24'), user_agent: 'android', last_used_from: T0 + 100, last_used_to: T0 + 101 })).toEqual(ids(b));
      const [hit] = (await store.searchSessions({ ip: range('198.51.100.0/24') }, now, undefined, 10)).items;
      expect(hit).toMatchObject({ id: b.id, user_id: 'u2', last_interacted_at: T0 + 100, clients: ['app'], device: { initial_ip: '198.51.100.9', last_ip: '203.0.113.200', last_asn: 'AS64500' } });
      expect(await store.countSessionSearch({ ip: range('203.0.113.0/24') }, now, 10_000)).toEqual({ sessions: 3, users: 2, limited: false });
      expect(await store.countSessionSearch({ ip: range('10.0.0.0/8') }, now, 10_000)).toEqual({ sessions: 0, users: 0, limited: false });
      expect(await store.countSessionSearch({ ip: range('203.0.113.0/24') }, now, 2)).toEqual({ sessions: 2, users: expect.any(Number), limited: true });

      // Paged by checkpoint: no gaps, no repeats.
      for (let i = 0; i < 12; i++) await open(`p${i % 5}`, T0 + 10 + i, `10.9.9.${i}`, 'AS64599', 'P');
      const seen: string[] = [];
      let from: string | undefined;
      do {
        const page = await store.searchSessions({ ip: range('10.9.9.0/24') }, now, from, 5);
        seen.push(...page.items.map((x) => x.id));
        from = page.next;
      } while (from);
      expect(seen).toHaveLength(12);
      expect(new Set(seen).size).toBe(12);
      expect(seen).toEqual([...seen].sort());
      expect(await store.countSessionSearch({ asn: 'AS64599' }, now, 10_000)).toEqual({ sessions: 12, users: 5, limited: false });
    }));

    it('leases a revocation job to one instance until its lease lapses', withStore(async (store) => {
      for (let i = 0; i < 10; i++) await store.issueRefreshToken(mint('u1', T0 + i).record, 1000);
      await store.enqueueRevocations([{ id: 'job2', target: { kind: 'user', user_id: 'u1' }, reason: 'user_tokens_revoked', requested_at: T0 }]);
      expect(await store.processRevocationBatch('job2', 3, T0, { owner: 'a', leaseMs: 1000 })).toEqual({ revoked: 3, done: false, claimed: true });
      expect(await store.processRevocationBatch('job2', 3, T0 + 500, { owner: 'b', leaseMs: 1000 })).toEqual({ revoked: 0, done: false, claimed: false });
      expect((await store.listRevocationJobs())[0]).toMatchObject({ claimed_by: 'a', revoked_count: 3 });
      // a died: once its lease lapses, b takes over and finishes.
      expect(await store.processRevocationBatch('job2', 100, T0 + 1001, { owner: 'b', leaseMs: 1000 })).toEqual({ revoked: 7, done: true, claimed: true });
      expect(await store.countLiveRefreshTokens({ user_id: 'u1' }, T0 + 2000)).toBe(0);
    }));

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

    it('pages live tokens by checkpoint in id order with no gaps or repeats', withStore(async (store) => {
      const issued = [];
      for (let i = 0; i < 23; i++) {
        const { record } = mint('u1', T0 + i * 1000);
        issued.push(record.id);
        await store.issueRefreshToken(record, 1000);
      }
      const seen: string[] = [];
      let from: string | undefined;
      do {
        const page = await store.listRefreshTokens({ user_id: 'u1' }, T0, from, 10);
        seen.push(...page.items.map((t) => t.id));
        from = page.next;
      } while (from);
      expect(seen).toEqual([...issued].sort());
    }));

    it('lists a user\'s live tokens for the Management API: the columns it shows, by checkpoint, of one application when asked, none once the user is gone', withStore(async (store) => {
      const device = { initial_ip: '192.0.2.1', initial_asn: 'AS64500', initial_user_agent: 'App/1', last_ip: '192.0.2.1', last_asn: 'AS64500', last_user_agent: 'App/1' };
      const issued: string[] = [];
      for (let i = 0; i < 12; i++) {
        const { record } = mint('u1', T0 + i * 1000, { session_id: i === 0 ? 's1' : undefined });
        const token = { ...record, client_id: i % 3 === 0 ? 'other' : 'app', ...(i === 1 ? { device } : {}) };
        await store.issueRefreshToken(token, 1000);
        issued.push(token.id);
      }
      const revoked = mint('u1', T0);
      await store.issueRefreshToken(revoked.record, 1000);
      await store.revokeRefreshTokens([revoked.record.id], 'management_api', T0);
      await store.issueRefreshToken({ ...mint('u1', T0).record, expires_at: T0 + 10 }, 1000);
      await store.issueRefreshToken(mint('u2', T0).record, 1000);
      const now = T0 + 60_000;

      const all = async (filter: { user_id: string; client_id?: string }, options?: { userMustExist?: boolean }) => {
        const seen = [];
        let from: string | undefined;
        do {
          const page = await store.listRefreshTokenSummaries(filter, now, from, 5, options);
          seen.push(...page.items);
          from = page.next;
        } while (from);
        return seen;
      };
      const listed = await all({ user_id: 'u1' });
      expect(listed.map((t) => t.id)).toEqual([...issued].sort());
      // Each field as the full record reads back, and nothing else (no hashes, scope or audience).
      for (const summary of listed) {
        const record = (await store.getRefreshToken(summary.id))!;
        expect(summary).toStrictEqual({
          id: record.id, user_id: record.user_id, client_id: record.client_id, session_id: record.session_id, rotating: record.rotating,
          resource_servers: record.resource_servers, metadata: record.metadata, created_at: record.created_at, expires_at: record.expires_at,
          idle_expires_at: record.idle_expires_at, last_exchanged_at: record.last_exchanged_at, device: record.device,
        });
      }
      expect(listed.find((t) => t.id === issued[1])!.device).toEqual(device);
      expect(listed.find((t) => t.id === issued[0])).toMatchObject({ session_id: 's1', rotating: true, metadata: {} });
      expect((await all({ user_id: 'u1', client_id: 'other' })).map((t) => t.id)).toEqual(issued.filter((_, i) => i % 3 === 0).sort());
      expect(await all({ user_id: 'u1', client_id: 'nobody' })).toEqual([]);
      // The same page as listRefreshTokens, checkpoint for checkpoint.
      const first = await store.listRefreshTokenSummaries({ user_id: 'u1' }, now, undefined, 5);
      const full = await store.listRefreshTokens({ user_id: 'u1' }, now, undefined, 5);
      expect({ ids: first.items.map((t) => t.id), next: first.next }).toEqual({ ids: full.items.map((t) => t.id), next: full.next });

      expect(await all({ user_id: 'u1' }, { userMustExist: true })).toEqual([]);
      await store.createUser(userRecord('u1', 'u1@example.test'));
      expect(await all({ user_id: 'u1' }, { userMustExist: true })).toEqual(listed);
      expect(await all({ user_id: 'u1', client_id: 'other' }, { userMustExist: true })).toHaveLength(4);
      await store.deleteUser('u1', { id: 'job-u1', now });
      expect(await all({ user_id: 'u1' }, { userMustExist: true })).toEqual([]);
      // The deletion journaled the revocation of the user's tokens: not listed, marked or not.
      expect(await all({ user_id: 'u1' })).toEqual([]);
      expect((await store.getRefreshToken(issued[0]!))!.revoked_at).toBeNull();
    }));

    it('deletes a grant and journals the revocation of its tokens', withStore(async (store) => {
      const grant = await store.upsertGrant({ user_id: 'u1', client_id: 'app', audience: 'https://api/', scope: ['a'] }, 'g1', T0);
      const again = await store.upsertGrant({ user_id: 'u1', client_id: 'app', audience: 'https://api/', scope: ['b'] }, 'g2', T0 + 1);
      expect(again.id).toBe(grant.id);
      expect(again.scope).toEqual(['a', 'b']);
      const token = mint('u1', T0, { grant_id: grant.id });
      await store.issueRefreshToken(token.record, 200);
      expect(await store.deleteGrant(grant.id, { id: 'job-g', now: T0 + 2 })).toMatchObject({ id: grant.id });
      expect(await store.getGrant(grant.id)).toBeUndefined();
      expect((await store.findRefreshTokenBySecret(sha256(token.value), T0 + 2))!.usable).toBe(false);
      expect(await store.deleteGrant(grant.id, { id: 'job-g2', now: T0 + 3 })).toBeUndefined();
    }));

    it('keeps the newest tokens within the entity limit', withStore(async (store) => {
      const records = [];
      for (let i = 0; i < 4; i++) {
        const { record } = mint('u1', T0 + i);
        records.push(record);
        const { revokedForLimit } = await store.issueRefreshToken(record, 3);
        if (i === 3) expect(revokedForLimit).toEqual([records[0]!.id]);
      }
    }));

    it('answers each of many concurrent revocations with what it revoked (SQLite commits them as a group)', withStore(async (store) => {
      const tokens = [];
      for (let i = 0; i < 30; i++) {
        const token = mint('u1', T0 + i);
        await store.issueRefreshToken(token.record, 1000);
        tokens.push(token);
      }
      const ids = tokens.map((t) => t.record.id);
      // Token 0 is asked for twice at once: exactly one caller revokes it.
      const answers = await Promise.all([
        store.revokeRefreshTokens([ids[0]!], 'oauth_revoke', T0 + 100),
        ...ids.slice(1).map((id) => store.revokeRefreshTokens([id, 'rt_unknown'], 'oauth_revoke', T0 + 100)),
        store.revokeRefreshTokens([ids[0]!], 'device_unlinked', T0 + 100),
      ]);
      expect(answers[0]).toEqual([ids[0]]);
      expect(answers.at(-1)).toEqual([]);
      ids.slice(1).forEach((id, i) => expect(answers[i + 1]).toEqual([id]));
      for (const token of tokens) expect((await store.findRefreshTokenBySecret(sha256(token.value), T0 + 100))!.usable).toBe(false);
      expect((await store.getRefreshToken(ids[0]!))!.revoked_reason).toBe('oauth_revoke');
    }));


    it('creates a user once: a taken id or email (any case) is a conflict', withStore(async (store) => {
      expect(await store.createUser(userRecord('auth0|a', 'Ann@Example.test'))).toBe(true);
      expect(await store.createUser(userRecord('auth0|b', 'ann@example.TEST'))).toBe(false);
      expect(await store.createUser(userRecord('auth0|a', 'other@example.test'))).toBe(false);
      expect((await store.getUser('auth0|a'))!.email).toBe('Ann@Example.test');
      expect(await store.getUser('auth0|b')).toBeUndefined();
    }));

    it('updates a user unless another user has the email', withStore(async (store) => {
      await store.createUser(userRecord('auth0|a', 'a@example.test'));
      await store.createUser(userRecord('auth0|b', 'b@example.test'));
      expect(await store.updateUser({ ...userRecord('auth0|a', 'A@example.test'), blocked: true })).toBe('updated');
      expect(await store.getUser('auth0|a')).toMatchObject({ email: 'A@example.test', blocked: true });
      expect(await store.updateUser(userRecord('auth0|a', 'B@EXAMPLE.test'))).toBe('email_taken');
      expect((await store.getUser('auth0|a'))!.email).toBe('A@example.test');
      expect(await store.updateUser(userRecord('auth0|nobody', 'n@example.test'))).toBe('not_found');
    }));

    it('deletes a user with their grants and sessions, and journals the revocation of their tokens', withStore(async (store) => {
      await store.createUser(userRecord('u1', 'u1@example.test'));
      const grant = await store.upsertGrant({ user_id: 'u1', client_id: 'app', audience: 'https://api/', scope: ['a'] }, 'g1', T0);
      const session = { id: 's1', user_id: 'u1', created_at: T0, updated_at: T0, authenticated_at: T0, last_interacted_at: T0, idle_expires_at: null, expires_at: null, device: { initial_ip: null, initial_asn: null, initial_user_agent: null, last_ip: null, last_asn: null, last_user_agent: null }, clients: [], authentication_methods: [], revoked_at: null };
      await store.createSession(session, sha256('cookie'));
      const token = mint('u1', T0, { grant_id: grant.id });
      await store.issueRefreshToken(token.record, 200);
      const other = mint('u2', T0);
      await store.issueRefreshToken(other.record, 200);
      expect(await store.deleteUser('u1', { id: 'job-u', now: T0 + 1 })).toMatchObject({ user_id: 'u1' });
      expect(await store.getUser('u1')).toBeUndefined();
      expect(await store.getGrant(grant.id)).toBeUndefined();
      expect((await store.getSession('s1'))!.revoked_at).toBe(T0 + 1);
      expect((await store.findRefreshTokenBySecret(sha256(token.value), T0 + 2))!.usable).toBe(false);
      expect((await store.findRefreshTokenBySecret(sha256(other.value), T0 + 2))!.usable).toBe(true);
      expect((await store.listRevocationJobs()).map((j) => j.target)).toEqual([{ kind: 'user', user_id: 'u1' }]);
      expect(await store.deleteUser('u1', { id: 'job-u2', now: T0 + 3 })).toBeUndefined();
    }));

    it('deletes a client with its client grants and consent grants, and journals the revocation of its tokens', withStore(async (store) => {
      await store.putClient(client);
      await store.putClient({ ...client, client_id: 'other' });
      await store.putClientGrant({ id: 'cg1', client_id: 'app', audience: 'https://api/', scope: ['a'] });
      const grant = await store.upsertGrant({ user_id: 'u1', client_id: 'app', audience: 'https://api/', scope: ['a'] }, 'g1', T0);
      const token = mint('u1', T0, { grant_id: grant.id });
      await store.issueRefreshToken(token.record, 200);
      expect(await store.deleteClient('app', { id: 'job-c', now: T0 + 1 })).toMatchObject({ client_id: 'app' });
      expect(await store.getClient('app')).toBeUndefined();
      expect(await store.getClient('other')).toBeDefined();
      expect(await store.getClientGrantById('cg1')).toBeUndefined();
      expect(await store.getGrant(grant.id)).toBeUndefined();
      expect((await store.findRefreshTokenBySecret(sha256(token.value), T0 + 2))!.usable).toBe(false);
      expect(await store.deleteClient('app', { id: 'job-c2', now: T0 + 2 })).toBeUndefined();
    }));

    it('creates, finds and deletes APIs; an identifier or id is taken once; deleting one drops its client grants', withStore(async (store) => {
      const api = { id: 'rs1', identifier: 'https://api/', name: 'API', scopes: [{ value: 'read', description: 'Read' }], token_lifetime: 3600, allow_offline_access: false, is_system: false };
      expect(await store.createResourceServer(api)).toBe(true);
      expect(await store.createResourceServer({ ...api, id: 'rs2' })).toBe(false);
      expect(await store.createResourceServer({ ...api, identifier: 'https://other/' })).toBe(false);
      expect(await store.getResourceServerById('rs1')).toEqual(api);
      await store.putClientGrant({ id: 'cg1', client_id: 'app', audience: 'https://api/', scope: ['read'] });
      expect(await store.deleteResourceServer('rs1')).toEqual(api);
      expect(await store.getResourceServer('https://api/')).toBeUndefined();
      expect(await store.getClientGrantById('cg1')).toBeUndefined();
      expect(await store.deleteResourceServer('rs1')).toBeUndefined();
    }));

    it('keeps one client grant per client and audience; lists, narrows and deletes them', withStore(async (store) => {
      expect(await store.createClientGrant({ id: 'cg_1', client_id: 'a', audience: 'https://x/', scope: ['r', 'w'] })).toBe(true);
      expect(await store.createClientGrant({ id: 'cg_2', client_id: 'a', audience: 'https://x/', scope: [] })).toBe(false);
      expect(await store.createClientGrant({ id: 'cg_1', client_id: 'b', audience: 'https://y/', scope: [] })).toBe(false);
      for (let i = 3; i <= 7; i++) await store.createClientGrant({ id: `cg_${i}`, client_id: i % 2 ? 'b' : 'c', audience: `https://${i}/`, scope: [] });
      const seen: string[] = [];
      let from: string | undefined;
      do {
        const page = await store.listClientGrants({}, from, 2);
        seen.push(...page.items.map((g) => g.id));
        from = page.next;
      } while (from);
      expect(seen).toEqual(['cg_1', 'cg_3', 'cg_4', 'cg_5', 'cg_6', 'cg_7']);
      expect((await store.listClientGrants({ client_id: 'b' }, undefined, 50)).items.map((g) => g.id)).toEqual(['cg_3', 'cg_5', 'cg_7']);
      expect((await store.listClientGrants({ audience: 'https://x/' }, undefined, 50)).items.map((g) => g.id)).toEqual(['cg_1']);
      expect(await store.countClientGrants({ client_id: 'b' })).toBe(3);
      expect(await store.countClientGrants({})).toBe(6);
      expect(await store.updateClientGrantScope('cg_1', ['r'])).toEqual({ id: 'cg_1', client_id: 'a', audience: 'https://x/', scope: ['r'] });
      expect((await store.getClientGrant('a', 'https://x/'))!.scope).toEqual(['r']);
      expect(await store.updateClientGrantScope('cg_none', ['r'])).toBeUndefined();
      expect(await store.deleteClientGrant('cg_1')).toMatchObject({ id: 'cg_1' });
      expect(await store.getClientGrant('a', 'https://x/')).toBeUndefined();
      expect(await store.deleteClientGrant('cg_1')).toBeUndefined();
    }));

    it('tells the rotation planner whether the token\'s user is active, blocked or gone, in the same transaction', withStore(async (store) => {
      const seen: string[] = [];
      const look = (value: string) => store.rotateRefreshToken(sha256(value), T0 + 1, (state) => (seen.push(state.user), { kind: 'reject' }));
      const { value, record } = mint('u1', T0);
      await store.issueRefreshToken(record, 200);
      await look(value);
      await store.createUser(userRecord('u1', 'u1@example.test'));
      await look(value);
      await store.updateUser({ ...userRecord('u1', 'u1@example.test'), blocked: true });
      await look(value);
      expect(seen).toEqual(['missing', 'active', 'blocked']);
    }));

    it('updates settings atomically and keeps them', withStore(async (store) => {
      await Promise.all(
        Array.from({ length: 10 }, () => store.updateSettings((s) => ({ ...s, session_lifetime: s.session_lifetime + 1 }))),
      );
      expect((await store.getSettings()).session_lifetime).toBe(82);
    }));
  });
}
