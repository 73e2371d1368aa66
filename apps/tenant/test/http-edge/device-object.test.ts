import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, pkce } from '../browser.ts';
import { API, PASSWORD } from '../fixtures.ts';
import { managementHarness, type ManagementHarness } from '../management/helpers.ts';

let h: ManagementHarness;
beforeAll(async () => {
  h = await managementHarness();
});
afterAll(() => h?.stop());

/** Auth0's Management API reference for GET /refresh-tokens/{id}: the device object always has these six keys. */
const UNKNOWN_DEVICE = {
  initial_ip: null,
  initial_asn: null,
  initial_user_agent: null,
  last_ip: null,
  last_asn: null,
  last_user_agent: null,
};

describe('the device object of a refresh token or session issued with no address or user agent', () => {
  it('has all six keys, null when unknown, on GET /refresh-tokens/{id} and the listings', async () => {
    // In process: no socket, so no address; no user-agent header either.
    await h.login('mobile', { device: 'no agent' });
    const [token] = (await h.api.userRefreshTokens.list(h.alice.user_id)).data;
    expect(token!.device).toStrictEqual(UNKNOWN_DEVICE);
    expect((await h.api.refreshTokens.get(token!.id!)).device).toStrictEqual(UNKNOWN_DEVICE);
    const raw = (await (await h.raw(`/refresh-tokens?user_id=${encodeURIComponent(h.alice.user_id)}`)).json()) as {
      refresh_tokens: { device: unknown }[];
    };
    expect(raw.refresh_tokens[0]!.device).toStrictEqual(UNKNOWN_DEVICE);
  });

  it('has all six keys, null when unknown, on GET /sessions/{id}', async () => {
    const { challenge } = pkce();
    await authorize(
      h,
      {
        response_type: 'code',
        client_id: 'mobile',
        redirect_uri: 'https://app.test/callback',
        scope: 'openid offline_access',
        audience: API,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
      { username: h.bob.email, password: PASSWORD },
    );
    const [session] = (await h.api.userSessions.list(h.bob.user_id)).data;
    expect(session!.device).toStrictEqual(UNKNOWN_DEVICE);
    expect((await h.api.sessions.get(session!.id!)).device).toStrictEqual(UNKNOWN_DEVICE);
  });
});
