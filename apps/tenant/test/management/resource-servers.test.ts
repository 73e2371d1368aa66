import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API, ISSUER, M2M_SECRET, PASSWORD } from '../fixtures.ts';
import { json } from '../http.ts';
import { managementHarness, status, type ManagementHarness } from './helpers.ts';

let h: ManagementHarness;
beforeEach(async () => {
  h = await managementHarness();
});
afterEach(() => h.stop());

const ORDERS = 'https://orders.test/';
const clientCredentials = (audience: string, scope?: string) =>
  h.post('/oauth/token', {
    grant_type: 'client_credentials',
    client_id: 'm2m',
    client_secret: M2M_SECRET,
    audience,
    ...(scope ? { scope } : {}),
  });

describe('resource servers', () => {
  it('creates an API that issues tokens with its lifetime and scopes, and reads it by id or identifier', async () => {
    const created = await h.api.resourceServers.create({
      identifier: ORDERS,
      name: 'Orders',
      scopes: [
        { value: 'read:orders', description: 'Read orders' },
        { value: 'write:orders', description: 'Write orders' },
      ],
      token_lifetime: 600,
      allow_offline_access: true,
    });
    expect(created).toMatchObject({
      identifier: ORDERS,
      name: 'Orders',
      is_system: false,
      signing_alg: 'RS256',
      token_lifetime: 600,
      allow_offline_access: true,
      scopes: [{ value: 'read:orders' }, { value: 'write:orders' }],
    });
    expect(created.id).toMatch(/^[0-9A-Za-z]{24}$/);
    expect(await h.api.resourceServers.get(created.id!)).toEqual(created);
    expect(await h.api.resourceServers.get(ORDERS)).toEqual(created);
    expect((await h.api.resourceServers.list()).data.map((rs) => rs.identifier)).toContain(ORDERS);

    await h.api.clientGrants.create({ client_id: 'm2m', audience: ORDERS, scope: ['read:orders'] });
    const issued = await json(await clientCredentials(ORDERS));
    const claims = decodeJwt(issued.access_token);
    expect(claims).toMatchObject({ aud: ORDERS, scope: 'read:orders' });
    expect(claims.exp! - claims.iat!).toBe(600);
  });

  it('updates name, scopes, lifetime and offline access; offline access decides whether refresh tokens are issued', async () => {
    const created = await h.api.resourceServers.create({
      identifier: ORDERS,
      name: 'Orders',
      scopes: [{ value: 'read:orders' }],
      allow_offline_access: false,
    });
    const signIn = async () =>
      json(
        await h.post('/oauth/token', {
          grant_type: 'password',
          client_id: 'mobile',
          username: h.alice.email,
          password: PASSWORD,
          audience: ORDERS,
          scope: 'openid offline_access read:orders',
        }),
      );
    expect(await signIn()).not.toHaveProperty('refresh_token');
    const updated = await h.api.resourceServers.update(created.id!, {
      name: 'Orders v2',
      allow_offline_access: true,
      token_lifetime: 1200,
      scopes: [{ value: 'read:orders', description: 'Read' }, { value: 'refund:orders' }],
    });
    expect(updated).toMatchObject({
      id: created.id,
      identifier: ORDERS,
      name: 'Orders v2',
      allow_offline_access: true,
      token_lifetime: 1200,
    });
    expect(updated.scopes!.map((s) => s.value)).toEqual(['read:orders', 'refund:orders']);
    expect(await signIn()).toHaveProperty('refresh_token');
  });

  it('deletes an API with its client grants', async () => {
    const created = await h.api.resourceServers.create({
      identifier: ORDERS,
      name: 'Orders',
      scopes: [{ value: 'read:orders' }],
    });
    const grant = await h.api.clientGrants.create({ client_id: 'm2m', audience: ORDERS, scope: ['read:orders'] });
    expect(await status(h.api.resourceServers.delete(created.id!))).toBe('ok');
    expect(await status(h.api.resourceServers.get(created.id!))).toBe(404);
    expect(await status(h.api.clientGrants.get(grant.id!))).toBe(404);
    const refused = await clientCredentials(ORDERS);
    expect(refused.status).toBe(403);
    expect(await json(refused)).toMatchObject({
      error: 'access_denied',
      error_description: `Service not found: ${ORDERS}`,
    });
    expect(await status(h.api.resourceServers.delete(created.id!))).toBe(404);
  });

  it('answers 409 for a taken identifier, 400 for bad bodies, and refuses to change or delete the Management API', async () => {
    await h.api.resourceServers.create({ identifier: ORDERS, name: 'Orders' });
    const dup = await h.raw('/resource-servers', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: ORDERS, name: 'Again' }),
    });
    expect(dup.status).toBe(409);
    expect(await json(dup)).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'A resource server with the same identifier already exists',
      errorCode: 'conflict',
    });
    for (const body of [
      {},
      { name: 'x' },
      { identifier: '' },
      { identifier: 'x', token_lifetime: 0 },
      { identifier: 'x', token_lifetime: 3_000_000 },
      { identifier: 'x', scopes: [{ description: 'no value' }] },
      { identifier: 'x', scopes: [{ value: 'a b' }] },
      { identifier: 'x', signing_secret: 's' },
    ]) {
      const res = await h.raw('/resource-servers', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await json(res)).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    }
    const patchIdentifier = await h.raw(`/resource-servers/${encodeURIComponent(ORDERS)}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: 'https://else/' }),
    });
    expect(patchIdentifier.status).toBe(400);
    expect(await status(h.api.resourceServers.update('nothing', { name: 'x' }))).toBe(404);

    const system = await h.api.resourceServers.get(`${ISSUER}api/v2/`);
    expect(system).toMatchObject({ is_system: true, name: 'Auth0 Management API' });
    expect(await status(h.api.resourceServers.update(system.id!, { token_lifetime: 60 }))).toBe(403);
    expect(await status(h.api.resourceServers.delete(system.id!))).toBe(403);
    expect((await h.api.resourceServers.get(system.id!)).token_lifetime).toBe(86_400);
  });

  it('needs create:, update: and delete:resource_servers', async () => {
    const created = await h.api.resourceServers.create({ identifier: ORDERS, name: 'Orders' });
    const cases: [string, string, string, string | undefined][] = [
      ['GET', `/resource-servers/${created.id}`, 'read:resource_servers', undefined],
      ['POST', '/resource-servers', 'create:resource_servers', JSON.stringify({ identifier: 'https://x/' })],
      ['PATCH', `/resource-servers/${created.id}`, 'update:resource_servers', JSON.stringify({ name: 'y' })],
      ['DELETE', `/resource-servers/${created.id}`, 'delete:resource_servers', undefined],
    ];
    const everything = [
      'read:resource_servers',
      'create:resource_servers',
      'update:resource_servers',
      'delete:resource_servers',
    ];
    for (const [method, path, scope, body] of cases) {
      const token = await h.managementToken(everything.filter((s) => s !== scope).join(' '));
      const res = await h.raw(path, {
        token,
        method,
        headers: { 'content-type': 'application/json' },
        ...(body ? { body } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(await json(res)).toMatchObject({ message: `Insufficient scope, expected any of: ${scope}` });
    }
    expect((await h.api.resourceServers.get(created.id!)).name).toBe('Orders');
  });

  it('lists the APIs with their names, including the Management API', async () => {
    const res = await h.raw('/resource-servers?include_totals=true');
    const body = await json(res);
    expect(body.resource_servers.map((rs: { identifier: string; name: string }) => rs.identifier)).toEqual(
      expect.arrayContaining([API, 'https://tenant.test/api/v2/']),
    );
    const one = await json(await h.raw(`/resource-servers?identifiers=${encodeURIComponent(API)}`));
    expect(one).toEqual([expect.objectContaining({ identifier: API, name: 'Test API' })]);
  });
});
