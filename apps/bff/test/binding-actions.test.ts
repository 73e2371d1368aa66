import { endUserApp, expectedOf, json, startTestStack, type StaffClient, type TestStack } from '@rtc/testkit';
import { DEMO, demoEndUser } from '@rtc/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/**
 * Destructive actions are bound to their preview: the dashboard sends back exactly what it
 * showed (token, grant and session ids, and the setting assumed); the BFF recomputes and
 * refuses with 409 and the new preview when anything differs. Every effect is checked at the
 * tenant's /oauth/token, as an end user's app would see it.
 */

let stack: TestStack;
let support: StaffClient;
let admin: StaffClient;
const logs: string[] = [];
const mobile = () => endUserApp(stack.tenantUrl);
const web = () => endUserApp(stack.tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret);
const withApi = { audience: DEMO.api.identifier, scope: 'openid offline_access read:orders' };

beforeAll(async () => {
  stack = await startTestStack({ logs });
  support = await stack.signIn('support');
  admin = await stack.signIn('admin');
});
afterAll(() => stack.stop());

const setFlag = async (on: boolean) =>
  expect((await admin.api('PATCH', '/api/settings', { revoke_refresh_token_grant: on })).status).toBe(200);
beforeEach(() => setFlag(false));

/** Each test acts on a demo customer of its own, so no test sees another's tokens. */
let next = 20;
function customer() {
  const { email, user_id } = demoEndUser(next++);
  return { email, user: `/api/users/${encodeURIComponent(user_id)}` };
}

interface Impact {
  setting_deletes_grant: boolean;
  tokens: { id: string; device_name: string | null; via: string }[];
  grants: { grant_id: string }[];
  sessions: { session_id: string }[];
}
const preview = async (user: string, request: Record<string, unknown>): Promise<Impact> => {
  const res = await support.api('POST', `${user}/impact`, request);
  expect(res.status, await res.clone().text()).toBe(200);
  return json(res);
};
describe('the preview binds the action', () => {
  it('an unlink confirmed for one token, after the setting was turned on meanwhile, answers 409 with the new preview and revokes nothing', async () => {
    const { email, user } = customer();
    const phone = await mobile().login(email, 'Bound Phone', withApi);
    const pixel = await mobile().login(email, 'Bound Pixel', withApi);

    const shown = await preview(user, { action: 'device.unlink', device_name: 'Bound Phone' });
    expect(shown).toMatchObject({ setting_deletes_grant: false, grants: [] });
    expect(shown.tokens).toHaveLength(1);

    await setFlag(true); // an admin, while the dialog is open
    const res = await support.api('POST', `${user}/devices/unlink`, {
      device_name: 'Bound Phone',
      expected: expectedOf(shown),
    });
    expect(res.status).toBe(409);
    const body = await json(res);
    expect(body.error.code).toBe('impact_changed');
    expect(body.error.message).toMatch(/Refresh Token Revocation Deletes Grant is now on/);
    expect(body.error.impact.setting_deletes_grant).toBe(true);
    expect(body.error.impact.grants).toHaveLength(1);
    expect(body.error.impact.tokens.map((t: { device_name: string }) => t.device_name)).toContain('Bound Pixel');
    // Nothing was revoked that was not shown.
    expect((await mobile().refresh(phone)).status).toBe(200);
    expect((await mobile().refresh(pixel)).status).toBe(200);

    // Confirmed again, on the new preview: now it does what that preview said.
    const again = await support.api('POST', `${user}/devices/unlink`, {
      device_name: 'Bound Phone',
      expected: expectedOf(body.error.impact),
    });
    expect(again.status, await again.clone().text()).toBe(200);
    expect((await mobile().refresh(pixel)).status).toBe(403);
  });

  it('an action sent without a preview is not run: 409 with the preview to confirm', async () => {
    const { email, user } = customer();
    const token = await mobile().login(email, 'Unseen Phone');
    const res = await support.api('POST', `${user}/devices/unlink`, { device_name: 'Unseen Phone' });
    expect(res.status).toBe(409);
    expect((await json(res)).error.impact.tokens).toHaveLength(1);
    expect((await mobile().refresh(token)).status).toBe(200);
  });

  it('a token issued on the device after the preview makes the bulk revoke answer 409', async () => {
    const { email, user } = customer();
    await mobile().login(email, 'Busy Tablet');
    const shown = await preview(user, { action: 'refresh_tokens.revoke_all', device_name: 'Busy Tablet' });
    const late = await mobile().login(email, 'Busy Tablet');
    const res = await support.api('POST', `${user}/refresh-tokens/revoke-all`, {
      device_name: 'Busy Tablet',
      expected: expectedOf(shown),
    });
    expect(res.status).toBe(409);
    expect((await json(res)).error.message).toMatch(/1 more refresh token/);
    expect((await mobile().refresh(late)).status).toBe(200);
  });

  it('single-token, grant and session revocations carry their preview too', async () => {
    const { email, user } = customer();
    const token = await mobile().login(email, 'Single Phone');
    const { tokens } = await json(await support.api('GET', `${user}/refresh-tokens`));
    const id = tokens.find((t: { device_name: string }) => t.device_name === 'Single Phone').id;
    expect((await support.api('DELETE', `${user}/refresh-tokens/${id}`)).status).toBe(409);
    expect((await mobile().refresh(token)).status).toBe(200);
    const shown = await preview(user, { action: 'refresh_token.revoke', token_id: id });
    expect((await support.api('DELETE', `${user}/refresh-tokens/${id}`, { expected: expectedOf(shown) })).status).toBe(
      200,
    );
    expect((await mobile().refresh(token)).status).toBe(403);
  });
});

