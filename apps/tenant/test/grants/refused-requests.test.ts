import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_SECRET, testTenant, type TestTenant } from '../fixtures.ts';
import { serveApp } from '../server.ts';

/**
 * A refused request changes nothing: whatever is wrong with a request that carries a live
 * refresh token, the answer is a 4xx, no token, grant, session, event or job changes, and the
 * same token is still exchanged afterwards. node-oidc-provider checks every precondition
 * (client, scope, account, expiry) before it consumes a token; so must we. Over a real socket,
 * as a client would send it.
 */

let t: TestTenant;
let server: { url: string; close(): Promise<void> };
/** The live refresh token of each client; a rotating one moves on with every successful exchange. */
const live: Record<'mobile' | 'web', string> = { mobile: '', web: '' };

beforeAll(async () => {
  t = await testTenant();
  server = await serveApp(t.tenant.app.fetch);
  // `mobile` is public, rotating, leeway 0: the client of the reported case; `web` is confidential, non-rotating.
  live.mobile = (
    await t.login('mobile', { scope: 'openid profile offline_access read:things', audience: 'https://api.test/' })
  ).refresh_token;
  live.web = (await t.login('web', { scope: 'openid profile offline_access' })).refresh_token;
  await t.store.settings.updateSettings((s) => ({
    ...s,
    flags: { ...s.flags, allow_legacy_delegation_grant_types: true },
  }));
  await t.store.directory.putClient({
    ...(await t.store.directory.getClient('web'))!,
    grant_types: ['authorization_code', 'refresh_token', 'password', 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
  });
});
afterAll(async () => {
  await server.close();
  await t.close();
});

async function snapshot() {
  const { store } = t;
  return JSON.stringify({
    tokens: (await store.refreshTokens.listRefreshTokensHistory({}, 0, 1000)).items.map((x) => [
      x.id,
      x.revoked_at,
      x.revoked_reason,
      x.last_exchanged_at,
      x.idle_expires_at,
      x.device,
    ]),
    grants: (await store.directory.listGrants({}, 0, 1000)).items.map((g) => [g.id, g.scope]),
    events: (await store.events.listEvents({}, 1000)).map((e) => e.id),
    jobs: (await store.revocationJournal.listRevocationJobs()).length,
  });
}

type Who = keyof typeof live;
type Form = Record<string, string>;

/** The request that works: each refusal below changes exactly one thing about it. */
const exchange = (who: Who): Form => ({
  grant_type: 'refresh_token',
  client_id: who,
  refresh_token: live[who],
  ...(who === 'web' ? { client_secret: WEB_SECRET } : {}),
});
const delegation = (who: Who): Form => ({
  grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  client_id: who,
  refresh_token: live[who],
  ...(who === 'web' ? { client_secret: WEB_SECRET } : {}),
});

/** Every way a request carrying a live token is refused, at /oauth/token and /delegation. */
const REFUSALS: { name: string; path: string; form: (who: Who) => Form | URLSearchParams }[] = [
  {
    name: 'a scope the token was not granted',
    path: '/oauth/token',
    form: (w) => ({ ...exchange(w), scope: 'openid offline_access read:things write:everything' }),
  },
  {
    name: 'a scope of the API it was not granted',
    path: '/oauth/token',
    form: (w) => ({ ...exchange(w), scope: 'openid write:things' }),
  },
  {
    name: 'another client presenting it',
    path: '/oauth/token',
    form: (w) => ({ ...exchange(w), client_id: w === 'web' ? 'mobile' : 'leeway' }),
  },
  {
    name: 'a wrong client secret',
    path: '/oauth/token',
    form: (w) => ({ ...exchange(w), client_id: 'web', client_secret: 'wrong' }),
  },
  {
    name: 'a client secret from a public client',
    path: '/oauth/token',
    form: (w) => ({ ...exchange(w), client_secret: 'anything' }),
  },
  { name: 'an unknown client', path: '/oauth/token', form: (w) => ({ ...exchange(w), client_id: 'nobody' }) },
  {
    name: 'an unsupported grant type',
    path: '/oauth/token',
    form: (w) => ({ ...exchange(w), grant_type: 'urn:example:nothing' }),
  },
  {
    name: 'a grant type the client may not use',
    path: '/oauth/token',
    form: (w) => ({ ...exchange(w), grant_type: 'client_credentials' }),
  },
  // RFC 6749 3.2: a parameter must not be repeated.
  {
    name: 'the token sent twice',
    path: '/oauth/token',
    form: (w) => new URLSearchParams([...Object.entries(exchange(w)), ['refresh_token', live[w]]]),
  },
  {
    name: 'delegation without the jwt-bearer grant',
    path: '/delegation',
    form: (w) => ({ ...delegation(w), grant_type: 'refresh_token' }),
  },
  {
    name: 'delegation for another api_type',
    path: '/delegation',
    form: (w) => ({ ...delegation(w), api_type: 'aws' }),
  },
  {
    name: 'delegation by another client',
    path: '/delegation',
    form: (w) => ({ ...delegation(w), client_id: w === 'web' ? 'mobile' : 'leeway' }),
  },
  {
    name: 'delegation with a wrong secret',
    path: '/delegation',
    form: (w) => ({ ...delegation(w), client_id: 'web', client_secret: 'wrong' }),
  },
];

async function post(path: string, form: Form | URLSearchParams) {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The token still works: exchanged once, and a rotating client keeps the new secret. */
async function expectStillExchangeable(who: Who) {
  const res = await post('/oauth/token', exchange(who));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  if (typeof res.body.refresh_token === 'string') live[who] = res.body.refresh_token;
}

describe('a refused request changes nothing', () => {
  it('the reported case: a rotating token exchanged with a scope it lacks is refused, and the client retries with it', async () => {
    const before = await snapshot();
    const refused = await post('/oauth/token', {
      ...exchange('mobile'),
      scope: 'openid offline_access read:things write:everything',
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('invalid_scope');
    expect(await snapshot()).toBe(before);
    await expectStillExchangeable('mobile');
    expect((await t.store.events.listEvents({}, 1000)).filter((e) => e.type === 'ferrt')).toHaveLength(0);
  });

  it('any sequence of refusals, for a rotating and a non-rotating token: each a 4xx that changes nothing, then the token works', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Who>('mobile', 'web'),
        fc.array(fc.constantFrom(...REFUSALS), { minLength: 1, maxLength: 4 }),
        async (who, refusals) => {
          for (const refusal of refusals) {
            const before = await snapshot();
            const res = await post(refusal.path, refusal.form(who));
            expect(res.status, `${refusal.name}: ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(400);
            expect(res.status, refusal.name).toBeLessThan(500);
            expect(typeof res.body.error, refusal.name).toBe('string');
            expect(await snapshot(), refusal.name).toBe(before);
          }
          await expectStillExchangeable(who);
        },
      ),
      { numRuns: 25 },
    );
    expect((await t.store.events.listEvents({}, 1000)).filter((e) => e.type === 'ferrt')).toHaveLength(0);
  });

  it('a blocked user is refused without rotating, and once unblocked the same token works', async () => {
    await t.store.directory.putUser({ ...(await t.store.directory.getUser(t.alice.user_id))!, blocked: true });
    const before = await snapshot();
    const refused = await post('/oauth/token', exchange('mobile'));
    expect(refused.status).toBe(403);
    expect(await snapshot()).toBe(before);
    await t.store.directory.putUser({ ...(await t.store.directory.getUser(t.alice.user_id))!, blocked: false });
    await expectStillExchangeable('mobile');
  });

  it('an exchange refused by the rate limit changes nothing, and the token works once the window has passed', async () => {
    const limited = await testTenant({ refreshRateLimitPerMinute: 1 });
    const limitedServer = await serveApp(limited.tenant.app.fetch);
    try {
      const token = (await limited.login('web')).refresh_token;
      const send = () =>
        fetch(`${limitedServer.url}/oauth/token`, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            client_id: 'web',
            client_secret: WEB_SECRET,
            refresh_token: token,
          }),
        });
      expect((await send()).status).toBe(200);
      const [record] = (await limited.store.refreshTokens.listRefreshTokens({}, limited.clock.now(), undefined, 10))
        .items;
      limited.clock.advanceSeconds(1);
      const refused = await send();
      expect(refused.status).toBe(429);
      expect(await limited.store.refreshTokens.getRefreshToken(record!.id)).toEqual(record);
      limited.clock.advanceSeconds(61);
      expect((await send()).status).toBe(200);
    } finally {
      await limitedServer.close();
      await limited.close();
    }
  });
});
