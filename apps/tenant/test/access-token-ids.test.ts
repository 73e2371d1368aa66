import { jwtDecrypt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { managementAudience } from '../src/deps.ts';
import { API, ISSUER, M2M_SECRET, testTenant, type TestTenant } from './fixtures.ts';
import { json } from './http.ts';
import { verifyIssuedJwt } from './jwt.ts';

/**
 * Every access token is its own (RFC 9068 2.2: `jti` is required): two issued in one clock
 * second differ, so a cache, a deny list or a log keyed by the token tells them apart.
 * The test tenant's clock is manual: nothing advances between the two requests.
 */
let t: TestTenant;
beforeEach(async () => {
  t = await testTenant();
});
afterEach(() => t.close());

const tenantKey = async () =>
  Buffer.from(await t.store.settings.getOrCreateSecret('userinfo-access-token-key', () => 'unused'), 'base64url');

async function twoRefreshes(audience?: string) {
  // `web` is non-rotating: the same refresh token is exchanged twice.
  const { refresh_token } = await t.login('web', { scope: 'openid offline_access', ...(audience ? { audience } : {}) });
  const tokens: string[] = [];
  for (let i = 0; i < 2; i++) {
    const res = await t.refresh(refresh_token, 'web');
    expect(res.status).toBe(200);
    tokens.push(((await json(res)) as { access_token: string }).access_token);
  }
  return tokens;
}

describe('access tokens are unique per issue (jti)', () => {
  it('two refreshes of a non-rotating token in one clock second give different JWT access tokens, each with its own jti', async () => {
    const [a, b] = await twoRefreshes(API);
    expect(a).not.toBe(b);
    const [ja, jb] = await Promise.all(
      [a!, b!].map(async (token) => (await verifyIssuedJwt(t, token, API)).payload.jti),
    );
    expect(ja).toBeTypeOf('string');
    expect(jb).toBeTypeOf('string');
    expect(ja).not.toBe(jb);
  });

  it('two refreshes in one clock second give opaque /userinfo tokens with distinct jti', async () => {
    const [a, b] = await twoRefreshes();
    const key = await tenantKey();
    const open = async (token: string) =>
      (await jwtDecrypt(token, key, { issuer: ISSUER, currentDate: new Date(t.clock.now()) })).payload.jti;
    const [ja, jb] = await Promise.all([open(a!), open(b!)]);
    expect(ja).toBeTypeOf('string');
    expect(ja).not.toBe(jb);
  });

  it('two client_credentials tokens in one clock second differ, each with its own jti', async () => {
    const issue = async () => {
      const res = await t.post('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: 'm2m',
        client_secret: M2M_SECRET,
        audience: API,
      });
      expect(res.status).toBe(200);
      return ((await json(res)) as { access_token: string }).access_token;
    };
    const [a, b] = [await issue(), await issue()];
    expect(a).not.toBe(b);
    const [ja, jb] = [(await verifyIssuedJwt(t, a, API)).payload.jti, (await verifyIssuedJwt(t, b, API)).payload.jti];
    expect(ja).toBeTypeOf('string');
    expect(ja).not.toBe(jb);
    // The Management API's own tokens come from the same grant.
    expect((await verifyIssuedJwt(t, await t.managementToken(), managementAudience(ISSUER))).payload.jti).toBeTypeOf(
      'string',
    );
  });
});
