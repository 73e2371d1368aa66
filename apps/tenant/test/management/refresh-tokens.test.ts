import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API } from '../fixtures.ts';
import { json } from '../http.ts';
import { managementHarness, status, type ManagementHarness } from './helpers.ts';

let h: ManagementHarness;
beforeEach(async () => {
  h = await managementHarness();
});
afterEach(() => h.stop());

describe('GET /refresh-tokens/{id}', () => {
  it("answers every field of RefreshTokenResponseContent, and the tenant's own dpop_jkt", async () => {
    const tokens = await h.login('mobile', {
      device: 'Pixel 8',
      audience: API,
      scope: 'openid offline_access read:things',
    });
    h.clock.advanceSeconds(30);
    await h.refresh(tokens.refresh_token);
    const [id] = (
      await h.store.refreshTokens.listRefreshTokens({ user_id: h.alice.user_id }, h.clock.now(), undefined, 1)
    ).items.map((t) => t.id);
    const token = await h.api.refreshTokens.get(id!);
    // dpop_jkt is not Auth0's (README, "What is not Auth0's"): null for a token bound to no DPoP key.
    expect(Object.keys(token).sort()).toEqual(
      [
        'client_id',
        'created_at',
        'device',
        'dpop_jkt',
        'expires_at',
        'id',
        'idle_expires_at',
        'last_exchanged_at',
        'refresh_token_metadata',
        'resource_servers',
        'rotating',
        'session_id',
        'user_id',
      ].sort(),
    );
    expect(token).toMatchObject({
      id,
      user_id: h.alice.user_id,
      client_id: 'mobile',
      session_id: null,
      rotating: true,
      dpop_jkt: null,
      resource_servers: [{ audience: API, scopes: 'openid offline_access read:things' }],
      refresh_token_metadata: {},
      created_at: new Date(h.clock.now() - 30_000).toISOString(),
      last_exchanged_at: new Date(h.clock.now()).toISOString(),
      expires_at: new Date(h.clock.now() - 30_000 + 30 * 86_400_000).toISOString(),
      idle_expires_at: new Date(h.clock.now() + 7 * 86_400_000).toISOString(),
    });
  });

  it('answers 404 for an unknown or revoked token', async () => {
    expect(await status(h.api.refreshTokens.get('nope'))).toBe(404);
    const [id] = await h.seedTokens(1);
    await h.api.refreshTokens.delete(id!);
    await h.tenant.deps.revocations.idle();
    expect(await status(h.api.refreshTokens.get(id!))).toBe(404);
  });
});

describe('GET /refresh-tokens (checkpoint paging)', () => {
  it('pages through more than 1,000 tokens with from/take and next, each exactly once', async () => {
    const ids = await h.seedTokens(1_050);
    const seen: string[] = [];
    for await (const token of await h.api.refreshTokens.list({ user_id: h.alice.user_id, take: 100 }))
      seen.push(token.id!);
    expect(seen).toHaveLength(1_050);
    expect(new Set(seen).size).toBe(1_050);
    expect(seen).toEqual([...ids].sort());
  });

  it('defaults take to 50 and filters by client_id', async () => {
    await h.seedTokens(60, { client_id: 'mobile' });
    await h.seedTokens(5, { client_id: 'web' });
    const first = await h.api.refreshTokens.list({ user_id: h.alice.user_id });
    expect(first.data).toHaveLength(50);
    expect(first.hasNextPage()).toBe(true);
    const web = await h.api.refreshTokens.list({ user_id: h.alice.user_id, client_id: 'web' });
    expect(web.data.map((t) => t.client_id)).toEqual(Array(5).fill('web'));
    expect(web.hasNextPage()).toBe(false);
  });

  it('honours fields and include_fields', async () => {
    await h.seedTokens(2);
    const only = await h.api.refreshTokens.list({ user_id: h.alice.user_id, fields: 'id,client_id' });
    expect(Object.keys(only.data[0]!).sort()).toEqual(['client_id', 'id']);
    const without = await h.api.refreshTokens.list({
      user_id: h.alice.user_id,
      fields: 'device,resource_servers',
      include_fields: false,
    });
    expect(without.data[0]).not.toHaveProperty('device');
    expect(without.data[0]).toHaveProperty('id');
  });

  it('rejects bad paging values and a missing user_id with 400 invalid_query_string', async () => {
    for (const query of [
      'user_id=x&take=0',
      'user_id=x&take=101',
      'user_id=x&take=abc',
      'user_id=x&take=-1',
      'take=10',
      'user_id=x&include_fields=maybe',
    ]) {
      const res = await h.raw(`/refresh-tokens?${query}`);
      expect(res.status, query).toBe(400);
      expect(await json(res)).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
        errorCode: 'invalid_query_string',
      });
    }
  });
});

