import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authorize, pkce } from '../browser.ts';
import { API, PASSWORD } from '../fixtures.ts';
import { json } from '../http.ts';
import { managementHarness, status, type ManagementHarness } from './helpers.ts';

let h: ManagementHarness;
beforeEach(async () => {
  h = await managementHarness();
});
afterEach(() => h.stop());


/** Signs alice in through /authorize: a session, a grant, and a refresh token bound to both. */
async function browserLogin(device: string) {
  const { verifier, challenge } = pkce();
  const { location } = await authorize(
    h,
    { response_type: 'code', client_id: 'mobile', redirect_uri: 'https://app.test/callback', scope: 'openid offline_access read:things', audience: API, code_challenge: challenge, code_challenge_method: 'S256', device },
    { username: h.alice.email, password: PASSWORD },
  );
  const res = await h.post('/oauth/token', { grant_type: 'authorization_code', client_id: 'mobile', code: location.searchParams.get('code')!, redirect_uri: 'https://app.test/callback', code_verifier: verifier });
  return (await json(res)) as { refresh_token: string };
}

describe('users', () => {
  it('searches by email, name or id with paging and totals', async () => {
    const all = await h.api.users.list({ include_totals: true });
    expect(all.response).toMatchObject({ start: 0, limit: 50, total: 2 });
    expect((await h.api.users.list({ q: 'alice' })).data.map((u) => u.email)).toEqual([h.alice.email]);
    expect((await h.api.users.list({ q: 'email:"bob@test.example"' })).data.map((u) => u.user_id)).toEqual([h.bob.user_id]);
    expect((await h.api.users.list({ q: 'user_id:auth0|ali*' })).data).toHaveLength(1);
    expect((await h.api.users.list({ q: 'nobody-at-all' })).data).toEqual([]);
    const sorted = await h.api.users.list({ sort: 'email:-1', per_page: 1, page: 1 });
    expect(sorted.data.map((u) => u.email)).toEqual([h.alice.email]);
    const ids = (await h.api.users.list({ fields: 'user_id' })).data;
    expect(Object.keys(ids[0]!)).toEqual(['user_id']);
  });

  it('answers one user, and 404 for an unknown one', async () => {
    const user = await h.api.users.get(h.alice.user_id);
    expect(user).toMatchObject({ user_id: h.alice.user_id, email: h.alice.email, identities: [{ provider: 'auth0' }] });
    expect(await status(h.api.users.get('auth0|nobody'))).toBe(404);
  });

  it('rejects bad paging, sorting and the 1000-result window', async () => {
    for (const query of ['per_page=0', 'per_page=101', 'page=-1', 'page=x', 'sort=password:1', 'sort=email', 'page=20&per_page=50', 'include_totals=yes']) {
      const res = await h.raw(`/users?${query}`);
      expect(res.status, query).toBe(400);
    }
  });

  it('lists a user\'s reuse events as logs', async () => {
    const { refresh_token } = await h.login('mobile');
    await h.refresh(refresh_token);
    await h.refresh(refresh_token);
    const res = await h.raw(`/users/${encodeURIComponent(h.alice.user_id)}/logs?include_totals=true`);
    const body = await json(res);
    expect(body.total).toBe(1);
    expect(body.logs[0]).toMatchObject({ type: 'ferrt', user_id: h.alice.user_id, client_id: 'mobile' });
  });
});

