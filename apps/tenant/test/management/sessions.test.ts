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
    {
      response_type: 'code',
      client_id: 'mobile',
      redirect_uri: 'https://app.test/callback',
      scope: 'openid offline_access read:things',
      audience: API,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      device,
    },
    { username: h.alice.email, password: PASSWORD },
  );
  const res = await h.post('/oauth/token', {
    grant_type: 'authorization_code',
    client_id: 'mobile',
    code: location.searchParams.get('code')!,
    redirect_uri: 'https://app.test/callback',
    code_verifier: verifier,
  });
  return (await json(res)) as { refresh_token: string };
}

describe('sessions', () => {
  it("lists a user's sessions, reads one, deletes one without touching its tokens", async () => {
    const tokens = await browserLogin('phone');
    const page = await h.api.userSessions.list(h.alice.user_id);
    expect(page.data).toHaveLength(1);
    const session = page.data[0]!;
    expect(session).toMatchObject({
      user_id: h.alice.user_id,
      clients: [{ client_id: 'mobile' }],
      authentication: { methods: [{ name: 'pwd' }] },
    });
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