describe('GET and DELETE /users/{id}/refresh-tokens', () => {
  it('lists with from/take and next through the SDK', async () => {
    await h.seedTokens(120);
    const page = await h.api.userRefreshTokens.list(h.alice.user_id, { take: 100 });
    expect(page.data).toHaveLength(100);
    expect(page.response.next).toBe(page.data[99]!.id);
    const next = await page.getNextPage();
    expect(next.data).toHaveLength(20);
  });

  it('answers 404 for an unknown user', async () => {
    expect(await status(h.api.userRefreshTokens.list('auth0|nobody'))).toBe(404);
    expect(await status(h.api.userRefreshTokens.delete('auth0|nobody'))).toBe(404);
  });

  it('answers 404 for a deleted user whose tokens the background revocation has not marked yet, and [] for a user without tokens', async () => {
    // The listing reads the tokens first and the user only for an empty page: the rows of a
    // deleted user stay live until the background work marks them, and must not show.
    await h.seedTokens(3);
    expect((await h.api.userRefreshTokens.list(h.alice.user_id)).data).toHaveLength(3);
    await h.tenant.deps.revocations.stop();
    expect((await h.raw(`/users/${encodeURIComponent(h.alice.user_id)}`, { method: 'DELETE' })).status).toBe(204);
    expect(await status(h.api.userRefreshTokens.list(h.alice.user_id))).toBe(404);
    expect((await h.api.userRefreshTokens.list(h.bob.user_id)).data).toEqual([]);
  });

  it('revokes all: 202 at once, every token refused at /oauth/token immediately, listing empty soon', async () => {
    const mine = await h.login('mobile');
    const bobs = await h.login('mobile', { username: h.bob.email });
    await h.seedTokens(3_000);
    const res = await h.raw(`/users/${encodeURIComponent(h.alice.user_id)}/refresh-tokens`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    expect((await h.refresh(mine.refresh_token)).status).toBe(403);
    expect((await h.refresh(bobs.refresh_token)).status).toBe(200);
    await h.tenant.deps.revocations.idle();
    expect((await h.api.userRefreshTokens.list(h.alice.user_id)).data).toEqual([]);
  });
});

describe('DELETE /refresh-tokens/{id}', () => {
  it('answers 202; the token is refused at /oauth/token right after, and the listing agrees before its row is marked', async () => {
    const { refresh_token } = await h.login('web');
    const [token] = (await h.api.userRefreshTokens.list(h.alice.user_id)).data;
    await h.tenant.deps.revocations.stop(); // hold the background work: the row stays unmarked
    const res = await h.raw(`/refresh-tokens/${token!.id}`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    expect((await h.refresh(refresh_token, 'web')).status).toBe(403);
    expect((await h.tenant.deps.store.refreshTokens.getRefreshToken(token!.id!))!.revoked_at).toBeNull();
    // Auth0 promises only eventual consistency; this tenant's listings read the journal.
    expect((await h.api.userRefreshTokens.list(h.alice.user_id)).data).toEqual([]);
    h.tenant.deps.revocations.start();
    await h.tenant.deps.revocations.idle();
    expect((await h.api.userRefreshTokens.list(h.alice.user_id)).data).toEqual([]);
  });
});

describe('POST /refresh-tokens/revoke (bulk)', () => {
  it('revokes a list of ids', async () => {
    const ids = await h.seedTokens(5);
    await h.api.refreshTokens.revoke({ ids: ids.slice(0, 3) });
    await h.tenant.deps.revocations.idle();
    const left = (await h.api.refreshTokens.list({ user_id: h.alice.user_id })).data.map((t) => t.id);
    expect(left.sort()).toEqual(ids.slice(3).sort());
  });

  it('revokes by user, user + client, and user + client + audience', async () => {
    await h.seedTokens(2, { client_id: 'mobile', audience: API });
    await h.seedTokens(2, { client_id: 'mobile', audience: 'https://other/' });
    await h.seedTokens(2, { client_id: 'web' });
    await h.seedTokens(2, { user_id: h.bob.user_id });
    const live = async (user_id: string) => (await h.api.refreshTokens.list({ user_id })).data;

    await h.api.refreshTokens.revoke({ user_id: h.alice.user_id, client_id: 'mobile', audience: API });
    await h.tenant.deps.revocations.idle();
    expect(
      (await live(h.alice.user_id)).map((t) => `${t.client_id} ${t.resource_servers![0]!.audience}`).sort(),
    ).toEqual(['mobile https://other/', 'mobile https://other/', `web ${API}`, `web ${API}`].sort());
    await h.api.refreshTokens.revoke({ user_id: h.alice.user_id, client_id: 'mobile' });
    await h.tenant.deps.revocations.idle();
    expect((await live(h.alice.user_id)).map((t) => t.client_id)).toEqual(['web', 'web']);
    await h.api.refreshTokens.revoke({ user_id: h.alice.user_id });
    await h.tenant.deps.revocations.idle();
    expect(await live(h.alice.user_id)).toEqual([]);
    expect(await live(h.bob.user_id)).toHaveLength(2);
  });

  it('answers 202, and 400 for a body that names no target, both targets, or too many ids', async () => {
    const ids = await h.seedTokens(1);
    const post = (body: string, type = 'application/json') =>
      h.raw('/refresh-tokens/revoke', { method: 'POST', headers: { 'content-type': type }, body });
    expect((await post(JSON.stringify({ ids }))).status).toBe(202);
    for (const body of [
      {},
      { ids, user_id: h.alice.user_id },
      { ids: [] },
      { ids: Array.from({ length: 101 }, (_, i) => `id${i}`) },
      { ids: [1, 2] },
      { user_id: h.alice.user_id, audience: API },
      { ids, client_id: 'mobile' },
      { user_id: h.alice.user_id, extra: true },
    ]) {
      const res = await post(JSON.stringify(body));
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(await json(res)).toMatchObject({ statusCode: 400, errorCode: 'invalid_body' });
    }
    expect((await post('{"ids": [')).status).toBe(400);
    expect((await post('ids=1', 'application/x-www-form-urlencoded')).status).toBe(400);
  });
});

describe('PATCH /refresh-tokens/{id}', () => {
  it('sets and clears refresh_token_metadata', async () => {
    const [id] = await h.seedTokens(1);
    const updated = await h.api.refreshTokens.update(id!, {
      refresh_token_metadata: { reason: 'lost phone', ticket: 'T-1' },
    });
    expect(updated.refresh_token_metadata).toEqual({ reason: 'lost phone', ticket: 'T-1' });
    expect((await h.api.refreshTokens.get(id!)).refresh_token_metadata).toEqual({
      reason: 'lost phone',
      ticket: 'T-1',
    });
    const cleared = await h.api.refreshTokens.update(id!, { refresh_token_metadata: null });
    expect(cleared.refresh_token_metadata).toEqual({});
  });

  it('refuses oversize metadata, non-string values, malformed JSON, and unknown ids', async () => {
    const [id] = await h.seedTokens(1);
    const patch = (body: string) =>
      h.raw(`/refresh-tokens/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body });
    const tooMany = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`k${i}`, 'v']));
    for (const body of [
      { refresh_token_metadata: { note: 'x'.repeat(256) } },
      { refresh_token_metadata: tooMany },
      { refresh_token_metadata: { count: 3 } },
      { refresh_token_metadata: { nested: { a: 'b' } } },
      { refresh_token_metadata: 'text' },
      { refresh_token_metadata: { note: 'a\u0000b' } },
      { other: 1 },
      {},
    ]) {
      const res = await patch(JSON.stringify(body));
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(await json(res)).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    }
    expect((await patch('{"refresh_token_metadata":')).status).toBe(400);
    expect((await h.api.refreshTokens.get(id!)).refresh_token_metadata).toEqual({});
    expect(await status(h.api.refreshTokens.update('unknown', { refresh_token_metadata: {} }))).toBe(404);
    // 25 keys of 255 characters is allowed.
    const max = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`k${i}`, 'v'.repeat(255)]));
    expect((await patch(JSON.stringify({ refresh_token_metadata: max }))).status).toBe(200);
  });
});
