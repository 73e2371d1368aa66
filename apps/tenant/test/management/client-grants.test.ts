import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API, ISSUER } from '../fixtures.ts';
import { json } from '../http.ts';
import { managementHarness, status, type ManagementHarness } from './helpers.ts';

let h: ManagementHarness;
beforeEach(async () => {
  h = await managementHarness();
});
afterEach(() => h.stop());

const MANAGEMENT_API = `${ISSUER}api/v2/`;

const clientCredentials = (clientId: string, secret: string, audience: string, scope?: string) =>
  h.post('/oauth/token', {
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: secret,
    audience,
    ...(scope ? { scope } : {}),
  });

/** A new machine-to-machine client through the API, with its one-time secret. */
async function machine(name = 'Worker') {
  const created = await h.api.clients.create({
    name,
    app_type: 'non_interactive',
    grant_types: ['client_credentials'],
  });
  return { id: created.client_id!, secret: created.client_secret! };
}

describe('client grants', () => {
  it('creates, reads, lists by checkpoint with filters, narrows and deletes', async () => {
    const worker = await machine();
    const created = await h.api.clientGrants.create({
      client_id: worker.id,
      audience: API,
      scope: ['read:things', 'write:things'],
    });
    expect(created).toEqual({
      id: expect.stringMatching(/^cgr_/),
      client_id: worker.id,
      audience: API,
      scope: ['read:things', 'write:things'],
    });
    expect(await h.api.clientGrants.get(created.id!)).toEqual(created);

    const all = await h.api.clientGrants.list({ take: 2 });
    const seen = [...all.data];
    let page = all;
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      seen.push(...page.data);
    }
    // m2m's two from the fixture, and the new one.
    expect(seen.map((g) => g.id).sort()).toEqual(['cgr_1', 'cgr_2', created.id].sort());
    expect((await h.api.clientGrants.list({ client_id: worker.id })).data.map((g) => g.id)).toEqual([created.id]);
    expect((await h.api.clientGrants.list({ audience: MANAGEMENT_API })).data.map((g) => g.client_id)).toEqual(['m2m']);
    const totals = await h.raw('/client-grants?include_totals=true&client_id=m2m');
    expect(await json(totals)).toMatchObject({ total: 2, client_grants: [{ client_id: 'm2m' }, { client_id: 'm2m' }] });

    expect(await h.api.clientGrants.update(created.id!, { scope: ['read:things'] })).toMatchObject({
      id: created.id,
      scope: ['read:things'],
    });
    expect(await status(h.api.clientGrants.delete(created.id!))).toBe('ok');
    expect(await status(h.api.clientGrants.get(created.id!))).toBe(404);
    expect(await status(h.api.clientGrants.delete(created.id!))).toBe(404);
  });

  it('a client grant narrowing scopes narrows client_credentials at once, for any API and for the Management API', async () => {
    const worker = await machine();
    const grant = await h.api.clientGrants.create({
      client_id: worker.id,
      audience: API,
      scope: ['read:things', 'write:things'],
    });
    expect((await json(await clientCredentials(worker.id, worker.secret, API))).scope).toBe('read:things write:things');
    await h.api.clientGrants.update(grant.id!, { scope: ['read:things'] });
    expect((await json(await clientCredentials(worker.id, worker.secret, API))).scope).toBe('read:things');
    const refused = await clientCredentials(worker.id, worker.secret, API, 'write:things');
    expect(refused.status).toBe(403);
    expect(await json(refused)).toMatchObject({
      error: 'access_denied',
      error_description: 'Client has not been granted scopes: write:things',
    });

    const mgmt = await h.api.clientGrants.create({
      client_id: worker.id,
      audience: MANAGEMENT_API,
      scope: ['read:users', 'read:clients'],
    });
    const { access_token } = await json(await clientCredentials(worker.id, worker.secret, MANAGEMENT_API));
    expect((await h.raw('/users', { token: access_token })).status).toBe(200);
    await h.api.clientGrants.update(mgmt.id!, { scope: ['read:clients'] });
    // The token already issued loses the scope with the grant, not when it expires.
    expect((await h.raw('/users', { token: access_token })).status).toBe(403);
    expect((await h.raw('/clients', { token: access_token })).status).toBe(200);
    await h.api.clientGrants.delete(mgmt.id!);
    expect((await h.raw('/clients', { token: access_token })).status).toBe(403);
    const none = await clientCredentials(worker.id, worker.secret, MANAGEMENT_API);
    expect(none.status).toBe(403);
    expect((await json(none)).error_description).toMatch(/^Client is not authorized to access/);
  });

  it('answers 409 for a second grant of one client and audience, 404 for an unknown client or API, 400 for a scope the API lacks or a bad body', async () => {
    const dup = await h.raw('/client-grants', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'm2m', audience: API, scope: [] }),
    });
    expect(dup.status).toBe(409);
    expect(await json(dup)).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'A client grant for this client and audience already exists.',
      errorCode: 'conflict',
    });
    expect(await status(h.api.clientGrants.create({ client_id: 'nobody', audience: API, scope: [] }))).toBe(404);
    expect(await status(h.api.clientGrants.create({ client_id: 'web', audience: 'https://nowhere/', scope: [] }))).toBe(
      404,
    );
    const unknownScope = await h.raw('/client-grants', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'web', audience: API, scope: ['delete:everything'] }),
    });
    expect(unknownScope.status).toBe(400);
    expect((await json(unknownScope)).message).toContain('delete:everything');
    for (const body of [
      {},
      { client_id: 'web' },
      { client_id: 'web', audience: API, scope: 'read:things' },
      { client_id: 'web', audience: API, extra: 1 },
    ]) {
      const res = await h.raw('/client-grants', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(await status(h.api.clientGrants.update('cgr_1', { scope: ['not:a:scope'] }))).toBe(400);
    expect(await status(h.api.clientGrants.update('cgr_nothing', { scope: [] }))).toBe(404);
    expect((await h.api.clientGrants.list({ client_id: 'web' })).data).toEqual([]);
  });

  it('needs read:, create:, update: and delete:client_grants', async () => {
    const cases: [string, string, string, string | undefined][] = [
      ['GET', '/client-grants', 'read:client_grants', undefined],
      ['GET', '/client-grants/cgr_2', 'read:client_grants', undefined],
      [
        'POST',
        '/client-grants',
        'create:client_grants',
        JSON.stringify({ client_id: 'web', audience: API, scope: [] }),
      ],
      ['PATCH', '/client-grants/cgr_2', 'update:client_grants', JSON.stringify({ scope: [] })],
      ['DELETE', '/client-grants/cgr_2', 'delete:client_grants', undefined],
    ];
    const everything = ['read:client_grants', 'create:client_grants', 'update:client_grants', 'delete:client_grants'];
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
    expect((await h.api.clientGrants.get('cgr_2')).scope).toEqual(['read:things']);
  });
});
