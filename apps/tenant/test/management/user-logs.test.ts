import { LogsClient } from 'auth0/users/logs';
import { afterEach, describe, expect, it } from 'vitest';
import { authorize, pkce } from '../browser.ts';
import { API, PASSWORD } from '../fixtures.ts';
import { json } from '../http.ts';
import { managementHarness, type ManagementHarness } from './helpers.ts';

let h: ManagementHarness;
afterEach(() => h?.stop());

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The fields of the SDK's `Management.Log` (auth0 v7 types): every entry we answer stays within them. */
const LOG_FIELDS = new Set([
  'date',
  'type',
  'description',
  'connection',
  'connection_id',
  'client_id',
  'client_name',
  'ip',
  'hostname',
  'user_id',
  'user_name',
  'audience',
  'scope',
  'strategy',
  'strategy_type',
  'log_id',
  'isMobile',
  'details',
  'user_agent',
  'security_context',
  'location_info',
]);

const logsOf = async (userId: string, query = '', token?: string) =>
  h.raw(`/users/${encodeURIComponent(userId)}/logs${query}`, token ? { token } : {});
const typesOf = async (userId: string) =>
  ((await json(await logsOf(userId, '?per_page=100'))) as { type: string }[]).map((l) => l.type);

/** Signs alice in at the login page: an SSO session, and a refresh token on it. */
async function browserSignIn(password = PASSWORD) {
  const { verifier, challenge } = pkce();
  const { location, loginPage, jar } = await authorize(
    h,
    {
      response_type: 'code',
      client_id: 'mobile',
      redirect_uri: 'https://app.test/callback',
      scope: 'openid offline_access',
      audience: API,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      device: 'Pixel',
    },
    { username: h.alice.email, password },
  );
  if (loginPage !== undefined) return { refused: true as const };
  const res = await h.post('/oauth/token', {
    grant_type: 'authorization_code',
    client_id: 'mobile',
    code: location.searchParams.get('code')!,
    redirect_uri: 'https://app.test/callback',
    code_verifier: verifier,
  });
  return { jar, ...((await json(res)) as { refresh_token: string }) };
}