describe('device credentials', () => {
  it('lists each refresh token under its device name and type, with filters, paging and fields', async () => {
    await h.login('mobile', { device: 'iPhone 15' });
    await h.login('web', { device: 'MacBook' });
    await h.login('mobile', { device: 'iPad', username: h.bob.email });
    const page = await h.api.deviceCredentials.list({ user_id: h.alice.user_id, include_totals: true });
    expect(page.response).toMatchObject({ start: 0, limit: 50, total: 2 });
    expect(page.data.map((d) => [d.device_name, d.type, d.client_id]).sort()).toEqual([
      ['MacBook', 'refresh_token', 'web'],
      ['iPhone 15', 'rotating_refresh_token', 'mobile'],
    ]);
    expect(page.data[0]!.id).toMatch(/^dcr_/);
    expect((await h.api.deviceCredentials.list({ user_id: h.alice.user_id, type: 'rotating_refresh_token' })).data.map((d) => d.device_name)).toEqual(['iPhone 15']);
    expect((await h.api.deviceCredentials.list({ user_id: h.alice.user_id, type: 'refresh_token' })).data.map((d) => d.device_name)).toEqual(['MacBook']);
    expect((await h.api.deviceCredentials.list({ user_id: h.alice.user_id, type: 'public_key' })).data).toEqual([]);
    expect((await h.api.deviceCredentials.list({ client_id: 'mobile' })).data).toHaveLength(2);
    const fields = await h.api.deviceCredentials.list({ user_id: h.alice.user_id, fields: 'id,device_name' });
    expect(Object.keys(fields.data[0]!).sort()).toEqual(['device_name', 'id']);
    // Without include_totals Auth0 answers a bare array.
    const bare = await h.raw(`/device-credentials?user_id=${encodeURIComponent(h.alice.user_id)}`);
    expect(Array.isArray(await json(bare))).toBe(true);
    expect((await h.raw('/device-credentials?type=passkey')).status).toBe(400);
  });

  it('pages with page and per_page through the SDK iterator', async () => {
    await h.seedTokens(130);
    const seen = [];
    for await (const credential of await h.api.deviceCredentials.list({ user_id: h.alice.user_id, per_page: 50 })) seen.push(credential.id);
    expect(new Set(seen).size).toBe(130);
  });

  it('DELETE revokes that credential\'s token (204), and answers 404 for an unknown one', async () => {
    const phone = await h.login('mobile', { device: 'phone' });
    const tablet = await h.login('mobile', { device: 'tablet' });
    const [credential] = (await h.api.deviceCredentials.list({ user_id: h.alice.user_id })).data.filter((d) => d.device_name === 'phone');
    const res = await h.raw(`/device-credentials/${credential!.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect((await h.refresh(phone.refresh_token)).status).toBe(403);
    expect((await h.refresh(tablet.refresh_token)).status).toBe(200);
    expect(await status(h.api.deviceCredentials.delete(credential!.id!))).toBe(404);
    expect(await status(h.api.deviceCredentials.delete('dcr_nope'))).toBe(404);
    expect((await h.api.grants.list({ user_id: h.alice.user_id, client_id: 'mobile' })).data).toHaveLength(1);
  });

  it('with "Refresh Token Revocation Deletes Grant" on, unlinking a device also deletes the grant and its tokens on other devices', async () => {
    await h.api.settings.update({ flags: { revoke_refresh_token_grant: true } });
    await h.login('mobile', { device: 'phone' });
    const tablet = await h.login('mobile', { device: 'tablet' });
    const laptop = await h.login('web', { device: 'laptop' });
    const [credential] = (await h.api.deviceCredentials.list({ user_id: h.alice.user_id })).data.filter((d) => d.device_name === 'phone');
    expect((await h.raw(`/device-credentials/${credential!.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await h.refresh(tablet.refresh_token)).status).toBe(403);
    expect((await h.refresh(laptop.refresh_token, 'web')).status).toBe(200);
    expect((await h.api.grants.list({ user_id: h.alice.user_id })).data.map((g) => g.clientID)).toEqual(['web']);
  });
});

