import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API } from '../fixtures.ts';
import { json } from '../http.ts';
import { managementHarness, status, type ManagementHarness } from './helpers.ts';

let h: ManagementHarness;
beforeEach(async () => {
  h = await managementHarness();
});
afterEach(() => h.stop());

/** Live tokens of every user, as `client audience` pairs, through the SDK. */
const liveOf = async (user_id: string) =>
  (await h.api.refreshTokens.list({ user_id })).data
    .map((t) => `${t.client_id} ${t.resource_servers![0]!.audience}`)
    .sort();

/** POST /clients/{id}/refresh-tokens/revoke: the tenant's own route (not Auth0's) for every token of an application. */
const revokeApplication = (clientId: string, body: Record<string, unknown> = {}, token?: string) =>
  h.raw(`/clients/${encodeURIComponent(clientId)}/refresh-tokens/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(token ? { token } : {}),
  });

describe("POST /refresh-tokens/revoke keeps Auth0's meaning: client_id must be paired with user_id", () => {
  it('refuses client_id alone with 400 invalid_body and revokes nothing (Auth0 refuses it; an application-wide revocation has its own route)', async () => {
    const alices = await h.login('mobile');
    const bobs = await h.login('mobile', { username: h.bob.email });
    for (const body of [
      { client_id: 'mobile' },
      { client_id: 'mobile', audience: API },
      { client_id: 'mobile', issued_through: 5 },
      { user_id: h.alice.user_id, audience: API },
    ]) {
      const res = await h.raw('/refresh-tokens/revoke', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await json(res)).toMatchObject({ statusCode: 400, errorCode: 'invalid_body' });
    }
    expect(await h.tenant.deps.store.revocationJournal.listRevocationJobs()).toEqual([]);
    expect((await h.refresh(alices.refresh_token)).status).toBe(200);
    expect((await h.refresh(bobs.refresh_token)).status).toBe(200);
  });

  it("revokes one user's tokens of an application and API with user_id, client_id and audience", async () => {
    await h.seedTokens(2, { client_id: 'mobile', audience: API });
    await h.seedTokens(1, { client_id: 'mobile', audience: 'https://other/' });
    await h.seedTokens(1, { client_id: 'mobile', audience: API, user_id: h.bob.user_id });
    expect(
      await status(h.api.refreshTokens.revoke({ user_id: h.alice.user_id, client_id: 'mobile', audience: API })),
    ).toBe('ok');
    await h.tenant.deps.revocations.idle();
    expect(await liveOf(h.alice.user_id)).toEqual(['mobile https://other/']);
    expect(await liveOf(h.bob.user_id)).toEqual([`mobile ${API}`]);
  });
});

describe("POST /clients/{id}/refresh-tokens/revoke, not Auth0's (every token of an application)", () => {
  it("answers 202; every user's token of that application is refused at /oauth/token before any row is marked; others keep working", async () => {
    const alices = await h.login('mobile');
    const bobs = await h.login('mobile', { username: h.bob.email });
    const web = await h.login('web');
    await h.seedTokens(2_500, { client_id: 'mobile' });
    // Hold the background work: only the journal can refuse the tokens now.
    await h.tenant.deps.revocations.stop();
    expect((await revokeApplication('mobile')).status).toBe(202);
    expect((await h.refresh(alices.refresh_token)).status).toBe(403);
    expect((await h.refresh(bobs.refresh_token)).status).toBe(403);
    expect((await h.refresh(web.refresh_token, 'web')).status).toBe(200);
    // No row is marked yet, and the listing already agrees with the refusal (Auth0 only promises
    // eventual consistency; this tenant's listings read the journal).
    const bobsRows = (
      await h.tenant.deps.store.refreshTokens.listRefreshTokensHistory({ user_id: h.bob.user_id }, 0, 10)
    ).items;
    expect(bobsRows.map((t) => t.revoked_at)).toEqual([null]);
    expect((await h.api.refreshTokens.list({ user_id: h.bob.user_id })).data).toEqual([]);

    h.tenant.deps.revocations.start();
    await h.tenant.deps.revocations.idle();
    expect((await liveOf(h.alice.user_id)).map((t) => t.split(' ')[0])).toEqual(['web']);
    expect(await liveOf(h.bob.user_id)).toEqual([]);
    // A token issued after the revocation is not covered by it.
    const later = await h.login('mobile', { username: h.bob.email });
    expect((await h.refresh(later.refresh_token)).status).toBe(200);
  });

  it("with audience, revokes that API's tokens of the application only", async () => {
    await h.seedTokens(2, { client_id: 'mobile', audience: API });
    await h.seedTokens(2, { client_id: 'mobile', audience: 'https://other/' });
    await h.seedTokens(1, { client_id: 'mobile', audience: API, user_id: h.bob.user_id });
    await h.seedTokens(1, { client_id: 'web', audience: API });
    expect((await revokeApplication('mobile', { audience: API })).status).toBe(202);
    await h.tenant.deps.revocations.idle();
    expect(await liveOf(h.alice.user_id)).toEqual(['mobile https://other/', 'mobile https://other/', `web ${API}`]);
    expect(await liveOf(h.bob.user_id)).toEqual([]);
  });

  it('needs delete:refresh_tokens, refuses a malformed body with 400 invalid_body, and an unknown application with 404', async () => {
    const readOnly = await h.managementToken('read:refresh_tokens');
    const forbidden = await revokeApplication('mobile', {}, readOnly);
    expect(forbidden.status).toBe(403);
    expect(await json(forbidden)).toMatchObject({ errorCode: 'insufficient_scope' });
    for (const body of [
      { client_id: 'mobile' },
      { user_id: h.bob.user_id },
      { ids: ['rt_1'] },
      { audience: '' },
      { issued_through: -1 },
      { issued_through: 1.5 },
    ]) {
      const res = await revokeApplication('mobile', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await json(res)).toMatchObject({ errorCode: 'invalid_body' });
    }
    const unknown = await revokeApplication('no-such-app');
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toMatchObject({ errorCode: 'inexistent_client' });
    expect(await h.tenant.deps.store.revocationJournal.listRevocationJobs()).toEqual([]);
  });

  it("with issued_through (from the summary, not Auth0's), covers the tokens the summary counted and none issued after it", async () => {
    const counted = await h.login('mobile');
    const summary = await json(await h.raw('/refresh-tokens/summary?client_id=mobile'));
    const mobile = summary.applications.find((a: { client_id: string }) => a.client_id === 'mobile');
    expect(mobile.issued_through).toEqual(expect.any(Number));
    const issuedSince = await h.login('mobile', { username: h.bob.email });
    const res = await revokeApplication('mobile', { issued_through: mobile.issued_through });
    expect(res.status).toBe(202);
    expect((await h.refresh(counted.refresh_token)).status).toBe(403);
    expect((await h.refresh(issuedSince.refresh_token)).status).toBe(200);
    await h.tenant.deps.revocations.idle();
    expect(await liveOf(h.bob.user_id)).toHaveLength(1);
  });
});
