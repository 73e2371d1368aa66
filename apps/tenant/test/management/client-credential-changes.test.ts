import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ISSUER, WEB_SECRET } from '../fixtures.ts';
import { json } from '../http.ts';
import { clientCredentials, managementHarness, status, type ManagementHarness } from './helpers.ts';

/**
 * A client's credentials changed through the Management API (rotate-secret, a turn to public
 * and back, client_credentials taken away): the old secret, and Management API tokens issued
 * before the change, are refused at once.
 */

let h: ManagementHarness;
beforeEach(async () => {
  h = await managementHarness();
});
afterEach(() => h.stop());

const MANAGEMENT_API = `${ISSUER}api/v2/`;

describe('POST /clients/{id}/rotate-secret', () => {
  it('shows a new secret once; the old one is refused at once', async () => {
    const rotated = await h.api.clients.rotateSecret('web');
    expect(rotated).toMatchObject({ client_id: 'web' });
    expect(rotated.client_secret).toMatch(/^[\w-]{43,}$/);
    expect(rotated.client_secret).not.toBe(WEB_SECRET);
    const old = await h.post('/oauth/token', {
      grant_type: 'password',
      client_id: 'web',
      client_secret: WEB_SECRET,
      username: h.alice.email,
      password: 'correct horse battery staple',
    });
    expect(old.status).toBe(401);
    expect(await json(old)).toMatchObject({ error: 'invalid_client' });
    const fresh = await h.post('/oauth/token', {
      grant_type: 'password',
      client_id: 'web',
      client_secret: rotated.client_secret!,
      username: h.alice.email,
      password: 'correct horse battery staple',
    });
    expect(fresh.status).toBe(200);
    expect(await h.api.clients.get('web')).not.toHaveProperty('client_secret');
  });

  it('answers the new secret with Cache-Control: no-store, as every answer carrying a secret', async () => {
    const token = await h.managementToken('update:client_keys create:clients');
    const rotated = await h.raw('/clients/web/rotate-secret', { token, method: 'POST' });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    const created = await h.raw('/clients', {
      token,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'No Store', app_type: 'regular_web' }),
    });
    expect(created.status).toBe(201);
    expect((await json(created)).client_secret).toEqual(expect.any(String));
    expect(created.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 404 for an unknown client, 400 for a public one, and needs update:client_keys', async () => {
    expect(await status(h.api.clients.rotateSecret('nobody'))).toBe(404);
    expect(await status(h.api.clients.rotateSecret('mobile'))).toBe(400);
    const token = await h.managementToken('read:clients update:clients create:clients');
    const res = await h.raw('/clients/web/rotate-secret', { token, method: 'POST' });
    expect(res.status).toBe(403);
    expect(await json(res)).toMatchObject({ message: 'Insufficient scope, expected any of: update:client_keys' });
  });
});

describe('a client turned public, and back', () => {
  const passwordGrant = (secret?: string) =>
    h.post('/oauth/token', {
      grant_type: 'password',
      client_id: 'web',
      ...(secret ? { client_secret: secret } : {}),
      username: h.alice.email,
      password: 'correct horse battery staple',
    });

  it('PATCH token_endpoint_auth_method none clears the secret: switched back, the old one is refused until rotate-secret shows a new one', async () => {
    expect((await passwordGrant(WEB_SECRET)).status).toBe(200);
    expect(await h.api.clients.update('web', { token_endpoint_auth_method: 'none' })).toMatchObject({
      token_endpoint_auth_method: 'none',
    });
    expect((await h.store.directory.getClient('web'))!.client_secret_hash).toBeNull();
    expect((await passwordGrant()).status).toBe(200);

    expect(await h.api.clients.update('web', { token_endpoint_auth_method: 'client_secret_post' })).toMatchObject({
      token_endpoint_auth_method: 'client_secret_post',
    });
    for (const secret of [WEB_SECRET, undefined]) {
      const refused = await passwordGrant(secret);
      expect(refused.status).toBe(401);
      expect(await json(refused)).toMatchObject({ error: 'invalid_client' });
    }
    const { client_secret } = await h.api.clients.rotateSecret('web');
    expect((await passwordGrant(client_secret!)).status).toBe(200);
    expect((await passwordGrant(WEB_SECRET)).status).toBe(401);
  });
});

describe('Management API tokens of a client whose credentials changed', () => {
  /** A machine client with a Management API grant, and a token it got (the manual clock stands still: every token here is of one second). */
  async function machine() {
    const created = await h.api.clients.create({
      name: 'Ops script',
      app_type: 'non_interactive',
      grant_types: ['client_credentials'],
    });
    await h.api.clientGrants.create({ client_id: created.client_id!, audience: MANAGEMENT_API, scope: ['read:users'] });
    const issued = await clientCredentials(h, created.client_id!, created.client_secret!, MANAGEMENT_API);
    expect(issued.status).toBe(200);
    return {
      id: created.client_id!,
      secret: created.client_secret!,
      token: (await json(issued)).access_token as string,
    };
  }
  const users = (token: string) => h.raw('/users', { token });

  it('a token issued before rotate-secret is refused at once; one issued after, in the same second, works', async () => {
    const m = await machine();
    expect((await users(m.token)).status).toBe(200);
    const { client_secret } = await h.api.clients.rotateSecret(m.id);
    const before = await users(m.token);
    expect(before.status).toBe(401);
    expect(await json(before)).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    const after = await json(await clientCredentials(h, m.id, client_secret!, MANAGEMENT_API));
    expect((await users(after.access_token)).status).toBe(200);
  });

  it('a token issued before client_credentials was taken away stays refused when it is given back; a rename changes nothing', async () => {
    const m = await machine();
    await h.api.clients.update(m.id, { name: 'Ops script, renamed' });
    expect((await users(m.token)).status).toBe(200);
    await h.api.clients.update(m.id, { grant_types: ['refresh_token'] });
    expect((await users(m.token)).status).toBe(401);
    await h.api.clients.update(m.id, { grant_types: ['client_credentials'] });
    expect((await users(m.token)).status).toBe(401);
    const again = await json(await clientCredentials(h, m.id, m.secret, MANAGEMENT_API));
    expect((await users(again.access_token)).status).toBe(200);
  });

  it("a token issued before the client's auth method changed is refused", async () => {
    const m = await machine();
    await h.api.clients.update(m.id, { token_endpoint_auth_method: 'client_secret_basic' });
    expect((await users(m.token)).status).toBe(401);
  });
});