describe('the tenant logs what happened to a user, with Auth0 event type codes', () => {
  it('logs sign-ins (s), failed sign-ins (fp, fu), the first exchange of a token each hour (sertft), reuse (ferrt) and revocations (srrt, sapi)', async () => {
    h = await managementHarness();
    // Events of one millisecond list in id order: a second between steps keeps the order told.
    const tick = () => h.clock.advance(1000);
    expect(
      (
        await h.post('/oauth/token', {
          grant_type: 'password',
          client_id: 'mobile',
          username: h.alice.email,
          password: 'wrong password',
          scope: 'openid',
        })
      ).status,
    ).toBe(403);
    tick();
    expect(
      (
        await h.post('/oauth/token', {
          grant_type: 'password',
          client_id: 'mobile',
          username: 'nobody@test.example',
          password: 'x',
          scope: 'openid',
        })
      ).status,
    ).toBe(403);
    tick();
    const phone = await h.login('mobile', { device: 'Phone' });
    tick();
    expect(await typesOf(h.alice.user_id)).toEqual(['s', 'fp']);

    // Three exchanges in one hour: one sertft; the next hour's first: another.
    let current = phone.refresh_token;
    for (let i = 0; i < 3; i++)
      current = ((await json(await h.refresh(current))) as { refresh_token: string }).refresh_token;
    tick();
    h.clock.advance(HOUR);
    current = ((await json(await h.refresh(current))) as { refresh_token: string }).refresh_token;
    tick();
    expect(await typesOf(h.alice.user_id)).toEqual(['sertft', 'sertft', 's', 'fp']);

    // A rotated-out secret presented again: reuse.
    expect((await h.refresh(phone.refresh_token)).status).toBe(403);
    tick();
    // Revoked by the app at /oauth/revoke, and one by the Management API.
    const tablet = await h.login('mobile', { device: 'Tablet' });
    tick();
    expect((await h.post('/oauth/revoke', { client_id: 'mobile', token: tablet.refresh_token })).status).toBe(200);
    tick();
    await h.login('mobile', { device: 'Laptop' });
    tick();
    const { items } = await h.store.refreshTokens.listRefreshTokensHistory({ user_id: h.alice.user_id }, 0, 10);
    const laptopId = items.find((t) => t.device_name === 'Laptop')!.id;
    expect((await h.raw(`/refresh-tokens/${laptopId}`, { method: 'DELETE' })).status).toBe(202);
    tick();
    const [grant] = await h.store.directory.listGrants({ user_id: h.alice.user_id }, 0, 1).then((page) => page.items);
    expect((await h.raw(`/grants/${grant!.id}`, { method: 'DELETE' })).status).toBe(204);
    const logs = (await json(await logsOf(h.alice.user_id, '?per_page=100'))) as {
      type: string;
      description: string;
      client_id?: string;
      details: Record<string, unknown>;
    }[];
    expect(logs.map((l) => l.type).slice(0, 7)).toEqual(['sapi', 'sapi', 's', 'srrt', 's', 'ferrt', 'sertft']);
    expect(logs[0]).toMatchObject({
      description: 'Delete a grant',
      details: { grant_id: grant!.id, client_id: 'mobile' },
    });
    logs.shift();
    expect(logs[0]).toMatchObject({
      description: 'Delete a refresh token',
      client_id: 'm2m',
      details: { refresh_token_id: laptopId, request: { method: 'DELETE' } },
    });
    expect(logs[2]).toMatchObject({ client_id: 'mobile', details: { device_name: 'Tablet' } });
    // The unknown address is logged without a user: nobody's history.
    expect((await h.store.events.listEvents({ type: 'fu' }, 10)).map((e) => e.user_id)).toEqual([null]);
  });

  it('logs no exchanges when exchange logging is switched off', async () => {
    h = await managementHarness({ options: { logExchanges: false } });
    const { refresh_token } = await h.login('mobile');
    expect((await h.refresh(refresh_token)).status).toBe(200);
    expect(await typesOf(h.alice.user_id)).toEqual(['s']);
  });

  it('logs a browser sign-in, a wrong password at the login page, and a logout (slo)', async () => {
    h = await managementHarness();
    expect(await browserSignIn('not the password')).toEqual({ refused: true });
    h.clock.advance(1000);
    const { jar } = (await browserSignIn()) as { jar: { header(): string } };
    h.clock.advance(1000);
    const out = await h.tenant.app.request('/v2/logout', { headers: { cookie: jar.header() } });
    expect(out.status).toBe(200);
    expect(await typesOf(h.alice.user_id)).toEqual(['slo', 's', 'fp']);
  });
});