describe('bulk revocation acts on exactly the filtered rows', () => {
  it('revokes the tokens of one application on one device, and nothing else', async () => {
    const { email, user } = customer();
    const a = await mobile().login(email, 'Filter Phone');
    const b = await mobile().login(email, 'Filter Phone');
    const otherDevice = await mobile().login(email, 'Filter Tablet');
    const otherApp = await web().login(email, 'Filter Phone');

    const request = {
      action: 'refresh_tokens.revoke_all',
      client_id: DEMO.clients.mobile.client_id,
      device_name: 'Filter Phone',
    };
    const shown = await preview(user, request);
    expect(shown.tokens).toHaveLength(2);
    const res = await support.api('POST', `${user}/refresh-tokens/revoke-all`, {
      client_id: DEMO.clients.mobile.client_id,
      device_name: 'Filter Phone',
      expected: expectedOf(shown),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await mobile().refresh(a)).status).toBe(403);
    expect((await mobile().refresh(b)).status).toBe(403);
    expect((await mobile().refresh(otherDevice)).status).toBe(200);
    expect((await web().refresh(otherApp)).status).toBe(200);
  });
});

describe('"This device was lost or stolen"', () => {
  it('revokes every token of the device and ends the sessions opened from it, as previewed; the other devices and sessions stay', async () => {
    const { email, user } = customer();
    const inBrowser = await mobile().loginWithBrowser(email, 'Stolen Pixel', withApi);
    const app = await web().login(email, 'Stolen Pixel');
    const laptop = await web().loginWithBrowser(email, 'Safe Laptop');

    const shown = await preview(user, { action: 'device.lost', device_name: 'Stolen Pixel' });
    expect(shown.tokens).toHaveLength(2);
    expect(shown.sessions.map((s) => s.session_id)).toEqual([inBrowser.sessionId]);

    const res = await support.api('POST', `${user}/devices/lost`, {
      device_name: 'Stolen Pixel',
      expected: expectedOf(shown),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const result = await json(res);
    expect(result.ended_session_ids).toEqual([inBrowser.sessionId]);
    expect(result.revoked_token_ids).toHaveLength(2);

    expect((await mobile().refresh(inBrowser.refreshToken)).status).toBe(403);
    expect((await web().refresh(app)).status).toBe(403);
    expect((await web().refresh(laptop.refreshToken)).status).toBe(200);
    const { sessions } = await json(await support.api('GET', `${user}/sessions`));
    expect(sessions.map((s: { id: string }) => s.id)).not.toContain(inBrowser.sessionId);
    expect(sessions.map((s: { id: string }) => s.id)).toContain(laptop.sessionId);

    // The result names its audit entry, and the entry names what went.
    const { entries } = await json(await support.api('GET', '/api/audit?action=device.lost&per_page=1'));
    expect(entries[0]).toMatchObject({ id: result.audit_id, target: 'device "Stolen Pixel"', result: 'success' });
    expect(entries[0].detail).toMatch(/revoked 2 refresh tokens.*ended 1 session/);
  });
});

describe('bulk revocation through the Management API', () => {
  const tenantCalls = (method: string, prefix: string) =>
    logs
      .map((line) => JSON.parse(line))
      .filter((l) => l.msg === 'request' && l.method === method && String(l.path).startsWith(prefix)).length;

  it('unlinking a device with 105 tokens takes one POST /api/v2/users/{id}/devices/unlink, not one DELETE per token nor 100 ids a call', async () => {
    const { email, user } = customer();
    const tokens = [];
    for (let i = 0; i < 105; i++) tokens.push(await mobile().login(email, 'Crowded Phone'));
    const shown = await preview(user, { action: 'device.unlink', device_name: 'Crowded Phone' });
    expect(shown.tokens).toHaveLength(105);

    logs.length = 0;
    const res = await support.api('POST', `${user}/devices/unlink`, {
      device_name: 'Crowded Phone',
      expected: expectedOf(shown),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(tenantCalls('DELETE', '/api/v2/device-credentials/')).toBe(0);
    expect(tenantCalls('DELETE', '/api/v2/refresh-tokens/')).toBe(0);
    expect(tenantCalls('POST', '/api/v2/refresh-tokens/revoke')).toBe(0);
    const unlinks = logs
      .map((line) => JSON.parse(line))
      .filter(
        (l) =>
          l.msg === 'request' &&
          l.method === 'POST' &&
          /^\/api\/v2\/users\/[^/]+\/devices\/unlink$/.test(String(l.path)),
      );
    expect(unlinks).toHaveLength(1);
    for (const token of [tokens[0]!, tokens[99]!, tokens[104]!])
      expect((await mobile().refresh(token)).status).toBe(403);
    // 105 sign-ins, one after another, over real HTTP: 25 s alone on a busy 2-core machine, and
    // past the 30 s default with other suites running beside it. The test counts calls, not time.
  }, 180_000);
});
