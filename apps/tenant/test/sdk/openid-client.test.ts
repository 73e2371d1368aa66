import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/observability/logger.ts';
import { DEMO } from '../../src/demo/demo-data.ts';
import { testStorage } from '../fixtures.ts';
import { listeningTenant } from '../server.ts';

let server: Awaited<ReturnType<typeof listeningTenant>>;
const where = testStorage();
beforeAll(async () => {
  server = await listeningTenant({
    storage: where.storage,
    ...(where.schema ? { schema: where.schema } : {}),
    demo: true,
    logger: silentLogger,
  });
});
afterAll(async () => {
  await server.close();
  await where.cleanup();
});

/** Follows /authorize like a browser: the login page, its form, the redirect. */
async function signIn(authorizationUrl: URL, email: string, password: string): Promise<URL> {
  const page = await fetch(authorizationUrl, { redirect: 'manual' });
  expect(page.status).toBe(200);
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const html = await page.text();
  expect(html).toContain('<form method="post" action="/u/login">');
  const tx = /name="tx" value="([^"]+)"/.exec(html)![1]!;
  const res = await fetch(new URL('/u/login', authorizationUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ tx, username: email, password }),
  });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

/** The demo's public mobile app (rotating refresh tokens, no reuse interval), discovered. */
const mobileApp = () =>
  oidc.discovery(new URL(server.url), DEMO.clients.mobile.client_id, undefined, oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });

/** Code + PKCE through the login form, as the mobile app signs Jane in. */
async function signedIn(config: oidc.Configuration) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const redirectUri = 'http://127.0.0.1:8765/callback';
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email offline_access read:orders',
    audience: DEMO.api.identifier,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    device: 'openid-client test phone',
  });
  const callback = await signIn(url, DEMO.sampleUser.email, DEMO.endUserPassword);
  expect(callback.origin + callback.pathname).toBe(redirectUri);
  return oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
}

describe('the tenant driven by openid-client over HTTP', () => {
  it('discovery, code + PKCE through the login form, refresh with rotation, userinfo, revoke', async () => {
    const config = await mobileApp();
    expect(config.serverMetadata().issuer).toBe(server.url);

    const tokens = await signedIn(config);
    expect(tokens.refresh_token).toBeTruthy();
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(DEMO.sampleUser.user_id);
    expect(claims.sid).toBeTypeOf('string');

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()!.sub).toBe(claims.sub);

    // fetchUserInfo refuses an answer whose sub is not the ID token's (OIDC Core 5.3.2).
    const info = await oidc.fetchUserInfo(config, refreshed.access_token, claims.sub);
    expect(info).toMatchObject({ sub: claims.sub, email: DEMO.sampleUser.email, name: DEMO.sampleUser.name });
    await expect(oidc.fetchUserInfo(config, refreshed.access_token, 'auth0|someone-else')).rejects.toMatchObject({
      code: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
    });

    await oidc.tokenRevocation(config, refreshed.refresh_token!);
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
      error_description: 'Unknown or invalid refresh token.',
    });
  });

  it('a rotated-away refresh token presented again is invalid_grant, and its successor goes with it', async () => {
    const config = await mobileApp();
    const tokens = await signedIn(config);
    const successor = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(successor.refresh_token).not.toBe(tokens.refresh_token);

    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
      error_description: 'Unknown or invalid refresh token.',
    });
    // Reuse revokes the whole family: the token the thief or the app holds now is no good either.
    await expect(oidc.refreshTokenGrant(config, successor.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('a confidential client with client_secret_basic, when that is its registered method', async () => {
    const { store } = server.tenant.deps;
    const web = (await store.directory.getClient(DEMO.clients.web.client_id))!;
    const post = await oidc.discovery(
      new URL(server.url),
      web.client_id,
      undefined,
      oidc.ClientSecretPost(DEMO.clients.web.secret),
      { execute: [oidc.allowInsecureRequests] },
    );
    await store.directory.putClient({ ...web, token_endpoint_auth_method: 'client_secret_basic' });
    // The method it is no longer registered for is refused.
    await expect(
      oidc.genericGrantRequest(post, 'password', { username: DEMO.sampleUser.email, password: DEMO.endUserPassword }),
    ).rejects.toMatchObject({ error: 'invalid_client' });
    const config = await oidc.discovery(
      new URL(server.url),
      DEMO.clients.web.client_id,
      undefined,
      oidc.ClientSecretBasic(DEMO.clients.web.secret),
      { execute: [oidc.allowInsecureRequests] },
    );
    const tokens = await oidc.genericGrantRequest(config, 'password', {
      username: DEMO.sampleUser.email,
      password: DEMO.endUserPassword,
      scope: 'openid offline_access',
    });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    // Non-rotating: no new refresh token, the old one keeps working.
    expect(refreshed.refresh_token).toBeUndefined();
    await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    await store.directory.putClient(web);
  });
});