describe('GET /api/v2/users/{id}/logs', () => {
  it("answers Auth0's Log shape through the SDK, paged on the server newest first, with totals, only the user's own", async () => {
    h = await managementHarness();
    for (let i = 0; i < 5; i++) {
      await h.login('mobile', { device: `device ${i}` });
      h.clock.advance(1000);
    }
    await h.login('mobile', { username: h.bob.email });
    const logs = new LogsClient({ baseUrl: h.baseUrl, token: h.token, maxRetries: 0 });
    const first = await logs.list(h.alice.user_id, { page: 0, per_page: 2, include_totals: true });
    expect(first.response).toMatchObject({ start: 0, limit: 2, length: 2, total: 5 });
    expect(first.data.map((l) => l.details?.device_name ?? null)).toEqual([null, null]);
    const all = (await logs.list(h.alice.user_id, { per_page: 100 })).data;
    expect(all).toHaveLength(5);
    expect(all.every((l) => l.user_id === h.alice.user_id && l.type === 's')).toBe(true);
    for (const entry of all) for (const key of Object.keys(entry)) expect(LOG_FIELDS).toContain(key);
    const dates = all.map((l) => String(l.date));
    expect([...dates].sort().reverse()).toEqual(dates);
    const page2 = (await json(await logsOf(h.alice.user_id, '?page=2&per_page=2'))) as { log_id: string }[];
    expect(page2.map((l) => l.log_id)).toEqual([all[4]!.log_id]);
    const oldest = (await json(await logsOf(h.alice.user_id, '?per_page=1&sort=date:1'))) as { log_id: string }[];
    expect(oldest.map((l) => l.log_id)).toEqual([all[4]!.log_id]);
    expect(((await json(await logsOf(h.bob.user_id))) as unknown[]).length).toBe(1);
  });

  it('needs read:logs or read:logs_users, as Auth0 does; read:users alone is refused', async () => {
    h = await managementHarness();
    expect((await logsOf(h.alice.user_id, '', await h.managementToken('read:logs'))).status).toBe(200);
    expect((await logsOf(h.alice.user_id, '', await h.managementToken('read:logs_users'))).status).toBe(200);
    const refused = await logsOf(h.alice.user_id, '', await h.managementToken('read:users'));
    expect(refused.status).toBe(403);
    expect(await json(refused)).toMatchObject({ errorCode: 'insufficient_scope' });
    expect((await logsOf('auth0|nobody')).status).toBe(404);
    expect((await logsOf(h.alice.user_id, '?per_page=0')).status).toBe(400);
  });
});

describe("GET /api/v2/users/{id}/revocation-history (not Auth0's)", () => {
  it('lists revoked tokens with why, and ended sessions, within the retention; older ones drop out', async () => {
    h = await managementHarness({ options: { historyRetentionDays: 7 } });
    const { refresh_token } = (await browserSignIn()) as { refresh_token: string };
    const [token] = (await h.api.userRefreshTokens.list(h.alice.user_id)).data;
    const [session] = (await h.api.userSessions.list(h.alice.user_id)).data;
    expect(refresh_token).toBeTruthy();
    expect((await h.raw(`/device-credentials/dcr_${token!.id}`, { method: 'DELETE' })).status).toBe(204);
    const unlinkedAt = new Date(h.clock.now()).toISOString();
    h.clock.advance(1000);
    expect((await h.raw(`/sessions/${session!.id}`, { method: 'DELETE' })).status).toBe(202);
    const endedAt = new Date(h.clock.now()).toISOString();
    // Deleted again: 202 as Auth0 answers, and no second entry in the user's log.
    h.clock.advance(1000);
    expect((await h.raw(`/sessions/${session!.id}`, { method: 'DELETE' })).status).toBe(202);
    expect(
      (await h.store.events.listEvents({ user_id: h.alice.user_id, type: 'sapi' }, 10)).map((e) => e.description),
    ).toEqual(['Delete a session', 'Delete a device credential']);
    const history = async () =>
      json(
        await h.raw(`/users/${encodeURIComponent(h.alice.user_id)}/revocation-history`, {
          token: await h.managementToken(),
        }),
      );
    const body = await history();
    expect(body).toMatchObject({
      retention_days: 7,
      refresh_tokens: [
        {
          id: token!.id,
          client_id: 'mobile',
          device_name: 'Pixel',
          revoked_reason: 'device_unlinked',
          revoked_at: unlinkedAt,
        },
      ],
      sessions: [{ id: session!.id, ended_at: endedAt }],
    });
    expect(
      (await json(await h.raw(`/users/${encodeURIComponent(h.bob.user_id)}/revocation-history`))).refresh_tokens,
    ).toEqual([]);
    h.clock.advance(8 * DAY);
    expect(await history()).toMatchObject({ refresh_tokens: [], sessions: [] });
    const readOnlyTokens = await h.managementToken('read:refresh_tokens');
    expect(
      (await h.raw(`/users/${encodeURIComponent(h.alice.user_id)}/revocation-history`, { token: readOnlyTokens }))
        .status,
    ).toBe(403);
  });
});
