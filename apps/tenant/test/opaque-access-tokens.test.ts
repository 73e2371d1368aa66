import { createLocalJWKSet, decodeProtectedHeader, jwtDecrypt, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpaqueAccessTokens } from '../src/crypto/opaque-access-tokens.ts';
import { API, ISSUER, testTenant, type TestTenant } from './fixtures.ts';
import { json } from './http.ts';

/**
 * Auth0 issues an opaque access token (JWE, dir + A256GCM) when no API audience is asked for:
 * it is good for /userinfo and nothing else, and no one but the tenant can read it. With an
 * audience, the access token is a JWT the API verifies.
 */
let t: TestTenant;
beforeEach(async () => {
  t = await testTenant();
});
afterEach(() => t.close());

const userinfo = (token: string) =>
  t.tenant.app.request('/userinfo', { headers: { authorization: `Bearer ${token}` } });
const tenantKey = async () =>
  Buffer.from(await t.store.settings.getOrCreateSecret('userinfo-access-token-key', () => 'unused'), 'base64url');

describe('access tokens without an API audience (/userinfo only)', () => {
  it('are compact JWE (dir, A256GCM) only the tenant can open, not a signed JWT, and /userinfo answers them', async () => {
    const tokens = await t.login('mobile', { scope: 'openid profile email offline_access' });
    expect(tokens.access_token.split('.')).toHaveLength(5);
    expect(decodeProtectedHeader(tokens.access_token)).toEqual({ alg: 'dir', enc: 'A256GCM' });
    await expect(jwtVerify(tokens.access_token, createLocalJWKSet(t.tenant.deps.keys.jwks()))).rejects.toThrow();
    // A standard JWE library reads it with the tenant's key: the format is the real one.
    const { payload } = await jwtDecrypt(tokens.access_token, await tenantKey(), {
      issuer: ISSUER,
      audience: `${ISSUER}userinfo`,
      currentDate: new Date(t.clock.now()),
    });
    expect(payload).toMatchObject({
      sub: t.alice.user_id,
      azp: 'mobile',
      scope: 'openid profile email offline_access',
    });

    const res = await userinfo(tokens.access_token);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ sub: t.alice.user_id, email: t.alice.email, name: t.alice.name });
  });

  it('are issued again by each refresh exchange, and still answered by /userinfo', async () => {
    const first = await t.login('mobile', { scope: 'openid email offline_access' });
    const res = await t.refresh(first.refresh_token);
    expect(res.status).toBe(200);
    const { access_token } = (await json(res)) as { access_token: string };
    expect(OpaqueAccessTokens.isOpaque(access_token)).toBe(true);
    expect((await json(await userinfo(access_token))).email).toBe(t.alice.email);
  });

  it('are refused once altered, expired, or sealed by another tenant', async () => {
    const { access_token } = await t.login('mobile', { scope: 'openid email' });
    const parts = access_token.split('.');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0]! ^= 1;
    const altered = [parts[0], parts[1], parts[2], flipped.toString('base64url'), parts[4]].join('.');
    const other = new OpaqueAccessTokens(Buffer.alloc(32, 7).toString('base64url')).seal({
      iss: ISSUER,
      sub: t.alice.user_id,
      aud: `${ISSUER}userinfo`,
      exp: Math.floor(t.clock.now() / 1000) + 60,
      scope: 'openid email',
    });
    for (const token of [altered, other, `${parts[0]}..${parts[2]}.${parts[3]}`]) {
      const res = await userinfo(token);
      expect(res.status, token).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('invalid_token');
    }
    t.clock.advance(t.tenant.deps.options.accessTokenLifetime * 1000 + 1000);
    expect((await userinfo(access_token)).status).toBe(401);
  });
});

describe('access tokens for an API audience', () => {
  it('stay RS256 JWTs (at+jwt) that the API verifies with the published keys, and name /userinfo too', async () => {
    const { access_token } = await t.login('mobile', { audience: API, scope: 'openid email read:things' });
    expect(decodeProtectedHeader(access_token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const { payload } = await jwtVerify(access_token, createLocalJWKSet(t.tenant.deps.keys.jwks()), {
      issuer: ISSUER,
      audience: API,
      currentDate: new Date(t.clock.now()),
    });
    expect(payload.aud).toEqual([API, `${ISSUER}userinfo`]);
    expect((await userinfo(access_token)).status).toBe(200);
  });
});
