import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API } from '../fixtures.ts';
import { managementHarness, status, type ManagementHarness } from './helpers.ts';

let h: ManagementHarness;
beforeEach(async () => {
  h = await managementHarness();
});
afterEach(() => h.stop());

describe('grants', () => {
  it("lists with Auth0's body and filters, and deleting one revokes its tokens", async () => {
    const phone = await h.login('mobile', { audience: API, scope: 'openid offline_access read:things' });
    const web = await h.login('web');
    const page = await h.api.grants.list({ user_id: h.alice.user_id, include_totals: true });
    expect(page.response).toMatchObject({ total: 2 });
    const grant = page.data.find((g) => g.clientID === 'mobile')!;
    expect(grant).toEqual({
      id: grant.id,
      clientID: 'mobile',
      user_id: h.alice.user_id,
      audience: API,
      scope: ['openid', 'offline_access', 'read:things'],
    });
    expect((await h.api.grants.list({ client_id: 'web' })).data).toHaveLength(1);
    expect((await h.api.grants.list({ audience: API })).data).toHaveLength(1);

    const res = await h.raw(`/grants/${grant.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect((await h.refresh(phone.refresh_token)).status).toBe(403);
    expect((await h.refresh(web.refresh_token, 'web')).status).toBe(200);
    expect(await status(h.api.grants.delete(grant.id!))).toBe(404);
  });

  it("DELETE /grants?user_id= deletes all of a user's grants; without user_id it is a 400", async () => {
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
    await h.post('/oauth/revoke', {
      client_id: 'web',
      client_secret: 'web-secret-for-tests-0000000000000000',
      token: first.refresh_token,
    });
    expect((await h.api.grants.list({ user_id: h.alice.user_id, client_id: 'web' })).data).toHaveLength(1);

    await h.api.settings.update({ flags: { revoke_refresh_token_grant: true } });
    const second = await h.login('web');
    await h.post('/oauth/revoke', {
      client_id: 'web',
      client_secret: 'web-secret-for-tests-0000000000000000',
      token: second.refresh_token,
    });
    expect((await h.api.grants.list({ user_id: h.alice.user_id, client_id: 'web' })).data).toEqual([]);
  });
});
