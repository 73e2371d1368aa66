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

const CONNECTION = 'Username-Password-Authentication';
const NEW_PASSWORD = 'a new and long passphrase 42';

/** Signs a user in through /authorize and the login page, then redeems the code: a session, a grant and a refresh token. */
async function signIn(username: string, password: string) {
  const { verifier, challenge } = pkce();
  const { location, loginPage } = await authorize(
    h,
    {
      response_type: 'code',
      client_id: 'mobile',
      redirect_uri: 'https://app.test/callback',
      scope: 'openid offline_access read:things',
      audience: API,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      device: 'Pixel',
    },
    { username, password },
  );
  if (loginPage !== undefined) return { refused: loginPage };
  const res = await h.post('/oauth/token', {
    grant_type: 'authorization_code',
    client_id: 'mobile',
    code: location.searchParams.get('code')!,
    redirect_uri: 'https://app.test/callback',
    code_verifier: verifier,
  });
  expect(res.status).toBe(200);
  return (await json(res)) as { refresh_token: string; id_token: string };
}

/** The password grant: 200 or the error. */
const passwordGrant = (username: string, password: string) =>
  h.post('/oauth/token', {
    grant_type: 'password',
    client_id: 'mobile',
    username,
    password,
    scope: 'openid offline_access',
  });

describe('POST /users', () => {
  it('creates a user who then signs in through the login page', async () => {
    const created = await h.api.users.create({
      connection: CONNECTION,
      email: 'carol@test.example',
      password: NEW_PASSWORD,
      name: 'Carol Danvers',
      given_name: 'Carol',
      app_metadata: { plan: 'gold' },
      user_metadata: { theme: 'dark' },
    });
    expect(created).toMatchObject({
      email: 'carol@test.example',
      email_verified: false,
      name: 'Carol Danvers',
      given_name: 'Carol',
      nickname: 'carol',
      app_metadata: { plan: 'gold' },
      user_metadata: { theme: 'dark' },
      blocked: false,
      logins_count: 0,
      identities: [{ provider: 'auth0', connection: CONNECTION, isSocial: false }],
    });
    expect(created.user_id).toMatch(/^auth0\|[0-9a-z]+$/);
    expect(JSON.stringify(created)).not.toContain(NEW_PASSWORD);
    expect(JSON.stringify(created)).not.toContain('scrypt');
    expect(await h.api.users.get(created.user_id!)).toMatchObject({ email: 'carol@test.example' });

    const session = await signIn('carol@test.example', NEW_PASSWORD);
    expect(session).toHaveProperty('refresh_token');
    expect((await h.api.users.get(created.user_id!)).logins_count).toBe(1);
  });

  it("takes a user_id of the caller's choosing under the auth0| prefix", async () => {
    const created = await h.api.users.create({
      connection: CONNECTION,
      email: 'dave@test.example',
      password: NEW_PASSWORD,
      user_id: 'dave-1',
    });
    expect(created.user_id).toBe('auth0|dave-1');
    expect(
      await status(
        h.api.users.create({
          connection: CONNECTION,
          email: 'dave2@test.example',
          password: NEW_PASSWORD,
          user_id: 'dave-1',
        }),
      ),
    ).toBe(409);
  });

  it("answers 409 in Auth0's body for an email already taken, whatever its case", async () => {
    const res = await h.raw('/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ connection: CONNECTION, email: 'ALICE@test.example', password: NEW_PASSWORD }),
    });
    expect(res.status).toBe(409);
    expect(await json(res)).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'The user already exists.',
      errorCode: 'auth0_idp_error',
    });
    expect(
      await status(h.api.users.create({ connection: CONNECTION, email: 'alice@test.example', password: NEW_PASSWORD })),
    ).toBe(409);
  });

  it('answers 400 for a missing or unknown connection, no email, no password, a weak password or an unknown property', async () => {
    const bodies: [unknown, string][] = [
      [{ email: 'x@test.example', password: NEW_PASSWORD }, 'invalid_body'],
      [{ connection: 'google-oauth2', email: 'x@test.example', password: NEW_PASSWORD }, 'inexistent_connection'],
      [{ connection: CONNECTION, password: NEW_PASSWORD }, 'invalid_body'],
      [{ connection: CONNECTION, email: 'not-an-email', password: NEW_PASSWORD }, 'invalid_body'],
      [{ connection: CONNECTION, email: 'x@test.example' }, 'invalid_body'],
      [{ connection: CONNECTION, email: 'x@test.example', password: 'short' }, 'invalid_body'],
      [{ connection: CONNECTION, email: 'x@test.example', password: NEW_PASSWORD, is_admin: true }, 'invalid_body'],
      [
        { connection: CONNECTION, email: 'x@test.example', password: NEW_PASSWORD, app_metadata: 'gold' },
        'invalid_body',
      ],
    ];
    for (const [body, errorCode] of bodies) {
      const res = await h.raw('/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await json(res), JSON.stringify(body)).toMatchObject({ statusCode: 400, error: 'Bad Request', errorCode });
    }
    expect((await h.api.users.list({ q: 'x@test.example' })).data).toEqual([]);
  });

  it('needs create:users', async () => {
    const token = await h.managementToken('read:users update:users delete:users');
    const res = await h.raw('/users', {
      token,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ connection: CONNECTION, email: 'x@test.example', password: NEW_PASSWORD }),
    });
    expect(res.status).toBe(403);
    expect(await json(res)).toMatchObject({
      errorCode: 'insufficient_scope',
      message: 'Insufficient scope, expected any of: create:users',
    });
  });
});

