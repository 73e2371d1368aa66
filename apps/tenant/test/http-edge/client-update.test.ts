import { ManagementError } from 'auth0';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD, WEB_SECRET } from '../fixtures.ts';
import { managementHarness, type ManagementHarness } from '../management/helpers.ts';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
let h: ManagementHarness;
beforeEach(async () => {
  h = await managementHarness();
});
afterEach(() => h.stop());

/** The SDK's error for a refused update: status and Auth0's errorCode. */
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (err: unknown) =>
      err instanceof ManagementError ? `${err.statusCode} ${(err.body as { errorCode?: string }).errorCode}` : err,
  );

const passwordGrant = (clientId: string) =>
  h.post('/oauth/token', {
    grant_type: 'password',
    client_id: clientId,
    ...(clientId === 'web' ? { client_secret: WEB_SECRET } : {}),
    username: h.alice.email,
    password: PASSWORD,
    scope: 'openid offline_access',
  });

describe('PATCH /api/v2/clients/{id} through the SDK (clients.update)', () => {
  it('switches grant_types, and /oauth/token honours the change at once', async () => {
    expect((await passwordGrant('web')).status).toBe(200);
    const updated = await h.api.clients.update('web', { grant_types: ['authorization_code', 'refresh_token'] });
    expect(updated.grant_types).toEqual(['authorization_code', 'refresh_token']);
    const refused = await passwordGrant('web');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'unauthorized_client' });
    await h.api.clients.update('web', { grant_types: ['authorization_code', 'refresh_token', 'password'] });
    expect((await passwordGrant('web')).status).toBe(200);
  });

  it('grants and withdraws the legacy jwt-bearer grant that /delegation needs', async () => {
    await h.api.settings.update({ flags: { allow_legacy_delegation_grant_types: true } });
    const { refresh_token } = await h.login('web');
    const delegate = () =>
      h.post('/delegation', {
        grant_type: JWT_BEARER,
        client_id: 'web',
        client_secret: WEB_SECRET,
        refresh_token,
        api_type: 'app',
      });
    expect((await delegate()).status).toBe(403);
    await h.api.clients.update('web', { grant_types: ['authorization_code', 'refresh_token', 'password', JWT_BEARER] });
    expect((await h.api.clients.get('web')).grant_types).toContain(JWT_BEARER);
    const ok = await delegate();
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(await ok.json()).toMatchObject({ token_type: 'Bearer', id_token: expect.any(String) });
    await h.api.clients.update('web', { grant_types: ['authorization_code', 'refresh_token', 'password'] });
    const refused = await delegate();
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'unauthorized_client' });
  });

  it('keeps a client with the legacy grant editable after the tenant flag is turned off', async () => {
    await h.api.settings.update({ flags: { allow_legacy_delegation_grant_types: true } });
    await h.api.clients.update('mobile', { grant_types: ['refresh_token', 'password', JWT_BEARER] });
    await h.api.settings.update({ flags: { allow_legacy_delegation_grant_types: false } });
    expect((await h.api.clients.update('mobile', { name: 'Mobile, renamed' })).name).toBe('Mobile, renamed');
    expect(await refusal(h.api.clients.update('mobile', { grant_types: ['refresh_token', JWT_BEARER] }))).toBe(
      '400 invalid_body',
    );
  });

  it('updates callbacks, logout URLs, web origins, app type, auth method, refresh token policy, name and description', async () => {
    const updated = await h.api.clients.update('web', {
      name: 'Web, renamed',
      description: 'The web app',
      callbacks: ['https://web.test/callback', 'com.example.app://callback'],
      allowed_logout_urls: ['https://web.test/'],
      web_origins: ['https://web.test', 'https://*.web.test'],
      app_type: 'spa',
      token_endpoint_auth_method: 'client_secret_basic',
      refresh_token: {
        rotation_type: 'rotating',
        expiration_type: 'expiring',
        token_lifetime: 3600,
        idle_token_lifetime: 1800,
        infinite_token_lifetime: false,
        infinite_idle_token_lifetime: false,
      },
    });
    const expected = {
      name: 'Web, renamed',
      description: 'The web app',
      callbacks: ['https://web.test/callback', 'com.example.app://callback'],
      allowed_logout_urls: ['https://web.test/'],
      web_origins: ['https://web.test', 'https://*.web.test'],
      app_type: 'spa',
      token_endpoint_auth_method: 'client_secret_basic',
      refresh_token: expect.objectContaining({ rotation_type: 'rotating', token_lifetime: 3600 }),
    };
    expect(updated).toMatchObject(expected);
    expect(await h.api.clients.get('web')).toMatchObject(expected);
    // The new callback is the only one /authorize accepts now.
    const authorize = (redirect: string) =>
      h.tenant.app.request(
        `/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'web', redirect_uri: redirect, scope: 'openid' })}`,
      );
    expect((await authorize('https://app.test/callback')).status).toBe(400);
    expect((await authorize('https://web.test/callback')).status).toBe(200);
  });

  it('refuses what Auth0 refuses, with 400 invalid_body, and changes nothing', async () => {
    const before = await h.api.clients.get('mobile');
    const cases: [string, Parameters<typeof h.api.clients.update>[1]][] = [
      ['an unknown grant type', { grant_types: ['authorization_code', 'magic'] }],
      ['client_credentials on a public client', { grant_types: ['client_credentials'] }],
      ['a repeated grant type', { grant_types: ['password', 'password'] }],
      ['the legacy delegation grant while the tenant flag is off', { grant_types: ['refresh_token', JWT_BEARER] }],
      ['a callback that is not a URL', { callbacks: ['not a url'] }],
      ['a callback with a fragment', { callbacks: ['https://app.test/cb#x'] }],
      ['a web origin with a path', { web_origins: ['https://app.test/path'] }],
      ['a logout URL with a NUL', { allowed_logout_urls: ['https://app.test/\u0000'] }],
      ['an app type the tenant does not model', { app_type: 'box' }],
      ['a name with markup', { name: '<b>x</b>' }],
      ['a description over 140 characters', { description: 'x'.repeat(141) }],
      ['rotation without expiry', { refresh_token: { rotation_type: 'rotating', expiration_type: 'non-expiring' } }],
      ['a field Auth0 does not have', { logo_url: 'https://app.test/logo.png' } as never],
      ['a logo that is not a URL', { logo_uri: 'logo.png' }],
    ];
    for (const [name, body] of cases) {
      expect(await refusal(h.api.clients.update('mobile', body)), name).toBe('400 invalid_body');
    }
    expect(await h.api.clients.get('mobile')).toEqual(before);
  });
});
