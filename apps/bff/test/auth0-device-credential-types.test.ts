import { DEMO, demoEndUser, endUserApp, expectedOf, json, startTestStack, type TestStack } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleBehindProxy } from './console-behind-proxy.ts';

/**
 * Auth0's GET /api/v2/device-credentials without a `type` answers refresh tokens and public keys
 * but no `rotating_refresh_token` (the SDK's ListDeviceCredentialsRequestParameters; with paging,
 * the API reference says the type defaults to `refresh_token`). A real HTTP proxy in front of the
 * embedded tenant answers as Auth0 does: a listing without a type gets the non-rotating refresh
 * tokens only, a listing of public keys gets one; and it has no device unlink route of the embedded
 * tenant's. A device's rotating tokens must still show on
 * the Devices tab, and unlinking the device must revoke them.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

const PUBLIC_KEY_ID = 'dcr_0PublicKeyOfAuth0';

/** The listing as Auth0 answers it, from the tenant's own answer to the same question. */
const asAuth0Lists = (deviceName: string) => async (req: Request, url: URL) => {
  // Auth0 has no route of the embedded tenant's to unlink a device: the console uses Auth0's.
  if (req.method === 'POST' && /^\/api\/v2\/users\/[^/]+\/devices\/unlink$/.test(url.pathname))
    return Response.json({ statusCode: 404, error: 'Not Found', message: 'Not Found' }, { status: 404 });
  if (req.method !== 'GET' || url.pathname !== '/api/v2/device-credentials') return undefined;
  const type = url.searchParams.get('type');
  if (type === 'public_key')
    return Response.json({
      device_credentials: [{ id: PUBLIC_KEY_ID, device_name: deviceName, type: 'public_key' }],
      start: 0,
      limit: 100,
      total: 1,
    });
  const target = new URL(url.pathname + url.search, stack.tenantUrl);
  if (!type) target.searchParams.set('type', 'refresh_token');
  const res = await fetch(target, { headers: { authorization: req.headers.get('authorization')! } });
  return new Response(await res.arrayBuffer(), { status: res.status, headers: { 'content-type': 'application/json' } });
};

describe("a device's rotating refresh tokens on a tenant that lists credentials as Auth0 does", () => {
  it('shows on the Devices tab with its rotating and non-rotating tokens, and an unlink revokes them all', async () => {
    const device = 'Auth0 Listed Phone';
    const proxied = await consoleBehindProxy(stack, 'auth0-types', asAuth0Lists(device));
    try {
      const { email, user_id } = demoEndUser(48);
      const user = `/api/users/${encodeURIComponent(user_id)}`;
      const mobile = endUserApp(stack.tenantUrl); // rotates its refresh tokens
      const web = endUserApp(stack.tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret);
      const tokens = [
        await mobile.login(email, device),
        await mobile.login(email, device),
        await web.login(email, device),
      ];

      const devices = await json(await proxied.support.api('GET', `${user}/devices`));
      const listed = devices.devices.find((d: { name: string }) => d.name === device);
      expect(listed?.token_count, JSON.stringify(devices.devices)).toBe(3);

      const preview = await json(
        await proxied.support.api('POST', `${user}/impact`, { action: 'device.unlink', device_name: device }),
      );
      expect(preview.tokens).toHaveLength(3);
      expect(preview.tokens.map((t: { id: string }) => t.id)).not.toContain(PUBLIC_KEY_ID);

      const res = await proxied.support.api('POST', `${user}/devices/unlink`, {
        device_name: device,
        expected: expectedOf(preview),
      });
      expect(res.status, await res.clone().text()).toBe(200);
      expect((await mobile.refresh(tokens[0]!)).status).toBe(403);
      expect((await mobile.refresh(tokens[1]!)).status).toBe(403);
      expect((await web.refresh(tokens[2]!)).status).toBe(403);
      expect(proxied.seen).not.toContain(`DELETE /api/v2/device-credentials/${PUBLIC_KEY_ID}`);
    } finally {
      await proxied.stop();
    }
  });
});
