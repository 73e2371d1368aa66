import { demoEndUser, endUserApp, expectedOf, json, startTestStack, type TestStack } from '@rtc/testkit';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleBehindProxy } from './console-behind-proxy.ts';

/**
 * A real Auth0 tenant names device credentials `dcr_...` too, but its ids say nothing about
 * the refresh token behind them (`dcr_0000000000000001` in Auth0's docs). A real HTTP proxy in
 * front of the embedded tenant gives its credentials such ids (and maps them back when one is
 * deleted): unlinking a device must still delete every credential of the device, by its id.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

/** Auth0-shaped ids for the tenant's credentials, and the way back. */
function auth0ShapedCredentialIds() {
  const real = new Map<string, string>();
  const shaped = (id: string) => {
    const fake = `dcr_${createHash('sha256').update(id).digest('hex').slice(0, 16)}`;
    real.set(fake, id);
    return fake;
  };
  return async (req: Request, url: URL): Promise<Response | undefined> => {
    const target = new URL(url.pathname + url.search, stack.tenantUrl);
    if (req.method === 'GET' && url.pathname === '/api/v2/device-credentials') {
      const res = await fetch(target, { headers: { authorization: req.headers.get('authorization')! } });
      const body = (await res.json()) as unknown;
      const rename = (list: { id: string }[]) => list.map((c) => ({ ...c, id: shaped(c.id) }));
      const renamed = Array.isArray(body)
        ? rename(body)
        : {
            ...(body as object),
            device_credentials: rename((body as { device_credentials: { id: string }[] }).device_credentials),
          };
      return Response.json(renamed, { status: res.status });
    }
    const deleted = /^\/api\/v2\/device-credentials\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'DELETE' && deleted) {
      const id = real.get(decodeURIComponent(deleted[1]!));
      if (!id)
        return Response.json(
          { statusCode: 404, error: 'Not Found', message: 'The device credential does not exist' },
          { status: 404 },
        );
      const res = await fetch(new URL(`/api/v2/device-credentials/${encodeURIComponent(id)}`, stack.tenantUrl), {
        method: 'DELETE',
        headers: { authorization: req.headers.get('authorization')! },
      });
      return new Response(res.status === 204 ? null : await res.arrayBuffer(), { status: res.status });
    }
    return undefined;
  };
}

describe('unlinking a device on a tenant whose credential ids name no token (Auth0)', () => {
  it.each(['device.unlink', 'device.lost'] as const)(
    '%s deletes every credential of the device by its own id, and the tenant refuses its tokens',
    async (action) => {
      const auth0 = await consoleBehindProxy(stack, `auth0-ids-${action}`, auth0ShapedCredentialIds());
      try {
        const { email, user_id } = demoEndUser(action === 'device.unlink' ? 21 : 22);
        const mobile = endUserApp(stack.tenantUrl);
        const phone = [await mobile.login(email, 'Auth0 Phone'), await mobile.login(email, 'Auth0 Phone')];
        const laptop = await mobile.login(email, 'Auth0 Laptop');
        const user = `/api/users/${encodeURIComponent(user_id)}`;

        const preview = await auth0.support.api('POST', `${user}/impact`, { action, device_name: 'Auth0 Phone' });
        expect(preview.status, await preview.clone().text()).toBe(200);
        const shown = await json(preview);
        expect(shown.tokens).toHaveLength(2);
        const path = action === 'device.unlink' ? 'unlink' : 'lost';
        const res = await auth0.support.api('POST', `${user}/devices/${path}`, {
          device_name: 'Auth0 Phone',
          expected: expectedOf(shown),
        });
        expect(res.status, await res.clone().text()).toBe(200);

        expect(auth0.seen.filter((r) => r.startsWith('DELETE /api/v2/device-credentials/'))).toHaveLength(2);
        for (const token of phone) expect((await mobile.refresh(token)).status).toBe(403);
        expect((await mobile.refresh(laptop)).status).toBe(200);
      } finally {
        await auth0.stop();
      }
    },
  );
});
