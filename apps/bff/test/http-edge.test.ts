import { DEMO } from '@rtc/tenant';
import { startTestStack, type StaffClient, type TestStack } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
const send = (method: string, path: string, body: string | undefined, extra: Record<string, string> = { 'content-type': 'application/json' }) =>
  client.fetch(path, { method, headers: { ...headers, ...extra }, ...(body === undefined ? {} : { body }) }).catch((err: unknown) => expect.fail(`socket error on ${method} ${path}: ${describeFailure(err)}`));

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
    const res = await send('POST', `/api/users/${JANE}/impact`, JSON.stringify({ action: 'user.revoke_all', reason: 'x'.repeat(256 * 1024) }));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { ...apiError.error, code: 'too_large' } });
    await stillWorks();
    expect(client.opened(), 'no new connection').toBe(opened);
  });

  const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
  const UNACCEPTABLE: [string, string, string][] = [
    ['nested 5,000 objects deep', `/api/users/${JANE}/impact`, `{"action":"user.revoke_all","x":${deep(5000)}}`],
    ['nested 20,000 arrays deep', `/api/users/${JANE}/impact`, `{"action":"user.revoke_all","x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`],
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
      const before = (await stack.tenant.deps.store.getSettings()).flags.revoke_refresh_token_grant;
      const res = await send(path === '/api/settings' ? 'PATCH' : 'POST', path, body);
      const payload = await res.json();
      expect(res.status, JSON.stringify(payload).slice(0, 300)).toBe(400);
      expect((payload as typeof apiError).error).toMatchObject({ ...apiError.error, code: 'bad_request' });
      expect((await stack.tenant.deps.store.getSettings()).flags.revoke_refresh_token_grant).toBe(before);
      await stillWorks();
      expect(client.opened(), 'no new connection').toBe(opened);
    });
  }
});
