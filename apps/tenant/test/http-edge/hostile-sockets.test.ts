import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementAudience } from '../../src/deps.ts';
import { ISSUER, M2M_SECRET, testTenant, type TestTenant } from '../fixtures.ts';
import { hostileBodies, NEAR_LIMIT_HEADERS } from './hostile-bodies.ts';
import { describeFailure, oneConnection, servedCounting } from './socket.ts';

/**
 * The tenant as a client on the network sees it: a real port, undici's fetch, one
 * keep-alive connection for the whole suite. After every hostile request the next normal
 * one must succeed on that same connection: no socket error, no 5xx, no hang, and the
 * documented error body every time.
 */
let t: TestTenant;
let server: Awaited<ReturnType<typeof servedCounting>>;
let client: ReturnType<typeof oneConnection>;
let bearer: string;
let tokenId: string;

beforeAll(async () => {
  t = await testTenant();
  await t.store.settings.updateSettings((s) => ({
    ...s,
    flags: { ...s.flags, allow_legacy_delegation_grant_types: true },
  }));
  server = await servedCounting(t.tenant.app.fetch);
  client = oneConnection(server.url);
  bearer = await t.managementToken();
  await t.login('mobile', { device: 'phone' });
  tokenId = (await t.store.refreshTokens.listRefreshTokens({ user_id: t.alice.user_id }, t.clock.now(), undefined, 1))
    .items[0]!.id;
  // Opens the one connection every later request reuses.
  await normalRequest();
});
afterAll(async () => {
  await client?.close();
  await server?.close();
  await t?.close();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** What a well-behaved client does next: client credentials for the Management API. */
async function normalRequest() {
  const res = await client
    .fetch('/oauth/token', {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'm2m',
        client_secret: M2M_SECRET,
        audience: managementAudience(ISSUER),
      }).toString(),
    })
    .catch((err: unknown) => expect.fail(`the next request failed on the wire: ${describeFailure(err)}`));
  expect(res.status).toBe(200);
  expect(((await res.json()) as { access_token?: string }).access_token).toEqual(expect.any(String));
}

type Shape = 'oauth' | 'management';
const ENDPOINTS: { method: string; path: () => string; field: string; shape: Shape }[] = [
  { method: 'POST', path: () => '/oauth/token', field: 'grant_type', shape: 'oauth' },
  { method: 'POST', path: () => '/oauth/revoke', field: 'token', shape: 'oauth' },
  { method: 'POST', path: () => '/delegation', field: 'refresh_token', shape: 'oauth' },
  {
    method: 'PATCH',
    path: () => `/api/v2/refresh-tokens/${tokenId}`,
    field: 'refresh_token_metadata',
    shape: 'management',
  },
  { method: 'POST', path: () => '/api/v2/refresh-tokens/revoke', field: 'ids', shape: 'management' },
  { method: 'PATCH', path: () => '/api/v2/clients/mobile', field: 'grant_types', shape: 'management' },
  { method: 'PATCH', path: () => '/api/v2/tenants/settings', field: 'flags', shape: 'management' },
];

function expectDocumentedError(shape: Shape, status: number, body: unknown, context: string) {
  if (shape === 'oauth') {
    expect(body, context).toEqual({ error: expect.any(String), error_description: expect.any(String) });
  } else {
    expect(body, context).toMatchObject({ statusCode: status, error: expect.any(String), message: expect.any(String) });
  }
}

describe('hostile bodies over one real keep-alive connection', () => {
  afterAll(() => {
    // Not one reconnection in the whole suite.
    expect(client.opened()).toBe(1);
  });

  for (const endpoint of ENDPOINTS) {
    describe(`${endpoint.method} ${endpoint.path().replace(/refresh-tokens\/[^/]+$/, 'refresh-tokens/{id}')}`, () => {
      for (const hostile of hostileBodies(endpoint.field)) {
        it(`${hostile.name}: ${hostile.status ?? '4xx'} with the documented body, then the connection still serves`, async () => {
          const opened = client.opened();
          const init = hostile.init();
          const headers = {
            ...(init.headers as Record<string, string>),
            ...(endpoint.shape === 'management' ? { authorization: `Bearer ${bearer}` } : {}),
          };
          const res = await client
            .fetch(endpoint.path(), { ...init, method: endpoint.method, headers })
            .catch((err: unknown) => expect.fail(`socket error: ${describeFailure(err)}`));
          const text = await res.text();
          const context = `${res.status} ${text.slice(0, 200)}`;
          if (hostile.status) expect(res.status, context).toBe(hostile.status);
          expect(res.status, context).toBeGreaterThanOrEqual(400);
          expect(res.status, context).toBeLessThan(500);
          expect(res.headers.get('content-type'), context).toMatch(/^application\/json/);
          expectDocumentedError(endpoint.shape, res.status, JSON.parse(text), context);
          await normalRequest();
          expect(client.opened(), 'both requests on the same keep-alive connection').toBe(opened);
        });
      }
    });
  }
});

describe('headers near the limit over the same connection', () => {
  it('answers the token endpoint with 15 KB of headers, and the Management API with a 15 KB bearer', async () => {
    const opened = client.opened();
    const res = await client.fetch('/oauth/token', {
      method: 'POST',
      headers: { ...FORM, ...NEAR_LIMIT_HEADERS },
      body: 'grant_type=password',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    await normalRequest();
    const huge = await client.fetch('/api/v2/clients', {
      headers: { authorization: `Bearer ${'a'.repeat(15 * 1024)}` },
    });
    expect(huge.status).toBe(401);
    expect(await huge.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
    await normalRequest();
    expect(client.opened()).toBe(opened);
  });

  it('answers headers over the limit with 431 and Connection: close (node:http), and the client carries on over a new connection', async () => {
    const other = oneConnection(server.url);
    try {
      const res = await other
        .fetch('/oauth/token', {
          method: 'POST',
          headers: { ...FORM, 'x-padding': 'a'.repeat(20 * 1024) },
          body: 'grant_type=password',
        })
        .catch((err: unknown) => expect.fail(`socket error: ${describeFailure(err)}`));
      expect(res.status).toBe(431);
      expect(res.headers.get('connection')).toBe('close');
      await res.arrayBuffer();
      const next = await other
        .fetch('/health')
        .catch((err: unknown) => expect.fail(`socket error after: ${describeFailure(err)}`));
      expect(next.status).toBe(200);
      await next.arrayBuffer();
    } finally {
      await other.close();
    }
  });
});
