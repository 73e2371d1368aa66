import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API, PASSWORD, testTenant, WEB_SECRET, type TestTenant } from './fixtures.ts';
import { json } from './http.ts';
import { authorize, pkce } from './browser.ts';
import { verifyIssuedJwt } from './jwt.ts';

let t: TestTenant;
beforeEach(async () => {
  t = await testTenant();
});
afterEach(() => t.close());

const verify = (token: string, audience: string) => verifyIssuedJwt(t, token, audience);

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

  it('refuses a device name over 255 characters: back to the redirect_uri with invalid_request naming the limit', async () => {
    const { params } = start({ device: 'x'.repeat(256) });
    const res = await t.tenant.app.request(`/authorize?${new URLSearchParams(params)}`);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toBe('device must be at most 255 characters.');
  });

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
    const [token] = (
      await t.store.refreshTokens.listRefreshTokens({ user_id: t.alice.user_id }, t.clock.now(), undefined, 5)
    ).items;
    expect(token).toMatchObject({ device_name: 'iPhone 15', session_id: payload.sid });
    expect(await t.store.directory.findGrant(t.alice.user_id, 'mobile', API)).toMatchObject({
      scope: ['openid', 'profile', 'offline_access', 'read:things'],
    });
    expect(await t.store.sessions.getSession(payload.sid as string)).toMatchObject({
      user_id: t.alice.user_id,
      clients: ['mobile'],
    });
  });

  it('uses the session for a second authorization without the form (SSO), and prompt=none without one fails', async () => {
    const first = await authorize(t, start().params, { username: t.alice.email, password: PASSWORD });
    const second = await authorize(t, start().params, null, first.jar);
    expect(second.location.searchParams.get('code')).toBeTruthy();
    const none = await authorize(t, start({ prompt: 'none' }).params, null);
    expect(none.location.searchParams.get('error')).toBe('login_required');
  });

  it('max_age: a session authenticated longer ago asks for the password again, and the ID token carries the new auth_time', async () => {
    const exchange = async (location: URL, verifier: string) => {
      const res = await t.post('/oauth/token', {
        grant_type: 'authorization_code',
        client_id: 'mobile',
        code: location.searchParams.get('code')!,
        redirect_uri: 'https://app.test/callback',
        code_verifier: verifier,
      });
      const { payload } = await verify(((await json(res)) as { id_token: string }).id_token, 'mobile');
      return payload.auth_time;
    };
    const signedIn = t.clock.now();
    const first = start();
    const { jar, location } = await authorize(t, first.params, { username: t.alice.email, password: PASSWORD });
    expect(await exchange(location, first.verifier)).toBe(Math.floor(signedIn / 1000));
    t.clock.advanceSeconds(300);
    // Within max_age: SSO, and the auth_time of the first sign-in.
    const recent = start({ max_age: '600' });
    const sso = await authorize(t, recent.params, null, jar);
    expect(await exchange(sso.location, recent.verifier)).toBe(Math.floor(signedIn / 1000));
    t.clock.advanceSeconds(400);
    // Older than max_age: without credentials there is only the login form; prompt=none says so.
    await expect(authorize(t, start({ max_age: '600' }).params, null, jar)).rejects.toThrow(/authorize answered 200/);
    const none = await authorize(t, start({ max_age: '600', prompt: 'none' }).params, null, jar);
    expect(none.location.searchParams.get('error')).toBe('login_required');
    const again = start({ max_age: '600' });
    const reauth = await authorize(t, again.params, { username: t.alice.email, password: PASSWORD }, jar);
    expect(await exchange(reauth.location, again.verifier)).toBe(Math.floor(t.clock.now() / 1000));
    const bad = await authorize(t, start({ max_age: 'soon' }).params, null, jar);
    expect(bad.location.searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses a code with a wrong verifier, another redirect_uri or client, without consuming it; and twice', async () => {
    const { params, verifier } = start();
    const { location } = await authorize(t, params, { username: t.alice.email, password: PASSWORD });
    const code = location.searchParams.get('code')!;
    const exchange = (extra: Record<string, string>) =>
      t.post('/oauth/token', {
        grant_type: 'authorization_code',
        client_id: 'mobile',
        code,
        redirect_uri: 'https://app.test/callback',
        ...extra,
      });
    // Refused requests change nothing (as node-oidc-provider checks before it consumes): a wrong
    // verifier, another redirect_uri or another client leave the code to its rightful redemption.
    const wrongVerifier = await exchange({ code_verifier: pkce().verifier });
    expect(wrongVerifier.status).toBe(403);
    expect((await exchange({ code_verifier: verifier, redirect_uri: 'https://app.test/other' })).status).toBe(403);
    expect(
      (
        await t.post('/oauth/token', {
          grant_type: 'authorization_code',
          client_id: 'leeway',
          code,
          redirect_uri: 'https://app.test/callback',
          code_verifier: verifier,
        })
      ).status,
    ).toBe(403);
    expect((await exchange({})).status).toBe(403);
    expect((await exchange({ code_verifier: verifier })).status).toBe(200);
    // Redeemed: a second presentation is reuse.
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
      return t.post('/oauth/token', {
        grant_type: 'authorization_code',
        client_id: 'web',
        client_secret: WEB_SECRET,
        code: location.searchParams.get('code')!,
        redirect_uri: 'https://app.test/callback',
        ...extra,
      });
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
      t.post('/oauth/token', {
        grant_type: 'authorization_code',
        client_id: 'mobile',
        code: location.searchParams.get('code')!,
        redirect_uri: 'https://app.test/callback',
        code_verifier: verifier,
      });
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
    for (const redirect_uri of [
      'https://evil.test/callback',
      'https://app.test/callback/../x',
      'https://app.test/callback?x=1',
      '',
    ]) {
      const res = await t.tenant.app.request(`/authorize?${new URLSearchParams({ ...start().params, redirect_uri })}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
    const unknownClient = await t.tenant.app.request(
      `/authorize?${new URLSearchParams({ ...start().params, client_id: 'nope' })}`,
    );
    expect(unknownClient.status).toBe(400);
  });

  it('shows the form again on a wrong password, without a session', async () => {
    const { loginPage, jar } = await authorize(t, start().params, { username: t.alice.email, password: 'nope' });
    expect(loginPage).toContain('Wrong email or password.');
    expect(jar.header()).not.toContain('tenant_session');
  });

  it('throttles a parallel burst of wrong passwords on the login form before checking them', async () => {
    const pages = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        authorize(t, start().params, { username: t.alice.email, password: `guess${i}` }),
      ),
    );
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
