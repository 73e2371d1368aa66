import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API, ISSUER, M2M_SECRET, PASSWORD, testTenant, WEB_SECRET, type TestTenant } from './fixtures.ts';
import { json } from './http.ts';
import { authorize, pkce } from './browser.ts';

let t: TestTenant;
beforeEach(async () => {
  t = await testTenant();
});
afterEach(() => t.close());

const verify = (token: string, audience: string) =>
  jwtVerify(token, createLocalJWKSet(t.tenant.deps.keys.jwks()), { issuer: ISSUER, audience, currentDate: new Date(t.clock.now()) });

describe('POST /oauth/token grant_type=password', () => {
  it('issues access, ID and refresh tokens, the refresh token on the named device', async () => {
    const tokens = await t.login('mobile', { device: 'Pixel 8', audience: API, scope: 'openid email offline_access read:things' });
    const { payload: at } = await verify(tokens.access_token, API);
    expect(at).toMatchObject({ sub: t.alice.user_id, azp: 'mobile', scope: 'openid email offline_access read:things' });
    const { payload: id } = await verify(tokens.id_token!, 'mobile');
    expect(id).toMatchObject({ sub: t.alice.user_id, email: t.alice.email });
    const { items } = await t.store.listRefreshTokens({ user_id: t.alice.user_id }, t.clock.now(), undefined, 10);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ client_id: 'mobile', device_name: 'Pixel 8', rotating: true, audience: API, session_id: null });
    expect(items[0]!.resource_servers).toEqual([{ audience: API, scopes: 'openid email offline_access read:things' }]);
  });

  it('answers a wrong password with 403 invalid_grant and the same for an unknown user', async () => {
    for (const username of [t.alice.email, 'nobody@test.example']) {
      const res = await t.post('/oauth/token', { grant_type: 'password', client_id: 'mobile', username, password: 'wrong' });
      expect(res.status).toBe(403);
      expect(await json(res)).toEqual({ error: 'invalid_grant', error_description: 'Wrong email or password.' });
    }
  });

  it('throttles repeated failures for one account and address with 429, even for the right password then', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 11; i++) {
      last = await t.post('/oauth/token', { grant_type: 'password', client_id: 'mobile', username: t.alice.email, password: 'guess' + i });
    }
    expect(last!.status).toBe(429);
    expect(last!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await t.post('/oauth/token', { grant_type: 'password', client_id: 'mobile', username: t.alice.email, password: PASSWORD })).status).toBe(429);
    t.clock.advanceSeconds(15 * 60 + 1);
    expect((await t.post('/oauth/token', { grant_type: 'password', client_id: 'mobile', username: t.alice.email, password: PASSWORD })).status).toBe(200);
  });

  it('counts before verifying: 30 parallel wrong passwords for one account get at most 10 verdicts, the rest 429', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => t.post('/oauth/token', { grant_type: 'password', client_id: 'mobile', username: t.alice.email, password: `guess${i}` })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 403)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    expect((await t.post('/oauth/token', { grant_type: 'password', client_id: 'mobile', username: t.alice.email, password: PASSWORD })).status).toBe(429);
  });

  it('does not count successful sign-ins: twenty in a row, five at a time, never lock an account out', async () => {
    for (let batch = 0; batch < 4; batch++) {
      const tokens = await Promise.all(Array.from({ length: 5 }, () => t.login('mobile')));
      for (const token of tokens) expect(token.access_token).toEqual(expect.any(String));
    }
  });

  describe('behind a trusted proxy: limits per account across addresses and per address across accounts', () => {
    let p: TestTenant;
    beforeEach(async () => {
      // Smaller limits than the defaults (10 / 50 / 100), so the test needs few slow password checks.
      p = await testTenant({ options: { trustProxy: 1 }, signInLimits: { perAccountAndAddress: 3, perAccount: 5, perAddress: 8 } });
    });
    afterEach(() => p.close());
    const attempt = (username: string, ip: string, password = 'wrong') =>
      p.post('/oauth/token', { grant_type: 'password', client_id: 'mobile', username, password }, { 'x-forwarded-for': ip });

    it('stops a distributed guess at one account after its limit of failures from any addresses', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await attempt(p.alice.email, `198.51.100.${i}`)).status);
      expect(statuses).toEqual([403, 403, 403, 403, 403, 429]);
      // Another account is untouched.
      expect((await attempt(p.bob.email, '198.51.100.200', PASSWORD)).status).toBe(200);
    });

    it('counts nothing against an account for attempts its address was already refused for', async () => {
      for (let i = 0; i < 8; i++) expect((await attempt(`user${i}@test.example`, '203.0.113.50')).status).toBe(403);
      // The address is spent: these are refused before anything else is counted...
      for (let i = 0; i < 6; i++) expect((await attempt(p.alice.email, '203.0.113.50')).status).toBe(429);
      // ...so the account, limited to 5 failures, is not locked by them.
      expect((await attempt(p.alice.email, '203.0.113.51', PASSWORD)).status).toBe(200);
    });

    it('stops password spraying from one address after its limit of failures across accounts', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 9; i++) statuses.push((await attempt(`user${i}@test.example`, '203.0.113.9')).status);
      expect(statuses).toEqual([403, 403, 403, 403, 403, 403, 403, 403, 429]);
      // The same address, a real account, the right password: still held back until the window passes.
      expect((await attempt(p.alice.email, '203.0.113.9', PASSWORD)).status).toBe(429);
      expect((await attempt(p.alice.email, '203.0.113.10', PASSWORD)).status).toBe(200);
    });
  });

  it('gives no refresh token without offline_access', async () => {
    const tokens = await t.login('mobile', { scope: 'openid' });
    expect(tokens.refresh_token).toBeUndefined();
  });

  it('refuses a client not allowed the grant with 403 unauthorized_client', async () => {
    const res = await t.post('/oauth/token', { grant_type: 'password', client_id: 'm2m', client_secret: M2M_SECRET, username: 'a', password: 'b' });
    expect(res.status).toBe(403);
    expect((await json(res)).error).toBe('unauthorized_client');
  });
});

