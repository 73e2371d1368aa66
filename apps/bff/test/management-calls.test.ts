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
 * How many Management API calls one console request makes. A real HTTP proxy in front of the
 * embedded tenant records every call of a second BFF; each request below is made once the
 * application and API names are cached (they are for a minute), and its calls are compared,
 * path by path, with what the screen needs: a tab's poll loads only what the tab shows, the
 * unlink preview loads each list once, and its confirmation reloads none of them: the tenant
 * unlinks the device, checking the previewed ids itself.
 */

let stack: TestStack;
let proxied: Awaited<ReturnType<typeof consoleBehindProxy>>;
let support: StaffClient;
let admin: StaffClient;
const mobile = () => endUserApp(stack.tenantUrl);
const web = () => endUserApp(stack.tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret);
const withApi = { audience: DEMO.api.identifier, scope: 'openid offline_access read:orders' };

beforeAll(async () => {
  stack = await startTestStack();
  proxied = await consoleBehindProxy(stack, 'counted');
  support = proxied.support;
  admin = await stack.signIn('admin');
});
afterAll(async () => {
  await proxied?.stop();
  await stack.stop();
});

const setFlag = async (on: boolean) =>
  expect((await admin.api('PATCH', '/api/settings', { revoke_refresh_token_grant: on })).status).toBe(200);

/** The Management API calls `request` made, user id and credential ids in words, sorted. */
async function callsOf(userId: string, request: () => Promise<Response>): Promise<string[]> {
  proxied.seen.length = 0;
  const res = await request();
  expect(res.status, await res.clone().text()).toBe(200);
  return proxied.seen
    .filter((call) => call.includes('/api/v2/'))
    .map((call) => call.replace(encodeURIComponent(userId), '{user}').replace(/\/dcr_[^/]+$/, '/{credential}'))
    .sort();
}

const USER = 'GET /api/v2/users/{user}';
const TOKENS = 'GET /api/v2/refresh-tokens';
const CREDENTIALS = 'GET /api/v2/device-credentials';
// Rotating and non-rotating refresh tokens are listed by type, one call each (Auth0 lists no
// rotating ones without a type: gateway.listDeviceCredentials).
const CREDENTIALS_OF_BOTH_TYPES = [CREDENTIALS, CREDENTIALS];
const GRANTS = 'GET /api/v2/grants';
const SESSIONS = 'GET /api/v2/users/{user}/sessions';
const LOGS = 'GET /api/v2/users/{user}/logs';
const SETTINGS = 'GET /api/v2/tenants/settings';
const UNLINK = 'POST /api/v2/users/{user}/devices/unlink';

