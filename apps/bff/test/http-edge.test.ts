import { DEMO } from '@rtc/testkit';
import { startTestStack, type StaffClient, type TestStack } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileBodies, NEAR_LIMIT_HEADERS } from '../../tenant/test/http-edge/hostile-bodies.ts';
import { describeFailure, oneConnection } from '../../tenant/test/http-edge/socket.ts';

let stack: TestStack;
let admin: StaffClient;
let client: ReturnType<typeof oneConnection>;
let headers: Record<string, string>;

beforeAll(async () => {
  stack = await startTestStack();
  admin = await stack.signIn('admin');
  const origin = new URL(stack.bffUrl).origin;
  headers = { cookie: admin.browser.cookieHeader(new URL(stack.bffUrl)), origin, 'x-csrf-token': admin.csrf };
  client = oneConnection(stack.bffUrl);
});
afterAll(async () => {
  await client?.close();
  await stack?.stop();
});

const JANE = encodeURIComponent(DEMO.sampleUser.user_id);
const send = (
  method: string,
  path: string,
  body: string | undefined,
  extra: Record<string, string> = { 'content-type': 'application/json' },
) =>
  client
    .fetch(path, { method, headers: { ...headers, ...extra }, ...(body === undefined ? {} : { body }) })
    .catch((err: unknown) => expect.fail(`socket error on ${method} ${path}: ${describeFailure(err)}`));

/** A request the dashboard makes all the time, on the same connection: it must still work. */
async function stillWorks() {
  const res = await send('GET', '/api/me', undefined, {});
  expect(res.status).toBe(200);
  expect(((await res.json()) as { user: { role: string } }).user.role).toBe('admin');
}

const apiError = { error: { code: expect.any(String), message: expect.any(String), request_id: expect.any(String) } };

describe('the BFF over one real keep-alive connection', () => {
  it('answers a 256 KB JSON body with 413 in its error body, and the connection stays usable', async () => {
    await stillWorks();
    const opened = client.opened();
    const res = await send(
      'POST',
      `/api/users/${JANE}/impact`,
      JSON.stringify({ action: 'user.revoke_all', reason: 'x'.repeat(256 * 1024) }),
    );
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { ...apiError.error, code: 'too_large' } });
    await stillWorks();
    expect(client.opened(), 'no new connection').toBe(opened);
  });

  const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
  const UNACCEPTABLE: [string, string, string][] = [
    ['nested 5,000 objects deep', `/api/users/${JANE}/impact`, `{"action":"user.revoke_all","x":${deep(5000)}}`],
    [
      'nested 20,000 arrays deep',
      `/api/users/${JANE}/impact`,
      `{"action":"user.revoke_all","x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
    ],
    ['a bare deep array', `/api/users/${JANE}/impact`, `${'['.repeat(30_000)}${']'.repeat(30_000)}`],
    ['a duplicate key', '/api/settings', '{"revoke_refresh_token_grant":true,"revoke_refresh_token_grant":false}'],
    ['an array', '/api/settings', '[]'],
    ['a string', '/api/settings', '"x"'],
    ['null', '/api/settings', 'null'],
    ['not JSON', '/api/settings', '{"revoke_refresh_token_grant":'],
  ];
  for (const [name, path, body] of UNACCEPTABLE) {
    it(`answers 400 bad_request for ${name}, and the connection stays usable`, async () => {
      const opened = client.opened();
      const before = (await stack.tenant.deps.store.settings.getSettings()).flags.revoke_refresh_token_grant;
      const res = await send(path === '/api/settings' ? 'PATCH' : 'POST', path, body);
      const payload = await res.json();
      expect(res.status, JSON.stringify(payload).slice(0, 300)).toBe(400);
      expect((payload as typeof apiError).error).toMatchObject({ ...apiError.error, code: 'bad_request' });
      expect((await stack.tenant.deps.store.settings.getSettings()).flags.revoke_refresh_token_grant).toBe(before);
      await stillWorks();
      expect(client.opened(), 'no new connection').toBe(opened);
    });
  }
});

/**
 * The tenant's hostile bodies against the BFF's JSON routes, over the same one keep-alive
 * connection: the preview (read-only) and the setting (admin), whose bodies none of these
 * satisfy, so nothing at the tenant changes.
 */
describe('hostile bodies against the BFF over one real keep-alive connection', () => {
  const ROUTES: [method: string, path: string, field: string][] = [
    ['POST', `/api/users/${JANE}/impact`, 'action'],
    ['PATCH', '/api/settings', 'revoke_refresh_token_grant'],
  ];
  for (const [method, path, field] of ROUTES) {
    describe(`${method} ${path.replace(JANE, '{id}')}`, () => {
      for (const hostile of hostileBodies(field)) {
        it(`${hostile.name}: ${hostile.status ?? '4xx'} with the documented body, then the connection still serves`, async () => {
          const opened = client.opened();
          const init = hostile.init();
          const res = await client
            .fetch(path, {
              ...init,
              method,
              headers: { ...headers, ...(init.headers as Record<string, string> | undefined) },
            })
            .catch((err: unknown) => expect.fail(`socket error: ${describeFailure(err)}`));
          const text = await res.text();
          const context = `${res.status} ${text.slice(0, 200)}`;
          if (hostile.status) expect(res.status, context).toBe(hostile.status);
          expect(res.status, context).toBeGreaterThanOrEqual(400);
          expect(res.status, context).toBeLessThan(500);
          expect((JSON.parse(text) as typeof apiError).error, context).toMatchObject(apiError.error);
          await stillWorks();
          expect(client.opened(), 'both requests on the same keep-alive connection').toBe(opened);
        });
      }
    });
  }

  it('serves a request with 15 KB of headers on the same connection', async () => {
    const opened = client.opened();
    const res = await send('GET', '/api/me', undefined, NEAR_LIMIT_HEADERS);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    await stillWorks();
    expect(client.opened()).toBe(opened);
  });

  it('left the tenant setting as it was and used one connection throughout', async () => {
    expect((await stack.tenant.deps.store.settings.getSettings()).flags.revoke_refresh_token_grant).toBe(false);
    expect(client.opened()).toBe(1);
  });
});
