import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { matchesHash, sha256 as sha } from '../../src/crypto/secrets.ts';
import { API, ISSUER } from '../fixtures.ts';
import { json } from '../http.ts';
import { clientCredentials, managementHarness, status, type ManagementHarness } from './helpers.ts';

let h: ManagementHarness;
beforeEach(async () => {
  h = await managementHarness();
});
afterEach(() => h.stop());

const MANAGEMENT_API = `${ISSUER}api/v2/`;

describe('POST /clients', () => {
  it('creates a confidential client whose secret is shown once, stored hashed, and works at the token endpoint', async () => {
    const created = await h.api.clients.create({
      name: 'Billing worker',
      app_type: 'non_interactive',
      grant_types: ['client_credentials'],
    });
    expect(created).toMatchObject({
      name: 'Billing worker',
      app_type: 'non_interactive',
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['client_credentials'],
      is_first_party: true,
    });
    expect(created.client_id).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(created.client_secret).toMatch(/^[\w-]{43,}$/);

    // Shown once: never again in a read, and not kept in clear.
    expect(await h.api.clients.get(created.client_id!)).not.toHaveProperty('client_secret');
    expect((await h.api.clients.list()).data.every((c) => !('client_secret' in c))).toBe(true);
    const stored = (await h.store.directory.getClient(created.client_id!))!;
    expect(matchesHash(created.client_secret!, stored.client_secret_hash!)).toBe(true);
    expect(JSON.stringify(stored)).not.toContain(created.client_secret);

    await h.api.clientGrants.create({ client_id: created.client_id!, audience: API, scope: ['read:things'] });
    const issued = await clientCredentials(h, created.client_id!, created.client_secret!);
    expect(issued.status).toBe(200);
    expect((await json(issued)).scope).toBe('read:things');
  });

  it('creates a public SPA or native client without a secret, with its callbacks and refresh-token policy', async () => {
    const spa = await h.api.clients.create({
      name: 'Storefront',
      app_type: 'spa',
      callbacks: ['https://shop.test/callback'],
      allowed_logout_urls: ['https://shop.test/'],
      refresh_token: {
        rotation_type: 'rotating',
        expiration_type: 'expiring',
        token_lifetime: 86_400,
        idle_token_lifetime: 3_600,
      },
    });
    expect(spa).toMatchObject({
      token_endpoint_auth_method: 'none',
      callbacks: ['https://shop.test/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
    });
    expect(spa.refresh_token).toMatchObject({
      rotation_type: 'rotating',
      expiration_type: 'expiring',
      token_lifetime: 86_400,
      idle_token_lifetime: 3_600,
      infinite_token_lifetime: false,
    });
    expect(spa).not.toHaveProperty('client_secret');
    expect((await h.store.directory.getClient(spa.client_id!))!.client_secret_hash).toBeNull();
  });

  it('answers 400 for a missing name, an unknown app type or grant type, a rotating non-expiring policy, or an unknown property', async () => {
    const bodies = [
      {},
      { name: '' },
      { name: 'x', app_type: 'mainframe' },
      { name: 'x', grant_types: ['implicit-ish'] },
      { name: 'x', refresh_token: { rotation_type: 'rotating', expiration_type: 'non-expiring' } },
      { name: 'x', callbacks: ['not a url'] },
      { name: 'x', client_secret: 'chosen-by-caller' },
      { name: 'x', token_endpoint_auth_method: 'none', app_type: 'non_interactive' },
    ];
    for (const body of bodies) {
      const res = await h.raw('/clients', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await json(res)).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    }
  });

  it('needs create:clients', async () => {
    const token = await h.managementToken('read:clients update:clients delete:clients');
    const res = await h.raw('/clients', {
      token,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(res.status).toBe(403);
    expect(await json(res)).toMatchObject({
      errorCode: 'insufficient_scope',
      message: 'Insufficient scope, expected any of: create:clients',
    });
  });
});

describe("Auth0's client fields, as the SDK's CreateClientRequestContent documents them", () => {
  const auth0Fields = {
    logo_uri: 'https://cdn.example.com/logo.png',
    allowed_clients: ['another-client'],
    client_aliases: ['https://sp.example.com'],
    initiate_login_uri: 'https://app.example.com/login',
    oidc_conformant: true,
    jwt_configuration: { lifetime_in_seconds: 36000, alg: 'RS256' as const, secret_encoded: false },
    client_metadata: { team: 'payments', tier: 'gold' },
    sso: true,
    sso_disabled: false,
    cross_origin_authentication: false,
    is_token_endpoint_ip_header_trusted: false,
    organization_usage: 'deny' as const,
    require_pushed_authorization_requests: false,
    mobile: { ios: { team_id: 'ABCDE12345', app_bundle_identifier: 'com.example.app' } },
    addons: {},
  };

  it('POST and PATCH accept them; they come back unchanged from GET (kept, though this tenant does not act on them)', async () => {
    const created = await h.api.clients.create({
      name: 'Every field',
      app_type: 'regular_web',
      web_origins: ['https://app.example.com'],
      allowed_origins: ['https://app.example.com'],
      ...auth0Fields,
    });
    expect(created).toMatchObject({
      ...auth0Fields,
      web_origins: ['https://app.example.com'],
      allowed_origins: ['https://app.example.com'],
    });
    expect(await h.api.clients.get(created.client_id!)).toMatchObject(auth0Fields);
    const patched = await h.api.clients.update(created.client_id!, {
      client_metadata: { team: 'identity' },
      logo_uri: 'https://cdn.example.com/new.png',
      initiate_login_uri: 'https://app.example.com/start',
    });
    expect(patched).toMatchObject({
      client_metadata: { team: 'identity' },
      logo_uri: 'https://cdn.example.com/new.png',
      initiate_login_uri: 'https://app.example.com/start',
      allowed_clients: ['another-client'],
    });
    expect((await h.api.clients.get(created.client_id!)).client_metadata).toEqual({ team: 'identity' });
  });

  it('refuses with 400 only what Auth0 also refuses, and changes nothing then', async () => {
    const created = await h.api.clients.create({ name: 'Refusals', app_type: 'regular_web' });
    const bad = [
      { initiate_login_uri: 'http://app.example.com/login' },
      { client_metadata: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])) },
      { client_metadata: { long: 'x'.repeat(256) } },
      { jwt_configuration: { alg: 'none' } },
      { logo_uri: 'not a url' },
      { organization_usage: 'sometimes' },
      { no_such_field: true },
    ];
    for (const body of bad) {
      for (const [method, path] of [
        ['POST', '/clients'],
        ['PATCH', `/clients/${created.client_id}`],
      ] as const) {
        const res = await h.raw(path, {
          method,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(method === 'POST' ? { name: 'x', ...body } : body),
        });
        expect(res.status, `${method} ${JSON.stringify(body)}`).toBe(400);
        expect(await json(res)).toMatchObject({ statusCode: 400, errorCode: 'invalid_body' });
      }
    }
    expect((await h.api.clients.list({ per_page: 100 })).data.filter((c) => c.name === 'x')).toEqual([]);
    expect(await h.api.clients.get(created.client_id!)).not.toHaveProperty('initiate_login_uri');
  });
});
describe('DELETE /clients/{id}', () => {
  it('deletes the client: its refresh tokens, grants and client grants go with it, refused at once', async () => {
    const { refresh_token } = await h.login('web');
    const bobs = await h.login('web', { username: h.bob.email });
    const mobile = await h.login('mobile');
    expect((await h.api.grants.list({ client_id: 'web' })).data.length).toBeGreaterThan(0);

    await h.tenant.deps.revocations.stop();
    expect(await status(h.api.clients.delete('web'))).toBe('ok');
    expect((await h.store.revocationJournal.listRevocationJobs()).map((j) => [j.target, j.reason])).toEqual([
      [{ kind: 'client', client_id: 'web' }, 'client_tokens_revoked'],
    ]);
    // Refused at once: the client is unknown, and the journal covers its tokens.
    for (const token of [refresh_token, bobs.refresh_token]) {
      expect((await h.refresh(token, 'web')).status).toBe(401);
      expect((await h.store.refreshTokens.findRefreshTokenBySecret(sha(token), h.clock.now()))!.usable).toBe(false);
    }
    expect((await h.refresh(mobile.refresh_token)).status).toBe(200);
    expect(await status(h.api.clients.get('web'))).toBe(404);
    expect((await h.api.grants.list({ client_id: 'web' })).data).toEqual([]);

    h.tenant.deps.revocations.start();
    await h.tenant.deps.revocations.idle();
    const history = await h.store.refreshTokens.listRefreshTokensHistory({ client_id: 'web' }, 0, 10);
    expect(history.items.map((t) => t.revoked_reason)).toEqual(['client_tokens_revoked', 'client_tokens_revoked']);
    expect(await status(h.api.clients.delete('web'))).toBe(404);
  });

  it("a deleted machine client's Management API token is refused at once", async () => {
    const worker = await h.api.clients.create({
      name: 'Ops script',
      app_type: 'non_interactive',
      grant_types: ['client_credentials'],
    });
    await h.api.clientGrants.create({ client_id: worker.client_id!, audience: MANAGEMENT_API, scope: ['read:users'] });
    const { access_token } = await json(
      await clientCredentials(h, worker.client_id!, worker.client_secret!, MANAGEMENT_API),
    );
    expect((await h.raw('/users', { token: access_token })).status).toBe(200);
    await h.api.clients.delete(worker.client_id!);
    const refused = await h.raw('/users', { token: access_token });
    expect(refused.status).toBe(403);
    expect(await json(refused)).toMatchObject({ statusCode: 403, errorCode: 'access_denied' });
    expect((await h.api.clientGrants.list({ client_id: worker.client_id! })).data).toEqual([]);
  });

  it('needs delete:clients', async () => {
    const token = await h.managementToken('read:clients update:clients create:clients');
    expect((await h.raw('/clients/web', { token, method: 'DELETE' })).status).toBe(403);
    expect(await h.api.clients.get('web')).toMatchObject({ client_id: 'web' });
  });
});