describe('Management API calls per console request', () => {
  it('each tab poll loads only the lists its tab shows, each once', async () => {
    const { email, user_id } = demoEndUser(40);
    const user = `/api/users/${encodeURIComponent(user_id)}`;
    await mobile().login(email, 'Counted Phone', withApi);
    await web().login(email, 'Counted Laptop', withApi);
    await support.api('GET', `${user}/devices`); // names cached from here on

    const poll = (tab: string) => callsOf(user_id, () => support.api('GET', `${user}/${tab}`));
    expect.soft(await poll('devices')).toEqual([...CREDENTIALS_OF_BOTH_TYPES, TOKENS, LOGS].sort());
    expect.soft(await poll('authorized-apps')).toEqual([...CREDENTIALS_OF_BOTH_TYPES, GRANTS, TOKENS].sort());
    expect.soft(await poll('refresh-tokens')).toEqual([...CREDENTIALS_OF_BOTH_TYPES, TOKENS].sort());
    expect.soft(await poll('sessions')).toEqual([...CREDENTIALS_OF_BOTH_TYPES, TOKENS, SESSIONS].sort());
    expect.soft(await poll('locations')).toEqual([...CREDENTIALS_OF_BOTH_TYPES, TOKENS, SESSIONS].sort());
    expect.soft(await poll('security-events')).toEqual([...CREDENTIALS_OF_BOTH_TYPES, LOGS].sort());
  });

  it('the unlink dialog loads each list once, grants only when the setting makes them matter; confirming unlinks the device in one call', async () => {
    const { email, user_id } = demoEndUser(41);
    const user = `/api/users/${encodeURIComponent(user_id)}`;
    await mobile().login(email, 'Counted Pixel', withApi);
    await mobile().login(email, 'Counted Pixel', withApi);
    await mobile().login(email, 'Counted Tablet', withApi);
    await support.api('GET', `${user}/devices`);

    await setFlag(false);
    let shown: Parameters<typeof expectedOf>[0] | undefined;
    const open = () =>
      callsOf(user_id, async () => {
        const res = await support.api('POST', `${user}/impact`, {
          action: 'device.unlink',
          device_name: 'Counted Pixel',
        });
        shown = await json(res.clone());
        return res;
      });
    expect.soft(await open()).toEqual([...CREDENTIALS_OF_BOTH_TYPES, SETTINGS, TOKENS].sort());
    expect(shown!.tokens).toHaveLength(2);

    const confirm = await callsOf(user_id, () =>
      support.api('POST', `${user}/devices/unlink`, { device_name: 'Counted Pixel', expected: expectedOf(shown!) }),
    );
    // The preview just shown is what was confirmed: the user is read, and the tenant unlinks.
    expect.soft(confirm).toEqual([USER, UNLINK].sort());

    await setFlag(true);
    try {
      const { email: other, user_id: otherId } = demoEndUser(42);
      const otherUser = `/api/users/${encodeURIComponent(otherId)}`;
      await mobile().login(other, 'Counted Watch', withApi);
      const withFlag = await callsOf(otherId, () =>
        support.api('POST', `${otherUser}/impact`, { action: 'device.unlink', device_name: 'Counted Watch' }),
      );
      expect.soft(withFlag).toEqual([...CREDENTIALS_OF_BOTH_TYPES, GRANTS, SETTINGS, TOKENS].sort());
    } finally {
      await setFlag(false);
    }
  });

  it('unlinking a device of 150 tokens, confirmed on its preview, makes at most 3 Management API calls, and revokes exactly those tokens', async () => {
    const { email, user_id } = demoEndUser(43);
    const user = `/api/users/${encodeURIComponent(user_id)}`;
    // Real sign-ins, ten at a time: more tokens than one page of the listings (100) and of the
    // bulk revocation (100 ids), within Auth0's 200 per user and application.
    const tokens: string[] = [];
    for (let batch = 0; batch < 15; batch++)
      tokens.push(
        ...(await Promise.all(Array.from({ length: 10 }, () => mobile().login(email, 'Crowded Counted Phone')))),
      );
    const other = await mobile().login(email, 'Counted Spare Phone');
    await support.api('GET', `${user}/devices`);

    const res = await support.api('POST', `${user}/impact`, {
      action: 'device.unlink',
      device_name: 'Crowded Counted Phone',
    });
    const shown = await json(res);
    expect(shown.tokens).toHaveLength(150);
    const confirm = await callsOf(user_id, () =>
      support.api('POST', `${user}/devices/unlink`, {
        device_name: 'Crowded Counted Phone',
        expected: expectedOf(shown),
      }),
    );
    expect(confirm.length, confirm.join('\n')).toBeLessThanOrEqual(3);
    for (const token of [tokens[0]!, tokens[99]!, tokens[149]!])
      expect((await mobile().refresh(token)).status).toBe(403);
    expect((await mobile().refresh(other)).status).toBe(200);
    // 151 sign-ins over real HTTP on a busy 2-core machine: far past the 30 s default. The test counts calls, not time.
  }, 300_000);

  it("unlinking the unnamed device does not ask the tenant's route, which unlinks by name, and revokes exactly its tokens", async () => {
    const { email, user_id } = demoEndUser(46);
    const user = `/api/users/${encodeURIComponent(user_id)}`;
    // Signed in without a device name: the Devices tab shows them as one "Unnamed device".
    const unnamed = [await mobile().login(email, null), await mobile().login(email, null)];
    const named = await mobile().login(email, 'Counted Named Phone');
    await support.api('GET', `${user}/devices`);
    const shown = await json(
      await support.api('POST', `${user}/impact`, { action: 'device.unlink', device_name: 'Unnamed device' }),
    );
    expect(shown.tokens).toHaveLength(2);
    const confirm = await callsOf(user_id, () =>
      support.api('POST', `${user}/devices/unlink`, { device_name: 'Unnamed device', expected: expectedOf(shown) }),
    );
    // The tenant's route would find no device of that name: a refused call, then a new preview.
    expect(confirm).not.toContain(UNLINK);
    for (const token of unnamed) expect((await mobile().refresh(token)).status).toBe(403);
    expect((await mobile().refresh(named)).status).toBe(200);
  });

  it('a token issued on the device after the preview: the tenant refuses the unlink, 409 with the new preview, nothing revoked', async () => {
    const { email, user_id } = demoEndUser(44);
    const user = `/api/users/${encodeURIComponent(user_id)}`;
    const first = await mobile().login(email, 'Counted Racing Phone');
    await support.api('GET', `${user}/devices`);
    const shown = await json(
      await support.api('POST', `${user}/impact`, { action: 'device.unlink', device_name: 'Counted Racing Phone' }),
    );
    const later = await mobile().login(email, 'Counted Racing Phone');

    proxied.seen.length = 0;
    const res = await support.api('POST', `${user}/devices/unlink`, {
      device_name: 'Counted Racing Phone',
      expected: expectedOf(shown),
    });
    expect(res.status).toBe(409);
    const body = await json(res);
    expect(body.error.code).toBe('impact_changed');
    expect(body.error.message).toMatch(/1 more refresh token would be revoked/);
    expect(proxied.seen.filter((call) => call.endsWith('/devices/unlink'))).toHaveLength(1);
    for (const token of [first, later]) expect((await mobile().refresh(token)).status).toBe(200);

    // The dialog shows the 409's preview; confirming it reloads nothing either.
    expect(body.error.impact.tokens).toHaveLength(2);
    const again = await callsOf(user_id, () =>
      support.api('POST', `${user}/devices/unlink`, {
        device_name: 'Counted Racing Phone',
        expected: expectedOf(body.error.impact),
      }),
    );
    expect(again).toEqual([USER, UNLINK].sort());
    for (const token of [first, later]) expect((await mobile().refresh(token)).status).toBe(403);
  });

  it('a confirmation reaching a console that did not show the preview computes it again, then has the tenant unlink the device', async () => {
    const { email, user_id } = demoEndUser(45);
    const user = `/api/users/${encodeURIComponent(user_id)}`;
    const phone = await mobile().login(email, 'Counted Other Phone');
    await support.api('GET', `${user}/devices`);
    // Shown by the stack's own BFF (another instance, as far as this one knows), confirmed here.
    const elsewhere = await stack.signIn('support');
    const shown = await json(
      await elsewhere.api('POST', `${user}/impact`, { action: 'device.unlink', device_name: 'Counted Other Phone' }),
    );
    const confirm = await callsOf(user_id, () =>
      support.api('POST', `${user}/devices/unlink`, {
        device_name: 'Counted Other Phone',
        expected: expectedOf(shown),
      }),
    );
    expect(confirm).toEqual([USER, ...CREDENTIALS_OF_BOTH_TYPES, SETTINGS, TOKENS, UNLINK].sort());
    expect((await mobile().refresh(phone)).status).toBe(403);
  });

  it('an unknown user is still answered 404 on every tab and preview', async () => {
    const nobody = '/api/users/auth0%7Cnobody-counted';
    for (const tab of ['devices', 'authorized-apps', 'refresh-tokens', 'sessions', 'locations', 'security-events']) {
      const res = await support.api('GET', `${nobody}/${tab}`);
      expect(res.status, tab).toBe(404);
      expect((await json(res)).error.message, tab).toBe('There is no such user in this tenant.');
    }
    const res = await support.api('POST', `${nobody}/impact`, { action: 'device.unlink', device_name: 'Anything' });
    expect(res.status).toBe(404);
  });
});

describe('a failed Management API call behind a tab', () => {
  it('is named as the list the tab asked for: the Sessions tab says sessions, not the refresh tokens it counts', async () => {
    // The tenant fails every refresh-token listing; sessions and devices still answer.
    const failing = await consoleBehindProxy(stack, 'failing-tokens', (req, url) =>
      req.method === 'GET' && /\/refresh-tokens$/.test(url.pathname)
        ? Response.json({ statusCode: 500, error: 'Internal Server Error', message: 'boom' }, { status: 500 })
        : undefined,
    );
    try {
      const userId = encodeURIComponent(demoEndUser(3).user_id);
      const asked = async (tab: string) => {
        const res = await failing.support.api('GET', `/api/users/${userId}/${tab}`);
        expect(res.status).toBe(502);
        return (await json(res)).error.message as string;
      };
      const sessions = await asked('sessions');
      expect(sessions).toBe(
        "The tenant failed while trying to list the user's sessions (HTTP 500). Retry in a moment.",
      );
      expect(sessions).not.toMatch(/refresh tokens/);
      expect(await asked('devices')).toContain("list the user's devices");
      expect(await asked('refresh-tokens')).toContain("list the user's refresh tokens");
    } finally {
      await failing.stop();
    }
  });
});
