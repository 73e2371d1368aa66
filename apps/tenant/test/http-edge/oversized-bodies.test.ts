import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managementAudience } from '../../src/deps.ts';
import { ISSUER, M2M_SECRET, testTenant, type TestTenant } from '../fixtures.ts';
import { describeFailure, oneConnection, servedCounting } from './socket.ts';

let t: TestTenant;
let server: Awaited<ReturnType<typeof servedCounting>>;
let token: string;
let tokenId: string;

beforeAll(async () => {
  t = await testTenant();
  server = await servedCounting(t.tenant.app.fetch);
  token = await t.managementToken();
  await t.login('mobile', { device: 'phone' });
  tokenId = (await t.store.refreshTokens.listRefreshTokens({ user_id: t.alice.user_id }, t.clock.now(), undefined, 10))
    .items[0]!.id;
});
afterAll(async () => {
  await server?.close();
  await t?.close();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const big = 'a'.repeat(256 * 1024);
/** A request every client makes: client credentials for the Management API. */
const normal = () => ({
  method: 'POST',
  headers: FORM,
  body: new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: 'm2m',
    client_secret: M2M_SECRET,
    audience: managementAudience(ISSUER),
  }).toString(),
});

describe('an oversized body over a real keep-alive socket', () => {
  const cases: [string, string, Record<string, string>, string, { status: number; body: unknown }][] = [
    [
      'POST',
      '/oauth/token',
      FORM,
      `grant_type=password&client_id=mobile&username=alice%40test.example&password=${big}`,
      { status: 413, body: { error: 'invalid_request', error_description: 'Request body is too large.' } },
    ],
    [
      'POST',
      '/oauth/revoke',
      FORM,
      `client_id=mobile&token=${big}`,
      { status: 413, body: { error: 'invalid_request', error_description: 'Request body is too large.' } },
    ],
    [
      'POST',
      '/delegation',
      FORM,
      `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&client_id=mobile&refresh_token=${big}`,
      { status: 413, body: { error: 'invalid_request', error_description: 'Request body is too large.' } },
    ],
  ];
  for (const [method, path, headers, body, expected] of cases) {
    it(`${method} ${path} answers ${expected.status} with its error body, and the next request on the connection succeeds`, async () => {
      const client = oneConnection(server.url);
      try {
        const before = server.accepted();
        const first = await client.fetch('/.well-known/openid-configuration');
        expect(first.status).toBe(200);
        await first.arrayBuffer();
        const res = await client
          .fetch(path, { method, headers, body })
          .catch((err: unknown) => expect.fail(`socket error: ${describeFailure(err)}`));
        expect(res.status).toBe(expected.status);
        expect(await res.json()).toEqual(expected.body);
        // Bad percent-encoding after the 413, as seen in the field.
        const after = await client
          .fetch('/oauth/token', { method: 'POST', headers: FORM, body: 'grant_type=password&username=%E0%A4%A' })
          .catch((err: unknown) => expect.fail(`socket error after: ${describeFailure(err)}`));
        expect(after.status).toBe(400);
        await after.arrayBuffer();
        const ok = await client
          .fetch('/oauth/token', normal())
          .catch((err: unknown) => expect.fail(`socket error after: ${describeFailure(err)}`));
        expect(ok.status).toBe(200);
        await ok.arrayBuffer();
        expect(server.accepted() - before, 'one keep-alive connection served every request').toBe(1);
      } finally {
        await client.close();
      }
    });
  }

  it('PATCH /api/v2/refresh-tokens/{id} with oversized metadata answers 413 in the Management API body, and the connection stays usable', async () => {
    const client = oneConnection(server.url);
    try {
      const before = server.accepted();
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const first = await client.fetch(`/api/v2/refresh-tokens/${tokenId}`, { headers: auth });
      expect(first.status).toBe(200);
      await first.arrayBuffer();
      const res = await client
        .fetch(`/api/v2/refresh-tokens/${tokenId}`, {
          method: 'PATCH',
          headers: auth,
          body: JSON.stringify({ refresh_token_metadata: { note: big } }),
        })
        .catch((err: unknown) => expect.fail(`socket error: ${describeFailure(err)}`));
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        message: 'Payload too large',
        errorCode: 'payload_too_large',
      });
      const ok = await client
        .fetch(`/api/v2/refresh-tokens/${tokenId}`, { headers: auth })
        .catch((err: unknown) => expect.fail(`socket error after: ${describeFailure(err)}`));
      expect(ok.status).toBe(200);
      await ok.arrayBuffer();
      expect(server.accepted() - before, 'one keep-alive connection served every request').toBe(1);
    } finally {
      await client.close();
    }
  });
});

describe('a body past the drain bound (8 MB)', () => {
  it('is answered 413 with Connection: close at once, and the next request gets a fresh connection', async () => {
    const client = oneConnection(server.url);
    try {
      const res = await client
        .fetch('/oauth/token', { method: 'POST', headers: FORM, body: Buffer.alloc(12 * 1024 * 1024, 0x61) })
        .catch((err: unknown) => expect.fail(`socket error: ${describeFailure(err)}`));
      expect(res.status).toBe(413);
      expect(res.headers.get('connection')).toBe('close');
      expect(await res.json()).toEqual({ error: 'invalid_request', error_description: 'Request body is too large.' });
      const ok = await client
        .fetch('/oauth/token', normal())
        .catch((err: unknown) => expect.fail(`socket error after: ${describeFailure(err)}`));
      expect(ok.status).toBe(200);
      await ok.arrayBuffer();
    } finally {
      await client.close();
    }
  });
});
