import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { client, ISSUER, PASSWORD, testTenant, WEB_SECRET, type TestTenant } from './fixtures.ts';
import { json } from './http.ts';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const OTHER_SECRET = 'web2-secret-for-tests-000000000000000';

let t: TestTenant;
beforeEach(async () => {
  t = await testTenant({ refreshRateLimitPerMinute: 5 });
  await t.store.settings.updateSettings((s) => ({
    ...s,
    flags: { ...s.flags, allow_legacy_delegation_grant_types: true },
  }));
  // The legacy grant is one an application must be allowed, as at Auth0 (grant_types).
  await t.store.directory.putClient(client({ client_id: 'web2', secret: OTHER_SECRET, app_type: 'regular_web' }));
  for (const id of ['mobile', 'web', 'leeway', 'web2']) {
    const record = (await t.store.directory.getClient(id))!;
    await t.store.directory.putClient({ ...record, grant_types: [...record.grant_types, JWT_BEARER] });
  }
});
afterEach(() => t.close());

/** As the confidential client `web` by default; `extra` overrides (client_id: 'mobile' with client_secret: '' drops the secret). */
const delegate = (refreshToken: string, extra: Record<string, string> = {}) =>
  t.post(
    '/delegation',
    Object.fromEntries(
      Object.entries({
        client_id: 'web',
        client_secret: WEB_SECRET,
        grant_type: JWT_BEARER,
        refresh_token: refreshToken,
        api_type: 'app',
        ...extra,
      }).filter(([, v]) => v !== ''),
    ),
  );

describe('POST /delegation (legacy, references 001 and 004)', () => {
  it("returns a signed id_token for the token's user and client, living 36000 s, refused once the token is revoked", async () => {
    const { refresh_token } = await t.login('web');
    const res = await delegate(refresh_token);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 36000 });
    const { payload } = await jwtVerify(body.id_token, createLocalJWKSet(t.tenant.deps.keys.jwks()), {
      issuer: ISSUER,
      audience: 'web',
      currentDate: new Date(t.clock.now()),
    });
    expect(payload.sub).toBe(t.alice.user_id);
    expect(payload.exp! - payload.iat!).toBe(36000);
    await t.post('/oauth/revoke', { client_id: 'web', client_secret: WEB_SECRET, token: refresh_token });
    const after = await delegate(refresh_token);
    expect(after.status).toBe(403);
    expect((await json(after)).error).toBe('invalid_grant');
  });

  it('is off unless the tenant allows legacy delegation', async () => {
    await t.store.settings.updateSettings((s) => ({
      ...s,
      flags: { ...s.flags, allow_legacy_delegation_grant_types: false },
    }));
    const { refresh_token } = await t.login('web');
    const res = await delegate(refresh_token);
    expect(res.status).toBe(403);
    expect((await json(res)).error).toBe('unauthorized_client');
  });

  it('validates its parameters', async () => {
    const { refresh_token } = await t.login('web');
    expect((await delegate(refresh_token, { grant_type: 'password' })).status).toBe(400);
    expect((await delegate(refresh_token, { api_type: 'firebase' })).status).toBe(400);
    expect((await delegate(refresh_token, { client_id: 'nope' })).status).toBe(401);
    expect((await delegate('')).status).toBe(400);
    // Another client's token is refused.
    expect((await delegate(refresh_token, { client_id: 'web2', client_secret: OTHER_SECRET })).status).toBe(403);
  });

  it('authenticates a confidential client as /oauth/token does: no secret or a wrong one is 401 invalid_client', async () => {
    const { refresh_token } = await t.login('web');
    const none = await delegate(refresh_token, { client_secret: '' });
    expect(none.status).toBe(401);
    expect((await json(none)).error).toBe('invalid_client');
    expect((await delegate(refresh_token, { client_id: 'web', client_secret: 'wrong' })).status).toBe(401);
    expect((await delegate(refresh_token, { client_id: 'web', client_secret: WEB_SECRET })).status).toBe(200);
    const basic = await t.post(
      '/delegation',
      { grant_type: JWT_BEARER, refresh_token, api_type: 'app' },
      { authorization: `Basic ${Buffer.from(`web:${WEB_SECRET}`).toString('base64')}` },
    );
    // web is registered for client_secret_post: the Basic header is not its method.
    expect(basic.status).toBe(401);
  });

  it('refuses a public client (token_endpoint_auth_method none) with 401 invalid_client, before its token is counted against the rate limit', async () => {
    const { refresh_token } = await t.login('mobile');
    for (let i = 0; i < 6; i++) {
      const res = await delegate(refresh_token, { client_id: 'mobile', client_secret: '' });
      expect(res.status).toBe(401);
      expect(await json(res)).toMatchObject({ error: 'invalid_client' });
    }
    // Six answers, none 429: refused before the rate limit (5 a minute here) counted anything.
  });

  it('refuses an application not allowed the jwt-bearer grant with 403 unauthorized_client', async () => {
    await t.store.directory.putClient(client({ client_id: 'plain', secret: OTHER_SECRET }));
    const issued = await t.post('/oauth/token', {
      grant_type: 'password',
      client_id: 'plain',
      client_secret: OTHER_SECRET,
      username: t.alice.email,
      password: PASSWORD,
      scope: 'openid offline_access',
    });
    const { refresh_token } = await json(issued);
    const res = await delegate(refresh_token, { client_id: 'plain', client_secret: OTHER_SECRET });
    expect(res.status).toBe(403);
    expect((await json(res)).error).toBe('unauthorized_client');
  });

  it('applies the refresh-token rate limit per token and address', async () => {
    const { refresh_token } = await t.login('web');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await delegate(refresh_token)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});