describe('clients', () => {
  it('lists and reads clients without secrets', async () => {
    const page = await h.api.clients.list({ include_totals: true });
    expect(page.response.total).toBe(4);
    const web = await h.api.clients.get('web');
    expect(web).toMatchObject({
      client_id: 'web',
      token_endpoint_auth_method: 'client_secret_post',
      refresh_token: { rotation_type: 'non-rotating' },
    });
    expect(web).not.toHaveProperty('client_secret');
    expect(JSON.stringify(web)).not.toContain('secret-for-tests');
    expect(await status(h.api.clients.get('nope'))).toBe(404);
  });

  it('updates name, auth method and the refresh token policy, which new tokens follow', async () => {
    const updated = await h.api.clients.update('web', {
      name: 'Web v2',
      refresh_token: {
        rotation_type: 'rotating',
        expiration_type: 'expiring',
        leeway: 5,
        token_lifetime: 3600,
        idle_token_lifetime: 600,
        infinite_token_lifetime: false,
        infinite_idle_token_lifetime: false,
      },
    });
    expect(updated).toMatchObject({ name: 'Web v2', refresh_token: { rotation_type: 'rotating', leeway: 5 } });
    const { refresh_token } = await h.login('web');
    const res = await h.refresh(refresh_token, 'web');
    expect((await json(res)).refresh_token).toBeTruthy();
  });

  it('refuses invalid policies', async () => {
    const patch = (body: unknown) =>
      h.raw('/clients/web', {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const body of [
      { refresh_token: { rotation_type: 'rotating', expiration_type: 'non-expiring' } },
      { refresh_token: { rotation_type: 'sometimes', expiration_type: 'expiring' } },
      { refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: -1 } },
      {
        refresh_token: {
          rotation_type: 'rotating',
          expiration_type: 'expiring',
          token_lifetime: 60,
          idle_token_lifetime: 120,
          infinite_token_lifetime: false,
          infinite_idle_token_lifetime: false,
        },
      },
      { name: '<script>' },
      { client_secret: 'x' },
    ]) {
      expect((await patch(body)).status, JSON.stringify(body)).toBe(400);
    }
  });
});
