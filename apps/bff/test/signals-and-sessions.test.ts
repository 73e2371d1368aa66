import { DEMO, demoEndUser } from '@rtc/testkit';
import { endUserApp, json, startTestStack, type StaffClient, type TestStack } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let stack: TestStack;
let support: StaffClient;
const mobile = () => endUserApp(stack.tenantUrl);
beforeAll(async () => {
  stack = await startTestStack();
  support = await stack.signIn('support');
});
afterAll(() => stack.stop());

/** The refresh grant as a thief's script sends it, with its own user agent. */
async function refreshAs(token: string, userAgent: string) {
  const res = await fetch(`${stack.tenantUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': userAgent },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: token,
      client_id: DEMO.clients.mobile.client_id,
    }),
  });
  expect(res.status).toBe(200);
}

describe('theft signals', () => {
  it('flags the device and the token last used by another agent family than they were issued to; the others stay unflagged', async () => {
    const user = demoEndUser(45);
    const path = `/api/users/${encodeURIComponent(user.user_id)}`;
    const stolen = await mobile().login(user.email, 'Signal Phone');
    const fine = await mobile().login(user.email, 'Signal Tablet');
    await refreshAs(stolen, 'python-requests/2.31.0');
    await refreshAs(fine, 'node');

    const { devices } = await json(await support.api('GET', `${path}/devices`));
    const phone = devices.find((d: { name: string }) => d.name === 'Signal Phone');
    expect(phone.last_agent).toBe('python-requests 2.31.0');
    expect(phone.last_user_agent).toBe('python-requests/2.31.0');
    expect(phone.signals).toEqual(['Last used by python-requests 2.31.0, but issued to node.']);
    expect(devices.find((d: { name: string }) => d.name === 'Signal Tablet').signals).toEqual([]);

    const { tokens } = await json(await support.api('GET', `${path}/refresh-tokens`));
    const token = tokens.find((t: { device_name: string }) => t.device_name === 'Signal Phone');
    expect(token.signals).toHaveLength(1);
    expect(token.device).toMatchObject({ initial_agent: 'node', last_agent: 'python-requests 2.31.0' });
  });
});

describe('sessions', () => {
  it('lists newest first, with the device names of their tokens, and the revoke preview describes the session in words', async () => {
    const user = demoEndUser(46);
    const path = `/api/users/${encodeURIComponent(user.user_id)}`;
    const older = await mobile().loginWithBrowser(user.email, 'Session Laptop');
    await new Promise((r) => setTimeout(r, 1100)); // session times have second precision
    const newer = await mobile().loginWithBrowser(user.email, 'Session Chromebook');

    const { sessions } = await json(await support.api('GET', `${path}/sessions`));
    const ids = sessions.map((s: { id: string }) => s.id);
    expect(ids.indexOf(newer.sessionId)).toBeLessThan(ids.indexOf(older.sessionId));
    expect(sessions.find((s: { id: string }) => s.id === newer.sessionId).device_names).toEqual(['Session Chromebook']);

    const impact = await json(
      await support.api('POST', `${path}/impact`, { action: 'session.revoke', session_id: newer.sessionId }),
    );
    expect(impact.target_name).toBe('the session from node (Session Chromebook), 127.0.0.1');
    expect(impact.sessions).toEqual([
      { session_id: newer.sessionId, description: 'node (Session Chromebook), 127.0.0.1' },
    ]);
  });
});

describe('sessions name the operating system (ChromeOS, not "Chrome")', () => {
  it('a session opened on a Chromebook is described as Chrome on ChromeOS, in the list and in the revoke preview', async () => {
    const user = demoEndUser(48);
    const path = `/api/users/${encodeURIComponent(user.user_id)}`;
    const chromebook =
      'Mozilla/5.0 (X11; CrOS x86_64 15917.71.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
    const session = await mobile().loginWithBrowser(user.email, 'Family Chromebook', { userAgent: chromebook });

    const { sessions } = await json(await support.api('GET', `${path}/sessions`));
    const listed = sessions.find((s: { id: string }) => s.id === session.sessionId);
    expect(listed.device.initial_user_agent).toBe(chromebook);
    expect(listed.device.initial_agent).toBe('Chrome 126 on ChromeOS');

    const impact = await json(
      await support.api('POST', `${path}/impact`, { action: 'session.revoke', session_id: session.sessionId }),
    );
    expect(impact.target_name).toMatch(/^the session from Chrome 126 on ChromeOS \(Family Chromebook\)/);
  });
});
