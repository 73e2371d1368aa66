import {
  DEMO,
  demoEndUser,
  endUserApp,
  expectedOf,
  json,
  startTestStack,
  type StaffClient,
  type TestStack,
} from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleBehindProxy } from './console-behind-proxy.ts';

/**
 * Bulk revocation's fallback: a tenant whose Management API has no bulk revocation (an older one,
 * or one that never offered POST /api/v2/refresh-tokens/revoke). A real HTTP proxy stands in
 * front of the embedded tenant, answers that one route with `status`, and forwards everything
 * else; a second BFF talks to the tenant through it. Unlinking must still revoke exactly the
 * previewed tokens, one credential at a time, and stop asking for the missing route.
 */

let stack: TestStack;
const mobile = () => endUserApp(stack.tenantUrl);
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

/** What a tenant without the route answers: Auth0's error body, or nothing, as such servers do. */
const missingRoute = (status: number) =>
  status === 404
    ? Response.json({ statusCode: 404, error: 'Not Found', message: 'Not Found' }, { status })
    : new Response(null, { status, headers: status === 405 ? { allow: 'GET' } : {} });

/**
 * A BFF whose Management API goes through a proxy to the tenant that answers bulk revocation
 * with `status`, and has no device unlink route of the embedded tenant's (as a real Auth0).
 */
const consoleWithoutBulkRevocation = (status: number) =>
  consoleBehindProxy(stack, String(status), (req, url) =>
    req.method === 'POST' &&
    (url.pathname === '/api/v2/refresh-tokens/revoke' ||
      /^\/api\/v2\/users\/[^/]+\/devices\/unlink$/.test(url.pathname))
      ? missingRoute(status)
      : undefined,
  );
const triedUnlinkRoute = (seen: string[]) =>
  seen.filter((r) => r.startsWith('POST /api/v2/users/') && r.endsWith('/devices/unlink')).length;

let next = 30;
async function customerWithDevices(devices: Record<string, number>) {
  const { email, user_id } = demoEndUser(next++);
  const tokens: Record<string, string[]> = {};
  for (const [device, count] of Object.entries(devices)) {
    tokens[device] = [];
    for (let i = 0; i < count; i++) tokens[device]!.push(await mobile().login(email, device));
  }
  return { user: `/api/users/${encodeURIComponent(user_id)}`, tokens };
}

const previewUnlink = async (support: StaffClient, user: string, device: string) => {
  const res = await support.api('POST', `${user}/impact`, { action: 'device.unlink', device_name: device });
  expect(res.status, await res.clone().text()).toBe(200);
  return json(res);
};

