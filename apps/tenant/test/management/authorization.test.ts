import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, ISSUER, PASSWORD, WEB_SECRET } from '../fixtures.ts';
import { json } from '../http.ts';
import { managementHarness, type ManagementHarness } from './helpers.ts';

let h: ManagementHarness;
beforeAll(async () => {
  h = await managementHarness();
});
afterAll(() => h.stop());

/** Every endpoint and the scope it needs. */
const ENDPOINTS: [method: string, path: string, scope: string][] = [
  ['GET', '/users', 'read:users'],
  ['GET', '/users/auth0%7Calice', 'read:users'],
  ['GET', '/users/auth0%7Calice/refresh-tokens', 'read:refresh_tokens'],
  ['DELETE', '/users/auth0%7Calice/refresh-tokens', 'delete:refresh_tokens'],
  ['GET', '/users/auth0%7Calice/sessions', 'read:sessions'],
  ['DELETE', '/users/auth0%7Calice/sessions', 'delete:sessions'],
  // Auth0 accepts either scope on a user's logs.
  ['GET', '/users/auth0%7Calice/logs', 'read:logs,read:logs_users'],
  ['GET', '/refresh-tokens?user_id=auth0%7Calice', 'read:refresh_tokens'],
  ['GET', '/refresh-tokens/x', 'read:refresh_tokens'],
  ['DELETE', '/refresh-tokens/x', 'delete:refresh_tokens'],
  ['PATCH', '/refresh-tokens/x', 'update:refresh_tokens'],
  ['POST', '/refresh-tokens/revoke', 'delete:refresh_tokens'],
  ['GET', '/device-credentials', 'read:device_credentials'],
  ['DELETE', '/device-credentials/dcr_x', 'delete:device_credentials'],
  ['GET', '/grants', 'read:grants'],
  ['DELETE', '/grants/x', 'delete:grants'],
  ['DELETE', '/grants?user_id=auth0%7Calice', 'delete:grants'],
  ['GET', '/sessions/x', 'read:sessions'],
  ['DELETE', '/sessions/x', 'delete:sessions'],
  ['POST', '/sessions/x/revoke', 'delete:sessions'],
  ['GET', '/clients', 'read:clients'],
  ['GET', '/clients/web', 'read:clients'],
  ['PATCH', '/clients/web', 'update:clients'],
  ['GET', '/resource-servers', 'read:resource_servers'],
  ['POST', '/users', 'create:users'],
  ['PATCH', '/users/auth0%7Calice', 'update:users'],
  ['DELETE', '/users/auth0%7Calice', 'delete:users'],
  ['POST', '/clients', 'create:clients'],
  ['DELETE', '/clients/web', 'delete:clients'],
  ['POST', '/clients/web/rotate-secret', 'update:client_keys'],
  ['GET', '/resource-servers/api', 'read:resource_servers'],
  ['POST', '/resource-servers', 'create:resource_servers'],
  ['PATCH', '/resource-servers/api', 'update:resource_servers'],
  ['DELETE', '/resource-servers/api', 'delete:resource_servers'],
  ['GET', '/client-grants', 'read:client_grants'],
  ['GET', '/client-grants/cgr_2', 'read:client_grants'],
  ['POST', '/client-grants', 'create:client_grants'],
  ['PATCH', '/client-grants/cgr_2', 'update:client_grants'],
  ['DELETE', '/client-grants/cgr_2', 'delete:client_grants'],
  ['GET', '/tenants/settings', 'read:tenant_settings'],
  ['PATCH', '/tenants/settings', 'update:tenant_settings'],
];