describe('PATCH /users/{id}', () => {
  it('changes email, name and password; metadata is merged and null removes a key', async () => {
    const user = await h.api.users.create({
      connection: CONNECTION,
      email: 'erin@test.example',
      password: NEW_PASSWORD,
      user_metadata: { theme: 'dark', lang: 'fr' },
      app_metadata: { plan: 'gold' },
    });
    const updated = await h.api.users.update(user.user_id!, {
      email: 'erin.new@test.example',
      name: 'Erin New',
      password: 'another long passphrase 43',
      user_metadata: { lang: null as unknown as string, tz: 'Europe/Paris' },
      app_metadata: { plan: 'platinum' },
    });
    expect(updated).toMatchObject({
      email: 'erin.new@test.example',
      name: 'Erin New',
      user_metadata: { theme: 'dark', tz: 'Europe/Paris' },
      app_metadata: { plan: 'platinum' },
    });
    expect(updated.user_metadata).not.toHaveProperty('lang');
    expect(JSON.stringify(updated)).not.toContain('another long passphrase');
    expect((await passwordGrant('erin.new@test.example', NEW_PASSWORD)).status).toBe(403);
    expect((await passwordGrant('erin@test.example', 'another long passphrase 43')).status).toBe(403);
    expect((await passwordGrant('erin.new@test.example', 'another long passphrase 43')).status).toBe(200);
  });

  it('blocks a user: their refresh tokens are refused at once, and so is signing in; unblocking restores both', async () => {
    // A non-rotating token: its one secret outlives the refused exchange.
    const { refresh_token } = await h.login('web', { username: h.bob.email });
    expect((await h.api.users.update(h.bob.user_id, { blocked: true })).blocked).toBe(true);
    const refused = await h.refresh(refresh_token, 'web');
    expect(refused.status).toBe(403);
    expect(await json(refused)).toMatchObject({ error: 'invalid_grant' });
    const signIn = await passwordGrant(h.bob.email, PASSWORD);
    expect(signIn.status).toBe(403);
    expect(await json(signIn)).toMatchObject({ error: 'access_denied' });

    await h.api.users.update(h.bob.user_id, { blocked: false });
    expect((await h.refresh(refresh_token, 'web')).status).toBe(200);
    expect((await passwordGrant(h.bob.email, PASSWORD)).status).toBe(200);
  });

  it('blocking a user does not burn their rotating refresh token: refused while blocked, usable again once unblocked', async () => {
    const { refresh_token } = await h.login('mobile', { username: h.bob.email });
    await h.api.users.update(h.bob.user_id, { blocked: true });
    const refused = await h.refresh(refresh_token);
    expect(refused.status).toBe(403);
    expect(await json(refused)).toMatchObject({ error: 'invalid_grant' });
    await h.api.users.update(h.bob.user_id, { blocked: false });
    // The refused exchange rotated nothing, so this is the token's current secret, not a reuse.
    const again = await h.refresh(refresh_token);
    expect(again.status).toBe(200);
    expect(await h.store.events.listEvents({ user_id: h.bob.user_id, type: 'ferrt' }, 10)).toEqual([]);
  });

  it('answers 409 for an email another user has, 404 for an unknown user, 400 for a bad body', async () => {
    expect(await status(h.api.users.update(h.bob.user_id, { email: 'Alice@Test.Example' }))).toBe(409);
    expect((await h.api.users.get(h.bob.user_id)).email).toBe(h.bob.email);
    expect(await status(h.api.users.update('auth0|nobody', { name: 'x' }))).toBe(404);
    for (const body of [
      { email: 'nope' },
      { password: 'short' },
      { blocked: 'yes' },
      { user_id: 'other' },
      { app_metadata: [] },
    ]) {
      const res = await h.raw(`/users/${encodeURIComponent(h.bob.user_id)}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await json(res)).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    }
  });

  it('needs update:users', async () => {
    const token = await h.managementToken('read:users create:users delete:users');
    const res = await h.raw(`/users/${encodeURIComponent(h.bob.user_id)}`, {
      token,
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blocked: true }),
    });
    expect(res.status).toBe(403);
    expect((await h.api.users.get(h.bob.user_id)).blocked).toBe(false);
  });
});

describe('DELETE /users/{id}', () => {
  it('deletes the user with their tokens, sessions and grants: refused at once, journaled, then marked', async () => {
    const user = await h.api.users.create({
      connection: CONNECTION,
      email: 'frank@test.example',
      password: NEW_PASSWORD,
    });
    const browser = await signIn('frank@test.example', NEW_PASSWORD);
    if ('refused' in browser) throw new Error('sign-in refused');
    const { refresh_token } = await json(await passwordGrant('frank@test.example', NEW_PASSWORD));
    // Two grants: the API (browser sign-in) and /userinfo (password grant without audience).
    expect((await h.api.grants.list({ user_id: user.user_id! })).data).toHaveLength(2);
    expect((await h.api.userSessions.list(user.user_id!)).data).toHaveLength(1);
    const alicesToken = (await h.login('mobile')).refresh_token;

    // Hold the background worker so the journal alone must refuse the tokens.
    await h.tenant.deps.revocations.stop();
    const res = await h.raw(`/users/${encodeURIComponent(user.user_id!)}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    const jobs = await h.store.revocationJournal.listRevocationJobs();
    expect(jobs.map((j) => [j.target, j.reason])).toEqual([
      [{ kind: 'user', user_id: user.user_id }, 'user_tokens_revoked'],
    ]);
    for (const token of [browser.refresh_token, refresh_token]) {
      const refused = await h.refresh(token);
      expect(refused.status).toBe(403);
      expect(await json(refused)).toMatchObject({ error: 'invalid_grant' });
    }
    expect((await h.refresh(alicesToken)).status).toBe(200);
    expect(await status(h.api.users.get(user.user_id!))).toBe(404);
    expect((await h.api.grants.list({ user_id: user.user_id! })).data).toEqual([]);
    expect((await h.store.sessions.listUserSessions(user.user_id!, h.clock.now(), undefined, 10)).items).toEqual([]);
    expect((await passwordGrant('frank@test.example', NEW_PASSWORD)).status).toBe(403);

    h.tenant.deps.revocations.start();
    await h.tenant.deps.revocations.idle();
    expect(await h.store.revocationJournal.listRevocationJobs()).toEqual([]);
    const history = await h.store.refreshTokens.listRefreshTokensHistory({ user_id: user.user_id! }, 0, 10);
    expect(history.items).toHaveLength(2);
    expect(history.items.every((t) => t.revoked_reason === 'user_tokens_revoked')).toBe(true);
    // A deleted user is gone: deleting again is not an error (Auth0 answers 204).
    expect(await status(h.api.users.delete(user.user_id!))).toBe('ok');
  });

  it('needs delete:users', async () => {
    const token = await h.managementToken('read:users create:users update:users');
    expect((await h.raw(`/users/${encodeURIComponent(h.bob.user_id)}`, { token, method: 'DELETE' })).status).toBe(403);
    expect((await h.api.users.get(h.bob.user_id)).email).toBe(h.bob.email);
  });
});

describe('users', () => {
  it('searches by email, name or id with paging and totals', async () => {
    const all = await h.api.users.list({ include_totals: true });
    expect(all.response).toMatchObject({ start: 0, limit: 50, total: 2 });
    expect((await h.api.users.list({ q: 'alice' })).data.map((u) => u.email)).toEqual([h.alice.email]);
    expect((await h.api.users.list({ q: 'email:"bob@test.example"' })).data.map((u) => u.user_id)).toEqual([
      h.bob.user_id,
    ]);
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
    for (const query of [
      'per_page=0',
      'per_page=101',
      'page=-1',
      'page=x',
      'sort=password:1',
      'sort=email',
      'page=20&per_page=50',
      'include_totals=yes',
    ]) {
      const res = await h.raw(`/users?${query}`);
      expect(res.status, query).toBe(400);
    }
  });

  it("lists a user's reuse events as logs", async () => {
    const { refresh_token } = await h.login('mobile');
    await h.refresh(refresh_token);
    h.clock.advance(1000);
    await h.refresh(refresh_token);
    const res = await h.raw(`/users/${encodeURIComponent(h.alice.user_id)}/logs?include_totals=true`);
    const body = await json(res);
    // The sign-in, the exchange, and the reuse.
    expect(body.total).toBe(3);
    expect(body.logs[0]).toMatchObject({ type: 'ferrt', user_id: h.alice.user_id, client_id: 'mobile' });
  });
});