describe('grants', () => {
  it('lists with Auth0\'s body and filters, and deleting one revokes its tokens', async () => {
    const phone = await h.login('mobile', { audience: API, scope: 'openid offline_access read:things' });
    const web = await h.login('web');
    const page = await h.api.grants.list({ user_id: h.alice.user_id, include_totals: true });
    expect(page.response).toMatchObject({ total: 2 });
    const grant = page.data.find((g) => g.clientID === 'mobile')!;
    expect(grant).toEqual({ id: grant.id, clientID: 'mobile', user_id: h.alice.user_id, audience: API, scope: ['openid', 'offline_access', 'read:things'] });
    expect((await h.api.grants.list({ client_id: 'web' })).data).toHaveLength(1);
    expect((await h.api.grants.list({ audience: API })).data).toHaveLength(1);

    const res = await h.raw(`/grants/${grant.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect((await h.refresh(phone.refresh_token)).status).toBe(403);
    expect((await h.refresh(web.refresh_token, 'web')).status).toBe(200);
    expect(await status(h.api.grants.delete(grant.id!))).toBe(404);
  });

  it('DELETE /grants?user_id= deletes all of a user\'s grants; without user_id it is a 400', async () => {
    const a = await h.login('mobile');
    const b = await h.login('mobile', { username: h.bob.email });
    await h.api.grants.deleteByUserId({ user_id: h.alice.user_id });
    expect((await h.api.grants.list({ user_id: h.alice.user_id })).data).toEqual([]);
    expect((await h.refresh(a.refresh_token)).status).toBe(403);
    expect((await h.refresh(b.refresh_token)).status).toBe(200);
    expect((await h.raw('/grants', { method: 'DELETE' })).status).toBe(400);
  });

  it('with "Refresh Token Revocation Deletes Grant" on, /oauth/revoke removes the grant from GET /grants; off, it stays', async () => {
    await h.api.settings.update({ flags: { revoke_refresh_token_grant: false } });
    const first = await h.login('web');
    await h.post('/oauth/revoke', { client_id: 'web', client_secret: 'web-secret-for-tests-0000000000000000', token: first.refresh_token });
    expect((await h.api.grants.list({ user_id: h.alice.user_id, client_id: 'web' })).data).toHaveLength(1);

    await h.api.settings.update({ flags: { revoke_refresh_token_grant: true } });
    const second = await h.login('web');
    await h.post('/oauth/revoke', { client_id: 'web', client_secret: 'web-secret-for-tests-0000000000000000', token: second.refresh_token });
    expect((await h.api.grants.list({ user_id: h.alice.user_id, client_id: 'web' })).data).toEqual([]);
  });
});

describe('sessions', () => {
  it('lists a user\'s sessions, reads one, deletes one without touching its tokens', async () => {
    const tokens = await browserLogin('phone');
    const page = await h.api.userSessions.list(h.alice.user_id);
    expect(page.data).toHaveLength(1);
    const session = page.data[0]!;
    expect(session).toMatchObject({ user_id: h.alice.user_id, clients: [{ client_id: 'mobile' }], authentication: { methods: [{ name: 'pwd' }] } });
    expect(await h.api.sessions.get(session.id!)).toMatchObject({ id: session.id });
    expect((await h.raw(`/sessions/${session.id}`, { method: 'DELETE' })).status).toBe(202);
    expect(await status(h.api.sessions.get(session.id!))).toBe(404);
    expect((await h.refresh(tokens.refresh_token)).status).toBe(200);
  });

  it('POST /sessions/{id}/revoke also revokes the refresh tokens bound to the session', async () => {
    const inSession = await browserLogin('phone');
    const outside = await h.login('mobile', { device: 'tablet' });
    const [session] = (await h.api.userSessions.list(h.alice.user_id)).data;
    const res = await h.raw(`/sessions/${session!.id}/revoke`, { method: 'POST' });
    expect(res.status).toBe(202);
    expect((await h.refresh(inSession.refresh_token)).status).toBe(403);
    expect((await h.refresh(outside.refresh_token)).status).toBe(200);
    expect(await status(h.api.sessions.revoke('unknown'))).toBe(404);
  });

  it('DELETE /users/{id}/sessions ends them all', async () => {
    await browserLogin('phone');
    await browserLogin('tablet');
    expect((await h.api.userSessions.list(h.alice.user_id)).data).toHaveLength(2);
    await h.api.userSessions.delete(h.alice.user_id);
    expect((await h.api.userSessions.list(h.alice.user_id)).data).toEqual([]);
  });
});

describe('clients', () => {
  it('lists and reads clients without secrets', async () => {
    const page = await h.api.clients.list({ include_totals: true });
    expect(page.response.total).toBe(4);
    const web = await h.api.clients.get('web');
    expect(web).toMatchObject({ client_id: 'web', token_endpoint_auth_method: 'client_secret_post', refresh_token: { rotation_type: 'non-rotating' } });
    expect(web).not.toHaveProperty('client_secret');
    expect(JSON.stringify(web)).not.toContain('secret-for-tests');
    expect(await status(h.api.clients.get('nope'))).toBe(404);
  });

  it('updates name, auth method and the refresh token policy, which new tokens follow', async () => {
    const updated = await h.api.clients.update('web', {
      name: 'Web v2',
      refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 5, token_lifetime: 3600, idle_token_lifetime: 600, infinite_token_lifetime: false, infinite_idle_token_lifetime: false },
    });
    expect(updated).toMatchObject({ name: 'Web v2', refresh_token: { rotation_type: 'rotating', leeway: 5 } });
    const { refresh_token } = await h.login('web');
    const res = await h.refresh(refresh_token, 'web');
    expect((await json(res)).refresh_token).toBeTruthy();
  });

  it('refuses invalid policies', async () => {
    const patch = (body: unknown) => h.raw('/clients/web', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (const body of [
      { refresh_token: { rotation_type: 'rotating', expiration_type: 'non-expiring' } },
      { refresh_token: { rotation_type: 'sometimes', expiration_type: 'expiring' } },
      { refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: -1 } },
      { refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', token_lifetime: 60, idle_token_lifetime: 120, infinite_token_lifetime: false, infinite_idle_token_lifetime: false } },
      { name: '<script>' },
      { client_secret: 'x' },
    ]) {
      expect((await patch(body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await h.raw('/clients/mobile', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token_endpoint_auth_method: 'client_secret_post' }) })).status).toBe(400);
  });
});

describe('resource servers', () => {
  it('lists the APIs with their names, including the Management API', async () => {
    const res = await h.raw('/resource-servers?include_totals=true');
    const body = await json(res);
    expect(body.resource_servers.map((rs: { identifier: string; name: string }) => rs.identifier)).toEqual(expect.arrayContaining([API, 'https://tenant.test/api/v2/']));
    const one = await json(await h.raw(`/resource-servers?identifiers=${encodeURIComponent(API)}`));
    expect(one).toEqual([expect.objectContaining({ identifier: API, name: 'Test API' })]);
  });
});

describe('tenant settings', () => {
  it('reads and toggles flags.revoke_refresh_token_grant, keeping the other flags', async () => {
    expect((await h.api.settings.get()).flags).toMatchObject({ revoke_refresh_token_grant: false });
    const updated = await h.api.settings.update({ flags: { revoke_refresh_token_grant: true } });
    expect(updated.flags).toMatchObject({ revoke_refresh_token_grant: true, allow_legacy_delegation_grant_types: false });
    expect((await h.api.settings.get({ fields: 'flags' }))).toEqual({ flags: updated.flags });
  });

  it('refuses unknown or mistyped settings', async () => {
    const patch = (body: string) => h.raw('/tenants/settings', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body });
    for (const body of ['{"flags":{"revoke_refresh_token_grant":"yes"}}', '{"flags":{"made_up":true}}', '{"colour":"red"}', '[]', 'null', '{']) {
      expect((await patch(body)).status, body).toBe(400);
    }
    expect((await h.api.settings.get()).flags!.revoke_refresh_token_grant).toBe(false);
  });
});
