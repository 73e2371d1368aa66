import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API, WEB_SECRET, testTenant, type TestTenant } from './fixtures.ts';
import { json } from './http.ts';

let t: TestTenant;
beforeEach(async () => {
  t = await testTenant();
});
afterEach(() => t.close());

const setFlag = (on: boolean) =>
  t.store.settings.updateSettings((s) => ({ ...s, flags: { ...s.flags, revoke_refresh_token_grant: on } }));

describe('POST /oauth/revoke', () => {
  it('revokes the token: 200 with an empty body, and the token is refused from then on', async () => {
    const { refresh_token } = await t.login('mobile');
    const res = await t.post('/oauth/revoke', { client_id: 'mobile', token: refresh_token });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect((await t.refresh(refresh_token)).status).toBe(403);
  });

  it('with "Refresh Token Revocation Deletes Grant" off, keeps the grant and the other devices', async () => {
    await setFlag(false);
    const phone = await t.login('mobile', {
      device: 'phone',
      audience: API,
      scope: 'openid offline_access read:things',
    });
    const tablet = await t.login('mobile', {
      device: 'tablet',
      audience: API,
      scope: 'openid offline_access read:things',
    });
    await t.post('/oauth/revoke', { client_id: 'mobile', token: phone.refresh_token });
    expect((await t.refresh(phone.refresh_token)).status).toBe(403);
    expect((await t.refresh(tablet.refresh_token)).status).toBe(200);
    expect(await t.store.directory.findGrant(t.alice.user_id, 'mobile', API)).toBeDefined();
  });

  it('with the flag on, deletes the grant and every token of that user, application and audience', async () => {
    await setFlag(true);
    const phone = await t.login('mobile', {
      device: 'phone',
      audience: API,
      scope: 'openid offline_access read:things',
    });
    const tablet = await t.login('mobile', {
      device: 'tablet',
      audience: API,
      scope: 'openid offline_access read:things',
    });
    const otherAudience = await t.login('mobile', { device: 'tablet', scope: 'openid offline_access' });
    const otherApp = await t.login('web', { device: 'laptop' });
    const otherUser = await t.login('mobile', {
      username: t.bob.email,
      audience: API,
      scope: 'openid offline_access read:things',
    });

    expect((await t.post('/oauth/revoke', { client_id: 'mobile', token: phone.refresh_token })).status).toBe(200);
    // In force at once, before the background batch marks the rows.
    expect((await t.refresh(tablet.refresh_token)).status).toBe(403);
    expect(await t.store.directory.findGrant(t.alice.user_id, 'mobile', API)).toBeUndefined();
    expect((await t.refresh(otherAudience.refresh_token)).status).toBe(200);
    expect((await t.refresh(otherApp.refresh_token, 'web')).status).toBe(200);
    expect((await t.refresh(otherUser.refresh_token)).status).toBe(200);

    await t.tenant.deps.revocations.idle();
    const live = await t.store.refreshTokens.listRefreshTokens(
      { user_id: t.alice.user_id, client_id: 'mobile', audience: API },
      t.clock.now(),
      undefined,
      50,
    );
    expect(live.items).toEqual([]);
  });

  it('answers 200 for an unknown token and for a token of another client, which stays usable', async () => {
    const { refresh_token } = await t.login('web');
    expect((await t.post('/oauth/revoke', { client_id: 'mobile', token: 'not-a-token' })).status).toBe(200);
    const other = await t.post('/oauth/revoke', { client_id: 'mobile', token: refresh_token });
    expect(other.status).toBe(200);
    expect((await t.refresh(refresh_token, 'web')).status).toBe(200);
  });

  it('answers 400 invalid_request without the token, and 401 invalid_client for bad credentials', async () => {
    const missing = await t.post('/oauth/revoke', { client_id: 'mobile' });
    expect(missing.status).toBe(400);
    expect(await json(missing)).toEqual({
      error: 'invalid_request',
      error_description: 'Missing required parameter: token',
    });
    const { refresh_token } = await t.login('web');
    const wrong = await t.post('/oauth/revoke', { client_id: 'web', client_secret: 'wrong', token: refresh_token });
    expect(wrong.status).toBe(401);
    expect((await json(wrong)).error).toBe('invalid_client');
    const noSecret = await t.post('/oauth/revoke', { client_id: 'web', token: refresh_token });
    expect(noSecret.status).toBe(401);
    const unknown = await t.post('/oauth/revoke', { client_id: 'nope', token: refresh_token });
    expect(unknown.status).toBe(401);
    expect((await t.refresh(refresh_token, 'web')).status).toBe(200);
    const ok = await t.post('/oauth/revoke', { client_id: 'web', client_secret: WEB_SECRET, token: refresh_token });
    expect(ok.status).toBe(200);
    expect((await t.refresh(refresh_token, 'web')).status).toBe(403);
  });

  it('lets a public client revoke with its client_id alone (token_endpoint_auth_method none)', async () => {
    const { refresh_token } = await t.login('mobile');
    const res = await t.tenant.app.request('/oauth/revoke', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'mobile', token: refresh_token }),
    });
    expect(res.status).toBe(200);
    expect((await t.refresh(refresh_token)).status).toBe(403);
  });

  it('revokes the whole rotating token when an already-rotated value of it is presented', async () => {
    const { refresh_token: first } = await t.login('mobile');
    const second = ((await (await t.refresh(first)).json()) as { refresh_token: string }).refresh_token;
    await t.post('/oauth/revoke', { client_id: 'mobile', token: first });
    expect((await t.refresh(second)).status).toBe(403);
  });
});
