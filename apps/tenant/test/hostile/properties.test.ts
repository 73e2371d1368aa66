import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/crypto/secrets.ts';
import { testTenant, type TestTenant } from '../fixtures.ts';
import { body, contentType, method, nastyJson, pathId, queryString, RUNS } from './arbitraries.ts';

let t: TestTenant;
let token: string;
let liveRefreshToken: string;

beforeAll(async () => {
  t = await testTenant();
  token = await t.managementToken();
  liveRefreshToken = (await t.login('web')).refresh_token;
});
afterAll(() => t.close());

/** Everything a request could change. */
async function snapshot() {
  const { store } = t;
  return JSON.stringify({
    tokens: (await store.refreshTokens.listRefreshTokensHistory({}, 0, 1000)).items.map((x) => [
      x.id,
      x.revoked_at,
      x.last_exchanged_at,
      x.metadata,
    ]),
    grants: (await store.directory.listGrants({}, 0, 1000)).items.map((g) => [g.id, g.scope]),
    events: (await store.events.listEvents({}, 1000)).length,
    jobs: (await store.revocationJournal.listRevocationJobs()).length,
    settings: await store.settings.getSettings(),
    clients: (await store.directory.listClients(0, 100)).items.map((c) => [
      c.name,
      c.token_endpoint_auth_method,
      c.refresh_token,
    ]),
  });
}

async function send(path: string, init: { method: string; type: string; body?: string; auth?: boolean }) {
  const res = await t.tenant.app.request(path, {
    method: init.method,
    headers: {
      ...(init.type ? { 'content-type': init.type } : {}),
      ...(init.auth ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(init.body !== undefined && init.method !== 'GET' && init.method !== 'HEAD' ? { body: init.body } : {}),
  });
  return { res, text: await res.text() };
}

/** Checked after every generated request, so a case that broke it is the one reported. */
async function expectLiveTokenUsable() {
  expect((await t.store.refreshTokens.findRefreshTokenBySecret(sha256(liveRefreshToken), t.clock.now()))?.usable).toBe(
    true,
  );
}

function expectClientError(res: Response, text: string) {
  expect(res.status, text.slice(0, 200)).toBeLessThan(500);
  expect(text).not.toMatch(/\bat \S+\.ts:\d+|node_modules|SqliteError|error: relation/);
}

const AUTH_PATHS = ['/oauth/token', '/oauth/revoke', '/delegation', '/u/login', '/userinfo', '/authorize'];

describe('hostile input, generated (fast-check)', () => {
  it('the Authentication API answers any request with a 4xx (or 200/302 for harmless ones), never a 5xx, and a rejected one changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...AUTH_PATHS),
        method,
        contentType,
        body,
        queryString,
        async (path, verb, type, payload, qs) => {
          const before = await snapshot();
          const { res, text } = await send(`${path}?${qs}`, { method: verb, type, body: payload });
          expectClientError(res, text);
          if (res.headers.get('content-type')?.includes('json') && res.status >= 400) {
            const parsed = JSON.parse(text);
            expect(typeof parsed.error).toBe('string');
          }
          if (res.status >= 400) expect(await snapshot()).toBe(before);
          await expectLiveTokenUsable();
        },
      ),
      { numRuns: RUNS },
    );
  });

  const MANAGEMENT = [
    '/api/v2/users',
    '/api/v2/users/{id}',
    '/api/v2/users/{id}/refresh-tokens',
    '/api/v2/users/{id}/sessions',
    '/api/v2/users/{id}/logs',
    '/api/v2/refresh-tokens',
    '/api/v2/refresh-tokens/{id}',
    '/api/v2/refresh-tokens/revoke',
    '/api/v2/device-credentials',
    '/api/v2/device-credentials/{id}',
    '/api/v2/grants',
    '/api/v2/grants/{id}',
    '/api/v2/sessions/{id}',
    '/api/v2/sessions/{id}/revoke',
    '/api/v2/clients',
    '/api/v2/clients/{id}',
    '/api/v2/resource-servers',
    '/api/v2/tenants/settings',
  ];

  it("every Management API endpoint answers malformed requests with a 4xx in Auth0's body, never a 5xx, changing nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...MANAGEMENT),
        fc.constantFrom('POST', 'PATCH', 'PUT'),
        contentType,
        fc.oneof(
          body,
          nastyJson.map((v) => JSON.stringify(v)),
        ),
        pathId,
        queryString,
        async (template, verb, type, payload, id, qs) => {
          const before = await snapshot();
          const { res, text } = await send(`${template.replace('{id}', id)}?${qs}`, {
            method: verb,
            type,
            body: payload,
            auth: true,
          });
          expectClientError(res, text);
          if (res.status >= 400 && text) {
            const parsed = JSON.parse(text);
            expect(parsed).toMatchObject({
              statusCode: res.status,
              error: expect.any(String),
              message: expect.any(String),
            });
          }
          if (res.status >= 400) expect(await snapshot()).toBe(before);
          await expectLiveTokenUsable();
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('reads with any query never fail on the server', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...MANAGEMENT), pathId, queryString, async (template, id, qs) => {
        const { res, text } = await send(`${template.replace('{id}', id)}?${qs}`, {
          method: 'GET',
          type: '',
          auth: true,
        });
        expectClientError(res, text);
      }),
      { numRuns: RUNS },
    );
  });

  it('leaves the live token usable for its client', async () => {
    expect((await t.refresh(liveRefreshToken, 'web')).status).toBe(200);
  });
});