describe('POST /oauth/token grant_type=client_credentials', () => {
  it('issues a Management API token with the client grant scopes', async () => {
    const token = await t.managementToken();
    const { payload } = await verify(token, `${ISSUER}api/v2/`);
    expect(payload.sub).toBe('m2m@clients');
    expect(payload.gty).toBe('client-credentials');
    expect(String(payload.scope).split(' ')).toContain('delete:refresh_tokens');
  });

  it('accepts client_secret_basic from a client registered for it', async () => {
    const m2m = (await t.store.getClient('m2m'))!;
    await t.store.putClient({ ...m2m, token_endpoint_auth_method: 'client_secret_basic' });
    const res = await t.post(
      '/oauth/token',
      { grant_type: 'client_credentials', audience: API },
      { authorization: `Basic ${Buffer.from(`m2m:${M2M_SECRET}`).toString('base64')}` },
    );
    expect(res.status).toBe(200);
    expect(decodeJwt(((await json(res)) as { access_token: string }).access_token).scope).toBe('read:things');
  });

  it('enforces the registered token_endpoint_auth_method: a post client may not use Basic, nor a basic client the body', async () => {
    const basic = { authorization: `Basic ${Buffer.from(`m2m:${M2M_SECRET}`).toString('base64')}` };
    const viaBasic = await t.post('/oauth/token', { grant_type: 'client_credentials', audience: API }, basic);
    expect(viaBasic.status).toBe(401);
    expect((await json(viaBasic)).error).toBe('invalid_client');
    const m2m = (await t.store.getClient('m2m'))!;
    await t.store.putClient({ ...m2m, token_endpoint_auth_method: 'client_secret_basic' });
    const viaBody = await t.post('/oauth/token', { grant_type: 'client_credentials', client_id: 'm2m', client_secret: M2M_SECRET, audience: API });
    expect(viaBody.status).toBe(401);
  });

  it('refuses a public client that presents a secret', async () => {
    const res = await t.post('/oauth/token', { grant_type: 'password', client_id: 'mobile', client_secret: 'anything', username: t.alice.email, password: PASSWORD });
    expect(res.status).toBe(401);
    expect((await json(res)).error).toBe('invalid_client');
  });

  it('decodes Basic strictly (RFC 6749 2.3.1): form-urlencoded id and secret, canonical base64 only', async () => {
    const m2m = (await t.store.getClient('m2m'))!;
    await t.store.putClient({ ...m2m, client_id: 'm2m two', token_endpoint_auth_method: 'client_secret_basic' });
    await t.store.putClientGrant({ id: 'cgr_two', client_id: 'm2m two', audience: API, scope: ['read:things'] });
    const basic = (raw: string) => ({ authorization: `Basic ${raw}` });
    const encoded = Buffer.from(`m2m+two:${M2M_SECRET}`).toString('base64');
    // "+" is a space in a form-urlencoded id.
    expect((await t.post('/oauth/token', { grant_type: 'client_credentials', audience: API }, basic(encoded))).status).toBe(200);
    // Base64 with characters outside the alphabet, missing padding, or invalid UTF-8 is refused.
    expect((await t.post('/oauth/token', { grant_type: 'client_credentials', audience: API }, basic(`${encoded}!`))).status).toBe(401);
    // Percent-encoding too; this one ends in "=" padding, and without it the header is refused.
    const padded = Buffer.from(`m2m%20two:${M2M_SECRET}`).toString('base64');
    expect(padded.endsWith('=')).toBe(true);
    expect((await t.post('/oauth/token', { grant_type: 'client_credentials', audience: API }, basic(padded))).status).toBe(200);
    expect((await t.post('/oauth/token', { grant_type: 'client_credentials', audience: API }, basic(padded.replace(/=+$/, '')))).status).toBe(401);
    expect((await t.post('/oauth/token', { grant_type: 'client_credentials', audience: API }, basic(Buffer.from([0x6d, 0x3a, 0xff, 0xfe]).toString('base64')))).status).toBe(401);
  });

  it('refuses scopes beyond the client grant, and APIs without one', async () => {
    const wide = await t.post('/oauth/token', { grant_type: 'client_credentials', client_id: 'm2m', client_secret: M2M_SECRET, audience: API, scope: 'write:things' });
    expect(wide.status).toBe(403);
    expect((await json(wide)).error).toBe('access_denied');
    const unknown = await t.post('/oauth/token', { grant_type: 'client_credentials', client_id: 'm2m', client_secret: M2M_SECRET, audience: 'https://nope/' });
    expect(unknown.status).toBe(403);
  });

  it('answers a wrong secret with 401 invalid_client', async () => {
    const res = await t.post('/oauth/token', { grant_type: 'client_credentials', client_id: 'm2m', client_secret: 'wrong', audience: API });
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
  });
});