describe('Management API authorization', () => {
  it.each(ENDPOINTS)('%s %s: 401 without a token, 403 insufficient_scope without %s', async (method, path, scope) => {
    const init = {
      method,
      headers: { 'content-type': 'application/json' },
      ...(method === 'PATCH' || method === 'POST' ? { body: '{}' } : {}),
    };
    const anonymous = await h.raw(path, { ...init, token: null });
    expect(anonymous.status).toBe(401);
    expect(await json(anonymous)).toMatchObject({ statusCode: 401, error: 'Unauthorized' });

    const needed = scope.split(',');
    const others = await h.managementToken(
      ENDPOINTS.flatMap(([, , s]) => s.split(','))
        .filter((s) => !needed.includes(s))
        .join(' '),
    );
    const forbidden = await h.raw(path, { ...init, token: others });
    expect(forbidden.status).toBe(403);
    expect(await json(forbidden)).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: `Insufficient scope, expected any of: ${scope}`,
      errorCode: 'insufficient_scope',
    });
  });

  it('refuses a token signed by another key, for another audience, or expired', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const now = Math.floor(h.clock.now() / 1000);
    const forged = await new SignJWT({ scope: 'read:users' })
      .setProtectedHeader({ alg: 'RS256', kid: h.tenant.deps.keys.kid })
      .setIssuer(ISSUER)
      .setAudience(`${ISSUER}api/v2/`)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(privateKey);
    expect((await h.raw('/users', { token: forged })).status).toBe(401);
    const userToken = (await h.login('mobile')).access_token;
    expect((await h.raw('/users', { token: userToken })).status).toBe(401);
    expect((await h.raw('/users', { token: 'not.a.jwt' })).status).toBe(401);
    const res = await h.raw('/users', { headers: { authorization: 'Basic abc' }, token: null });
    expect(res.status).toBe(401);

    const token = await h.managementToken();
    h.clock.advanceSeconds(86_401);
    const expired = await h.raw('/users', { token });
    expect(expired.status).toBe(401);
    expect((await json(expired)).message).toBe('Expired token received for JSON Web Token validation');
  });

  it('refuses a token it has already accepted once it expires, and the same token with its signature altered', async () => {
    // The signature of a token is verified once (management/verified-bearer-tokens.ts): time is checked on every use.
    const token = await h.managementToken();
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number };
    expect((await h.raw('/users', { token })).status).toBe(200);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const altered = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    const refusedAltered = await h.raw('/users', { token: altered });
    expect(refusedAltered.status).toBe(401);
    expect((await json(refusedAltered)).message).toBe('Invalid token');

    // One second before `exp` it is still good; at `exp` it is expired, as jose decides it (no tolerance).
    h.clock.advance(exp * 1000 - 1000 - h.clock.now());
    expect((await h.raw('/users', { token })).status).toBe(200);
    h.clock.advanceSeconds(1);
    const expired = await h.raw('/users', { token });
    expect(expired.status).toBe(401);
    expect((await json(expired)).message).toBe('Expired token received for JSON Web Token validation');
  });

  it("answers unknown paths with a 404 in Auth0's body, and sends rate-limit headers", async () => {
    const token = await h.managementToken();
    const res = await h.raw('/nothing-here', { token });
    expect(res.status).toBe(404);
    expect(await json(res)).toMatchObject({ statusCode: 404, error: 'Not Found' });
    // The clock stands still, so these requests share one window of the per-client limit.
    const limit = h.tenant.deps.options.managementRequestsPerSecond;
    const now = h.clock.now();
    const first = await h.raw('/tenants/settings', { token });
    const second = await h.raw('/tenants/settings', { token });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    for (const res of [first, second]) expect(Number(res.headers.get('x-ratelimit-limit'))).toBe(limit);
    const remaining = Number(first.headers.get('x-ratelimit-remaining'));
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThan(limit);
    expect(Number(second.headers.get('x-ratelimit-remaining'))).toBe(remaining - 1);
    // Epoch seconds of the window's end: after now, within one window (1 s) of it, rounded up.
    for (const res of [first, second]) {
      const reset = Number(res.headers.get('x-ratelimit-reset'));
      expect(Number.isInteger(reset)).toBe(true);
      expect(reset).toBeGreaterThan(Math.floor(now / 1000));
      expect(reset).toBeLessThanOrEqual(Math.ceil((now + 1000) / 1000));
    }
  });
});

/** Every scope the endpoints above need: what an attacker would ask for. */
const ALL_SCOPES = [...new Set(ENDPOINTS.map(([, , s]) => s))].join(' ');

