import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { json } from '../http.ts';
import { managementHarness, type ManagementHarness } from './helpers.ts';

/**
 * POST /api/v2/users/{id}/devices/unlink, the tenant's own: a user's device unlinked in one
 * request and one transaction, under the rule of Auth0's DELETE /device-credentials/{id}.
 */

let h: ManagementHarness;
beforeEach(async () => {
  h = await managementHarness();
});
afterEach(() => h.stop());

const unlink = (userId: string, body: unknown) =>
  h.raw(`/users/${encodeURIComponent(userId)}/devices/unlink`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** A user's device credentials of both kinds of refresh token (without a type, Auth0 lists no rotating ones). */
const credentialsOf = async (userId: string) =>
  (
    await Promise.all(
      (['rotating_refresh_token', 'refresh_token'] as const).map(
        async (type) => (await h.api.deviceCredentials.list({ user_id: userId, type, per_page: 100 })).data,
      ),
    )
  ).flat();

const liveIds = async (deviceName?: string) =>
  (await credentialsOf(h.alice.user_id))
    .filter((d) => deviceName === undefined || d.device_name === deviceName)
    .map((d) => d.id!.slice('dcr_'.length));

describe('unlinking a device through the tenant', () => {
  it('revokes every live token of the user on that device in one request, and no other', async () => {
    // Two applications: Auth0's entity limit keeps 200 live tokens per user and application.
    const seeded = [
      ...(await h.seedTokens(150, { device_name: 'Old phone' })),
      ...(await h.seedTokens(100, { device_name: 'Old phone', client_id: 'web' })),
    ];
    const tablet = await h.login('mobile', { device: 'tablet' });
    const theirs = await h.seedTokens(2, { device_name: 'Old phone', user_id: h.bob.user_id });
    const res = await unlink(h.alice.user_id, { device_name: 'Old phone' });
    expect(res.status).toBe(200);
    const answer = await json(res);
    expect(answer).toMatchObject({
      user_id: h.alice.user_id,
      device_name: 'Old phone',
      revoked_with_grants: [],
      deleted_grants: [],
    });
    expect([...answer.revoked_tokens].sort()).toEqual([...seeded].sort());
    expect(await liveIds('Old phone')).toEqual([]);
    expect((await h.refresh(tablet.refresh_token)).status).toBe(200);
    expect(await credentialsOf(h.bob.user_id)).toHaveLength(theirs.length);
    // Nothing live is left on the device: a second unlink finds none.
    const again = await unlink(h.alice.user_id, { device_name: 'Old phone' });
    expect(again.status).toBe(404);
    expect(await json(again)).toMatchObject({ statusCode: 404, errorCode: 'inexistent_device' });
  });

  it('bound to a preview, refuses with 409 and revokes nothing when a token was issued or revoked since', async () => {
    await h.login('mobile', { device: 'phone' });
    await h.login('mobile', { device: 'phone' });
    const previewed = await liveIds('phone');
    const expected = {
      token_ids: previewed.map((id) => `dcr_${id}`),
      grant_ids: [],
      revoke_refresh_token_grant: false,
    };

    const newer = await h.login('mobile', { device: 'phone' });
    const refused = await unlink(h.alice.user_id, { device_name: 'phone', expected });
    expect(refused.status).toBe(409);
    expect(await json(refused)).toMatchObject({ statusCode: 409, error: 'Conflict', errorCode: 'device_changed' });
    expect((await liveIds('phone')).length).toBe(3);
    expect((await h.refresh(newer.refresh_token)).status).toBe(200);

    // The setting changed since the preview: refused too.
    const current = await liveIds('phone');
    const flagged = await unlink(h.alice.user_id, {
      device_name: 'phone',
      expected: { token_ids: current, grant_ids: [], revoke_refresh_token_grant: true },
    });
    expect(flagged.status).toBe(409);
    expect((await liveIds('phone')).length).toBe(3);

    const done = await unlink(h.alice.user_id, {
      device_name: 'phone',
      expected: { token_ids: current, grant_ids: [], revoke_refresh_token_grant: false },
    });
    expect(done.status).toBe(200);
    expect((await json(done)).revoked_tokens).toHaveLength(3);
    expect(await liveIds('phone')).toEqual([]);
  });

  it('with "Refresh Token Revocation Deletes Grant" on, deletes the grants the device held and with them their tokens on other devices', async () => {
    await h.api.settings.update({ flags: { revoke_refresh_token_grant: true } });
    await h.login('mobile', { device: 'phone' });
    const tablet = await h.login('mobile', { device: 'tablet' });
    const laptop = await h.login('web', { device: 'laptop' });
    const [grant] = (await h.api.grants.list({ user_id: h.alice.user_id, client_id: 'mobile' })).data;
    const [onTablet] = await liveIds('tablet');
    const res = await unlink(h.alice.user_id, {
      device_name: 'phone',
      expected: {
        token_ids: [...(await liveIds('phone')), onTablet!],
        grant_ids: [grant!.id!],
        revoke_refresh_token_grant: true,
      },
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ revoked_with_grants: [onTablet], deleted_grants: [grant!.id] });
    expect((await h.refresh(tablet.refresh_token)).status).toBe(403);
    expect((await h.refresh(laptop.refresh_token, 'web')).status).toBe(200);
    expect((await h.api.grants.list({ user_id: h.alice.user_id })).data.map((g) => g.clientID)).toEqual(['web']);
  });

  it('answers 404 for an unknown user and 400 for a bad body, and needs delete:device_credentials', async () => {
    const nobody = await unlink('auth0|nobody', { device_name: 'phone' });
    expect(nobody.status).toBe(404);
    expect(await json(nobody)).toMatchObject({ errorCode: 'inexistent_user' });
    for (const body of [
      {},
      { device_name: '' },
      { device_name: 'phone', extra: 1 },
      { device_name: 'phone', expected: { token_ids: 'x' } },
      { device_name: 7 },
    ]) {
      const res = await unlink(h.alice.user_id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await json(res)).toMatchObject({ statusCode: 400, errorCode: 'invalid_body' });
    }
    const notJson = await h.raw(`/users/${encodeURIComponent(h.alice.user_id)}/devices/unlink`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"device_name":',
    });
    expect(notJson.status).toBe(400);
    const readOnly = await h.managementToken('read:device_credentials');
    expect(
      (
        await h.raw(`/users/${encodeURIComponent(h.alice.user_id)}/devices/unlink`, {
          method: 'POST',
          token: readOnly,
          headers: { 'content-type': 'application/json' },
          body: '{"device_name":"phone"}',
        })
      ).status,
    ).toBe(403);
  });
});
