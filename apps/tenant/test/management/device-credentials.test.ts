import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { json } from '../http.ts';
import { managementHarness, status, type ManagementHarness } from './helpers.ts';

let h: ManagementHarness;
beforeEach(async () => {
  h = await managementHarness();
});
afterEach(() => h.stop());

describe('device credentials', () => {
  it('lists each refresh token under its device name and type, with filters, paging and fields', async () => {
    await h.login('mobile', { device: 'iPhone 15' });
    await h.login('web', { device: 'MacBook' });
    await h.login('mobile', { device: 'iPad', username: h.bob.email });
    const page = await h.api.deviceCredentials.list({
      user_id: h.alice.user_id,
      type: 'rotating_refresh_token',
      include_totals: true,
    });
    expect(page.response).toMatchObject({ start: 0, limit: 50, total: 1 });
    expect(page.data.map((d) => [d.device_name, d.type, d.client_id])).toEqual([
      ['iPhone 15', 'rotating_refresh_token', 'mobile'],
    ]);
    expect(page.data[0]!.id).toMatch(/^dcr_/);
    expect(
      (await h.api.deviceCredentials.list({ user_id: h.alice.user_id, type: 'rotating_refresh_token' })).data.map(
        (d) => d.device_name,
      ),
    ).toEqual(['iPhone 15']);
    expect(
      (await h.api.deviceCredentials.list({ user_id: h.alice.user_id, type: 'refresh_token' })).data.map(
        (d) => d.device_name,
      ),
    ).toEqual(['MacBook']);
    expect((await h.api.deviceCredentials.list({ user_id: h.alice.user_id, type: 'public_key' })).data).toEqual([]);
    expect(
      (await h.api.deviceCredentials.list({ client_id: 'mobile', type: 'rotating_refresh_token' })).data,
    ).toHaveLength(2);
    const fields = await h.api.deviceCredentials.list({ user_id: h.alice.user_id, fields: 'id,device_name' });
    expect(Object.keys(fields.data[0]!).sort()).toEqual(['device_name', 'id']);
    // Without include_totals Auth0 answers a bare array.
    const bare = await h.raw(`/device-credentials?user_id=${encodeURIComponent(h.alice.user_id)}`);
    expect(Array.isArray(await json(bare))).toBe(true);
    expect((await h.raw('/device-credentials?type=passkey')).status).toBe(400);
  });

  it('without a type answers as Auth0: no rotating refresh token; with paging a refresh_token listing, without it a bare array', async () => {
    // The SDK's ListDeviceCredentialsRequestParameters.type: without it "a combined list of
    // refresh_tokens and public_keys (and no rotating_refresh_token)", paging ignored; Auth0's
    // API reference: with paging, the type defaults to refresh_token.
    await h.login('mobile', { device: 'iPhone 15' });
    await h.login('web', { device: 'MacBook' });
    await h.login('web', { device: 'Mac mini' });
    const user = encodeURIComponent(h.alice.user_id);
    const names = (credentials: { device_name?: string; type?: string }[]) =>
      credentials.map((d) => [d.device_name, d.type]).sort();
    const unpaged = await json(await h.raw(`/device-credentials?user_id=${user}`));
    expect(Array.isArray(unpaged)).toBe(true);
    expect(names(unpaged)).toEqual([
      ['Mac mini', 'refresh_token'],
      ['MacBook', 'refresh_token'],
    ]);
    const paged = await json(await h.raw(`/device-credentials?user_id=${user}&per_page=1&include_totals=true`));
    expect(paged).toMatchObject({ start: 0, limit: 1, total: 2 });
    expect(paged.device_credentials).toHaveLength(1);
    // Through the SDK, which always sends paging: every refresh token, none of the rotating ones.
    expect(names((await h.api.deviceCredentials.list({ user_id: h.alice.user_id })).data)).toEqual(names(unpaged));
    expect((await h.api.deviceCredentials.list({ client_id: 'mobile' })).data).toEqual([]);
  });

  it('pages with page and per_page through the SDK iterator', async () => {
    await h.seedTokens(130);
    const seen = [];
    for await (const credential of await h.api.deviceCredentials.list({
      user_id: h.alice.user_id,
      type: 'rotating_refresh_token',
      per_page: 50,
    }))
      seen.push(credential.id);
    expect(new Set(seen).size).toBe(130);
  });

  it("DELETE revokes that credential's token (204), and answers 404 for an unknown one", async () => {
    const phone = await h.login('mobile', { device: 'phone' });
    const tablet = await h.login('mobile', { device: 'tablet' });
    const [credential] = (
      await h.api.deviceCredentials.list({ user_id: h.alice.user_id, type: 'rotating_refresh_token' })
    ).data.filter((d) => d.device_name === 'phone');
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
    const [credential] = (
      await h.api.deviceCredentials.list({ user_id: h.alice.user_id, type: 'rotating_refresh_token' })
    ).data.filter((d) => d.device_name === 'phone');
    expect((await h.raw(`/device-credentials/${credential!.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await h.refresh(tablet.refresh_token)).status).toBe(403);
    expect((await h.refresh(laptop.refresh_token, 'web')).status).toBe(200);
    expect((await h.api.grants.list({ user_id: h.alice.user_id })).data.map((g) => g.clientID)).toEqual(['web']);
  });
});