describe('Management API: only client_credentials tokens of a client with a client grant', () => {
  const init = (method: string) => ({
    method,
    headers: { 'content-type': 'application/json' },
    ...(method === 'PATCH' || method === 'POST' ? { body: '{}' } : {}),
  });

  it.each(ENDPOINTS)(
    'a user token asking every administrative scope for the Management API gets none: %s %s',
    async (method, path) => {
      // The password grant of a public client, audience = the Management API: Auth0 grants at most *:current_user scopes.
      const issued = await h.post('/oauth/token', {
        grant_type: 'password',
        client_id: 'mobile',
        username: h.alice.email,
        password: PASSWORD,
        audience: `${ISSUER}api/v2/`,
        scope: `openid ${ALL_SCOPES}`,
      });
      if (issued.status === 200) {
        const body = await json(issued);
        expect(body.scope.split(' ').filter((s: string) => ALL_SCOPES.split(' ').includes(s))).toEqual([]);
        const res = await h.raw(path, { ...init(method), token: body.access_token });
        expect([401, 403]).toContain(res.status);
      } else {
        expect(issued.status).toBe(403);
      }
    },
  );

  it.each(ENDPOINTS)(
    'a token signed with the tenant key but without gty client-credentials is refused: %s %s',
    async (method, path) => {
      const now = Math.floor(h.clock.now() / 1000);
      const forged = await h.tenant.deps.keys.sign(
        {
          iss: ISSUER,
          sub: h.alice.user_id,
          aud: [`${ISSUER}api/v2/`, `${ISSUER}userinfo`],
          iat: now,
          exp: now + 600,
          scope: ALL_SCOPES,
          azp: 'mobile',
        },
        'at+jwt',
      );
      const res = await h.raw(path, { ...init(method), token: forged });
      expect([401, 403]).toContain(res.status);
    },
  );

  it('refuses a client-credentials-looking token whose subject is not its client, or whose client has no client grant', async () => {
    const now = Math.floor(h.clock.now() / 1000);
    const base = {
      iss: ISSUER,
      aud: `${ISSUER}api/v2/`,
      iat: now,
      exp: now + 600,
      scope: ALL_SCOPES,
      gty: 'client-credentials',
    };
    const userSubject = await h.tenant.deps.keys.sign({ ...base, sub: h.alice.user_id, azp: 'm2m' }, 'at+jwt');
    expect((await h.raw('/users', { token: userSubject })).status).toBe(401);
    const noGrant = await h.tenant.deps.keys.sign({ ...base, sub: 'web@clients', azp: 'web' }, 'at+jwt');
    expect((await h.raw('/users', { token: noGrant })).status).toBe(403);
  });

  it('answers client_credentials for the Management API with 403 access_denied when the client has no client grant', async () => {
    // A machine-to-machine application of its own, allowed the grant type, but with no client grant.
    await h.store.directory.putClient(
      client({
        client_id: 'm2m-ungranted',
        secret: WEB_SECRET,
        app_type: 'non_interactive',
        grant_types: ['client_credentials'],
      }),
    );
    const res = await h.post('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: 'm2m-ungranted',
      client_secret: WEB_SECRET,
      audience: `${ISSUER}api/v2/`,
    });
    expect(res.status).toBe(403);
    expect(await json(res)).toMatchObject({
      error: 'access_denied',
      error_description: `Client is not authorized to access "${ISSUER}api/v2/". You need to create a "client-grant" associated to this API.`,
    });
  });

  it('bounds a token by its client grant at the time of use: a narrowed grant takes scopes away at once', async () => {
    const t = await managementHarness();
    try {
      const token = await t.managementToken();
      expect((await t.raw('/users', { token })).status).toBe(200);
      await t.store.directory.putClientGrant({
        id: 'cgr_1',
        client_id: 'm2m',
        audience: `${ISSUER}api/v2/`,
        scope: ['read:clients'],
      });
      expect((await t.raw('/users', { token })).status).toBe(403);
      expect((await t.raw('/clients', { token })).status).toBe(200);
    } finally {
      await t.stop();
    }
  });

  it('lets a user token with read:current_user read that user alone', async () => {
    const issued = await json(
      await h.post('/oauth/token', {
        grant_type: 'password',
        client_id: 'mobile',
        username: h.alice.email,
        password: PASSWORD,
        audience: `${ISSUER}api/v2/`,
        scope: 'openid read:current_user read:users',
      }),
    );
    expect(issued.scope).toBe('openid read:current_user');
    const own = await h.raw(`/users/${encodeURIComponent(h.alice.user_id)}`, { token: issued.access_token });
    expect(own.status).toBe(200);
    expect((await json(own)).email).toBe(h.alice.email);
    expect((await h.raw(`/users/${encodeURIComponent(h.bob.user_id)}`, { token: issued.access_token })).status).toBe(
      403,
    );
    expect((await h.raw('/users', { token: issued.access_token })).status).toBe(403);
  });
});

describe('Management API rate limit', () => {
  it('answers 429 with Retry-After and x-ratelimit headers past the limit', async () => {
    const limited = await managementHarness({ options: { managementRequestsPerSecond: 3 } });
    try {
      const codes = [];
      for (let i = 0; i < 5; i++) codes.push((await limited.raw('/tenants/settings')).status);
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      const res = await limited.raw('/tenants/settings');
      expect(await json(res)).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
      limited.clock.advance(1000);
      expect((await limited.raw('/tenants/settings')).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});