describe('unlink on a tenant without bulk revocation', () => {
  it.each([404, 405, 501])(
    'POST /api/v2/refresh-tokens/revoke answering %i: unlink falls back to per-credential deletes and revokes exactly the previewed tokens',
    async (status) => {
      const legacy = await consoleWithoutBulkRevocation(status);
      try {
        const { user, tokens } = await customerWithDevices({ 'Old Tenant Phone': 3, 'Old Tenant Laptop': 2 });
        const shown = await previewUnlink(legacy.support, user, 'Old Tenant Phone');
        expect(shown.tokens).toHaveLength(3);

        legacy.seen.length = 0;
        const res = await legacy.support.api('POST', `${user}/devices/unlink`, {
          device_name: 'Old Tenant Phone',
          expected: expectedOf(shown),
        });
        expect(res.status, await res.clone().text()).toBe(200);
        expect((await json(res)).revoked_token_ids.sort()).toEqual(
          shown.tokens.map((t: { id: string }) => t.id).sort(),
        );
        // The tenant's own unlink route was tried once; then bulk was tried once, then each of the previewed credentials was deleted.
        expect(triedUnlinkRoute(legacy.seen)).toBe(1);
        expect(legacy.seen.filter((r) => r === 'POST /api/v2/refresh-tokens/revoke')).toHaveLength(1);
        const deleted = legacy.seen
          .filter((r) => r.startsWith('DELETE /api/v2/device-credentials/'))
          .map((r) => r.slice('DELETE /api/v2/device-credentials/'.length));
        expect(deleted.sort()).toEqual(shown.tokens.map((t: { id: string }) => `dcr_${t.id}`).sort());

        // At the tenant, as the end user's apps see it: the phone's tokens are dead, the laptop's live.
        for (const token of tokens['Old Tenant Phone']!) expect((await mobile().refresh(token)).status).toBe(403);
        const laptopTokens = [];
        for (const token of tokens['Old Tenant Laptop']!) {
          const exchanged = await mobile().refresh(token);
          expect(exchanged.status).toBe(200);
          laptopTokens.push(exchanged.refreshToken!); // acme-mobile rotates
        }

        // The missing route is remembered: the next unlink goes straight to per-credential deletes.
        const laptop = await previewUnlink(legacy.support, user, 'Old Tenant Laptop');
        legacy.seen.length = 0;
        const again = await legacy.support.api('POST', `${user}/devices/unlink`, {
          device_name: 'Old Tenant Laptop',
          expected: expectedOf(laptop),
        });
        expect(again.status).toBe(200);
        expect(triedUnlinkRoute(legacy.seen)).toBe(0);
        expect(legacy.seen.filter((r) => r === 'POST /api/v2/refresh-tokens/revoke')).toHaveLength(0);
        expect(legacy.seen.filter((r) => r.startsWith('DELETE /api/v2/device-credentials/'))).toHaveLength(2);
        for (const token of laptopTokens) expect((await mobile().refresh(token)).status).toBe(403);
      } finally {
        await legacy.stop();
      }
    },
  );

  it("with Revocation Deletes Grant on, the fallback revokes what the preview showed: the device's tokens and its grants' tokens elsewhere", async () => {
    const legacy = await consoleWithoutBulkRevocation(404);
    const admin = await stack.signIn('admin');
    const setFlag = async (on: boolean) =>
      expect((await admin.api('PATCH', '/api/settings', { revoke_refresh_token_grant: on })).status).toBe(200);
    await setFlag(true);
    try {
      const { email, user_id } = demoEndUser(next++);
      const user = `/api/users/${encodeURIComponent(user_id)}`;
      const withApi = { audience: DEMO.api.identifier, scope: 'openid offline_access read:orders' };
      const phone = await mobile().login(email, 'Grant Phone', withApi);
      const tablet = await mobile().login(email, 'Grant Tablet', withApi);
      const web = await endUserApp(stack.tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret).login(
        email,
        'Grant Laptop',
        withApi,
      );

      const shown = await previewUnlink(legacy.support, user, 'Grant Phone');
      expect(shown.setting_deletes_grant).toBe(true);
      expect(shown.grants).toHaveLength(1);
      // The grant reaches every acme-mobile token of the user (the demo's own devices too), and no other application's.
      expect(shown.tokens.map((t: { device_name: string }) => t.device_name)).toEqual(
        expect.arrayContaining(['Grant Phone', 'Grant Tablet']),
      );
      expect(new Set(shown.tokens.map((t: { client_id: string }) => t.client_id))).toEqual(
        new Set([DEMO.clients.mobile.client_id]),
      );
      const res = await legacy.support.api('POST', `${user}/devices/unlink`, {
        device_name: 'Grant Phone',
        expected: expectedOf(shown),
      });
      expect(res.status, await res.clone().text()).toBe(200);
      expect((await json(res)).revoked_token_ids.sort()).toEqual(shown.tokens.map((t: { id: string }) => t.id).sort());
      for (const token of [phone, tablet]) expect((await mobile().refresh(token)).status).toBe(403);
      expect(
        (await endUserApp(stack.tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret).refresh(web)).status,
      ).toBe(200);
    } finally {
      await setFlag(false);
      await legacy.stop();
    }
  });

  it('"Revoke these tokens" on a filtered table falls back to DELETE /api/v2/refresh-tokens/{id} for exactly the rows shown', async () => {
    const legacy = await consoleWithoutBulkRevocation(404);
    try {
      const { user, tokens } = await customerWithDevices({ 'Filtered Old Phone': 2, 'Filtered Old Tablet': 1 });
      const request = {
        action: 'refresh_tokens.revoke_all',
        client_id: DEMO.clients.mobile.client_id,
        device_name: 'Filtered Old Phone',
      };
      const shown = await json(await legacy.support.api('POST', `${user}/impact`, request));
      expect(shown.tokens).toHaveLength(2);
      legacy.seen.length = 0;
      const res = await legacy.support.api('POST', `${user}/refresh-tokens/revoke-all`, {
        client_id: request.client_id,
        device_name: request.device_name,
        expected: expectedOf(shown),
      });
      expect(res.status, await res.clone().text()).toBe(200);
      const deleted = legacy.seen
        .filter((r) => r.startsWith('DELETE /api/v2/refresh-tokens/'))
        .map((r) => r.slice('DELETE /api/v2/refresh-tokens/'.length));
      expect(deleted.sort()).toEqual(shown.tokens.map((t: { id: string }) => t.id).sort());
      for (const token of tokens['Filtered Old Phone']!) expect((await mobile().refresh(token)).status).toBe(403);
      expect((await mobile().refresh(tokens['Filtered Old Tablet']![0]!)).status).toBe(200);
    } finally {
      await legacy.stop();
    }
  });
});