describe('GET /authorize and grant_type=authorization_code', () => {
  const start = (extra: Record<string, string> = {}) => {
    const { verifier, challenge } = pkce();
    return {
      verifier,
      params: {
        response_type: 'code',
        client_id: 'mobile',
        redirect_uri: 'https://app.test/callback',
        scope: 'openid profile offline_access read:things',
        audience: API,
        state: 'st4te',
        nonce: 'n0nce',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        device: 'iPhone 15',
        ...extra,
      },
    };
  };

  it('logs in through the form, records consent and a session, and exchanges the code with PKCE', async () => {
    const { params, verifier } = start();
    const { location } = await authorize(t, params, { username: t.alice.email, password: PASSWORD });
    expect(location.origin + location.pathname).toBe('https://app.test/callback');
    expect(location.searchParams.get('state')).toBe('st4te');
    const res = await t.post('/oauth/token', {
      grant_type: 'authorization_code',
      client_id: 'mobile',
      code: location.searchParams.get('code')!,
      redirect_uri: 'https://app.test/callback',
      code_verifier: verifier,
    });
    expect(res.status).toBe(200);
    const tokens = (await json(res)) as { id_token: string; refresh_token: string };
    const { payload } = await verify(tokens.id_token, 'mobile');
    expect(payload.nonce).toBe('n0nce');
    expect(payload.sid).toBeTypeOf('string');
    const [token] = (await t.store.listRefreshTokens({ user_id: t.alice.user_id }, t.clock.now(), undefined, 5)).items;
    expect(token).toMatchObject({ device_name: 'iPhone 15', session_id: payload.sid });
    expect(await t.store.findGrant(t.alice.user_id, 'mobile', API)).toMatchObject({ scope: ['openid', 'profile', 'offline_access', 'read:things'] });
    expect(await t.store.getSession(payload.sid as string)).toMatchObject({ user_id: t.alice.user_id, clients: ['mobile'] });
  });

  it('uses the session for a second authorization without the form (SSO), and prompt=none without one fails', async () => {
    const first = await authorize(t, start().params, { username: t.alice.email, password: PASSWORD });
    const second = await authorize(t, start().params, null, first.jar);
    expect(second.location.searchParams.get('code')).toBeTruthy();
    const none = await authorize(t, start({ prompt: 'none' }).params, null);
    expect(none.location.searchParams.get('error')).toBe('login_required');
  });

  it('refuses a code twice, with a wrong verifier, or with another redirect_uri', async () => {
    const { params, verifier } = start();
    const { location } = await authorize(t, params, { username: t.alice.email, password: PASSWORD });
    const code = location.searchParams.get('code')!;
    const exchange = (extra: Record<string, string>) =>
      t.post('/oauth/token', { grant_type: 'authorization_code', client_id: 'mobile', code, redirect_uri: 'https://app.test/callback', ...extra });
    expect((await exchange({ code_verifier: pkce().verifier })).status).toBe(403);
    // The failed attempt consumed the code: a code is good for one try.
    expect((await exchange({ code_verifier: verifier })).status).toBe(403);

    const again = await authorize(t, start().params, { username: t.alice.email, password: PASSWORD });
    const res = await t.post('/oauth/token', {
      grant_type: 'authorization_code',
      client_id: 'mobile',
      code: again.location.searchParams.get('code')!,
      redirect_uri: 'https://app.test/other',
      code_verifier: verifier,
    });
    expect(res.status).toBe(403);
    expect((await json(res)).error).toBe('invalid_grant');
  });

  it('refuses a code_verifier for a code issued without a challenge (no PKCE downgrade)', async () => {
    const { params } = start({ client_id: 'web' });
    const { code_challenge: _c, code_challenge_method: _m, ...withoutPkce } = params;
    const exchange = async (extra: Record<string, string>) => {
      const { location } = await authorize(t, withoutPkce, { username: t.alice.email, password: PASSWORD });
      return t.post('/oauth/token', { grant_type: 'authorization_code', client_id: 'web', client_secret: WEB_SECRET, code: location.searchParams.get('code')!, redirect_uri: 'https://app.test/callback', ...extra });
    };
    const downgraded = await exchange({ code_verifier: pkce().verifier });
    expect(downgraded.status).toBe(403);
    expect(await json(downgraded)).toMatchObject({ error: 'invalid_grant' });
    expect((await exchange({})).status).toBe(200);
  });

  it('revokes the refresh token issued from a code when the code is presented again (RFC 6749 4.1.2), and logs it', async () => {
    const { params, verifier } = start();
    const { location } = await authorize(t, params, { username: t.alice.email, password: PASSWORD });
    const redeem = () =>
      t.post('/oauth/token', { grant_type: 'authorization_code', client_id: 'mobile', code: location.searchParams.get('code')!, redirect_uri: 'https://app.test/callback', code_verifier: verifier });
    const first = await redeem();
    expect(first.status).toBe(200);
    const { refresh_token } = (await json(first)) as { refresh_token: string };
    expect((await redeem()).status).toBe(403);
    const refused = await t.refresh(refresh_token);
    expect(refused.status).toBe(403);
    expect(t.logger.lines.some((line) => line.includes('authorization code reused'))).toBe(true);
  });

  it('requires PKCE for public clients and S256 as the method', async () => {
    const { params } = start();
    const { code_challenge: _c, code_challenge_method: _m, ...withoutPkce } = params;
    const missing = await authorize(t, withoutPkce, null);
    expect(missing.location.searchParams.get('error')).toBe('invalid_request');
    expect(missing.location.searchParams.get('state')).toBe('st4te');
    const plain = await authorize(t, { ...params, code_challenge_method: 'plain' }, null);
    expect(plain.location.searchParams.get('error')).toBe('invalid_request');
  });

  it('never redirects to an unregistered redirect_uri (no open redirect)', async () => {
    for (const redirect_uri of ['https://evil.test/callback', 'https://app.test/callback/../x', 'https://app.test/callback?x=1', '']) {
      const res = await t.tenant.app.request(`/authorize?${new URLSearchParams({ ...start().params, redirect_uri })}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
    const unknownClient = await t.tenant.app.request(`/authorize?${new URLSearchParams({ ...start().params, client_id: 'nope' })}`);
    expect(unknownClient.status).toBe(400);
  });

  it('shows the form again on a wrong password, without a session', async () => {
    const { loginPage, jar } = await authorize(t, start().params, { username: t.alice.email, password: 'nope' });
    expect(loginPage).toContain('Wrong email or password.');
    expect(jar.header()).not.toContain('tenant_session');
  });

  it('throttles a parallel burst of wrong passwords on the login form before checking them', async () => {
    const pages = await Promise.all(Array.from({ length: 15 }, (_, i) => authorize(t, start().params, { username: t.alice.email, password: `guess${i}` })));
    const wrong = pages.filter((p) => p.loginPage?.includes('Wrong email or password.'));
    const throttled = pages.filter((p) => p.loginPage?.includes('Too many attempts'));
    expect(wrong).toHaveLength(10);
    expect(throttled).toHaveLength(5);
  });

  it('refuses a login form posted without the browser cookie that started it', async () => {
    const res = await t.tenant.app.request(`/authorize?${new URLSearchParams(start().params)}`);
    const tx = /name="tx" value="([^"]+)"/.exec(await res.text())![1]!;
    const login = await t.post('/u/login', { tx, username: t.alice.email, password: PASSWORD });
    expect(login.status).toBe(400);
  });
});

describe('GET /userinfo', () => {
  it('answers the profile for a user access token and 401 otherwise', async () => {
    const tokens = await t.login('mobile', { scope: 'openid profile email' });
    const ok = await t.tenant.app.request('/userinfo', { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(await json(ok)).toMatchObject({ sub: t.alice.user_id, email: t.alice.email });
    const bad = await t.tenant.app.request('/userinfo', { headers: { authorization: 'Bearer abc.def.ghi' } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toContain('invalid_token');
  });
});

describe('discovery', () => {
  it('publishes the configuration and the RS256 key', async () => {
    const config = await json(await t.tenant.app.request('/.well-known/openid-configuration'));
    expect(config).toMatchObject({ issuer: ISSUER, token_endpoint: `${ISSUER}oauth/token`, revocation_endpoint: `${ISSUER}oauth/revoke` });
    const jwks = await json(await t.tenant.app.request('/.well-known/jwks.json'));
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0].d).toBeUndefined();
  });

  it('keeps the web client secret out of every response and log line', async () => {
    await t.login('web');
    expect(t.logger.lines.join('\n')).not.toContain(WEB_SECRET);
  });
});
