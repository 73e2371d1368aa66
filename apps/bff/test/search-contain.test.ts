import { DEMO, demoEndUser, endUserApp, json, startTestStack, type StaffClient, type TestStack } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The incident view's containment: every refresh token and every session found
 * from an address, a network or an AS number, revoked and ended in one request bound to one
 * preview. Every effect is checked at the tenant: /oauth/token refuses the tokens, the
 * sessions are gone from its search. The tenant sits behind one trusted proxy, so each end
 * user's app comes from the address its X-Forwarded-For names.
 */

let stack: TestStack;
let admin: StaffClient;
let support: StaffClient;
let viewer: StaffClient;
const mobile = () => endUserApp(stack.tenantUrl);
const BROWSER =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

beforeAll(async () => {
  stack = await startTestStack({ tenant: { options: { trustProxy: 1 } } });
  [admin, support, viewer] = await Promise.all([
    stack.signIn('admin'),
    stack.signIn('support'),
    stack.signIn('viewer'),
  ]);
});
afterAll(() => stack.stop());

interface Impact {
  tokens: { tokens: number; users: number; devices: number };
  sessions: { sessions: number; users: number };
  users: number;
  first_users: { user_id: string; email: string | null; tokens: number; sessions: number }[];
  digest: string;
  over_limit: boolean;
  admin_only: string | null;
}
const preview = async (filter: Record<string, string>, staff = support): Promise<Impact> => {
  const res = await staff.api('POST', '/api/search/contain/impact', { filter });
  expect(res.status, await res.clone().text()).toBe(200);
  return json(res);
};
const contain = (filter: Record<string, string>, shown: Impact | undefined, staff = support, confirm = 'REVOKE') =>
  staff.api('POST', '/api/search/contain', {
    filter,
    confirm,
    ...(shown
      ? { expected: { tokens: shown.tokens.tokens, sessions: shown.sessions.sessions, digest: shown.digest } }
      : {}),
  });
const exchange = async (refreshToken: string) => {
  const res = await fetch(`${stack.tenantUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: DEMO.clients.mobile.client_id,
      refresh_token: refreshToken,
    }),
  });
  return { status: res.status, error: ((await res.json()) as { error?: string }).error };
};
const liveSessions = async (ip: string) =>
  (await json(await admin.api('GET', `/api/search/sessions?ip=${encodeURIComponent(ip)}`))).totals.sessions as number;
const liveTokens = async (ip: string) =>
  (await json(await admin.api('GET', `/api/search/refresh-tokens?ip=${encodeURIComponent(ip)}`))).totals
    .tokens as number;

describe('contain an address: its refresh tokens and its sessions at once', () => {
  it('is for support and admin, behind the CSRF token, and only for an address, a network or an AS number', async () => {
    const filter = { ip: '192.0.2.170' };
    expect((await viewer.api('POST', '/api/search/contain/impact', { filter })).status).toBe(403);
    expect(
      (
        await viewer.api('POST', '/api/search/contain', {
          filter,
          confirm: 'REVOKE',
          expected: { tokens: 0, sessions: 0, digest: '0'.repeat(64) },
        })
      ).status,
    ).toBe(403);
    for (const path of ['/api/search/contain/impact', '/api/search/contain']) {
      const res = await support.browser.fetch(`${stack.bffUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: new URL(stack.bffUrl).origin },
        body: JSON.stringify({ filter, confirm: 'REVOKE' }),
      });
      expect(res.status).toBe(403);
      expect((await json(res)).error.code).toBe('csrf_token');
    }
    // An agent or a time alone is no incident of an address: a 400 naming the filter, never a 500.
    const bad = await support.api('POST', '/api/search/contain/impact', { filter: { user_agent: 'Chrome' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify((await json(bad)).error.fields)).toMatch(/address, a network \(ip\) or an AS number/);
    expect((await support.api('POST', '/api/search/contain/impact', { filter: { ip: 'not an address' } })).status).toBe(
      400,
    );
  });

  it('contains an address as previewed: a new session is a 409 and nothing is done; confirmed again, exactly those go, one audit entry lists all', async () => {
    const HOSTILE = '192.0.2.171';
    const filter = { ip: HOSTILE };
    const [lee, mia] = [demoEndUser(40), demoEndUser(41)];
    // Two sessions (each with its refresh token) and a token without a session, from the address.
    const leeBrowser = await mobile().loginWithBrowser(lee.email, 'Lee PC', { from: HOSTILE, userAgent: BROWSER });
    const miaBrowser = await mobile().loginWithBrowser(mia.email, 'Mia PC', { from: HOSTILE, userAgent: BROWSER });
    const miaPhone = await mobile().login(mia.email, 'Mia Phone', { from: HOSTILE });
    const miaHome = await mobile().loginWithBrowser(mia.email, 'Mia Home', {
      from: '198.51.100.171',
      userAgent: BROWSER,
    });

    const shown = await preview(filter);
    expect(shown).toMatchObject({
      tokens: { tokens: 3, users: 2 },
      sessions: { sessions: 2, users: 2 },
      users: 2,
      over_limit: false,
      admin_only: null,
    });
    expect(shown.first_users).toEqual([
      { user_id: mia.user_id, email: mia.email, tokens: 2, sessions: 1 },
      { user_id: lee.user_id, email: lee.email, tokens: 1, sessions: 1 },
    ]);

    // A session begins there after the preview: refused with the new preview, nothing revoked or ended.
    const late = await mobile().loginWithBrowser(lee.email, 'Lee Laptop', { from: HOSTILE, userAgent: BROWSER });
    const refused = await contain(filter, shown);
    expect(refused.status, await refused.clone().text()).toBe(409);
    const { error } = await json(refused);
    expect(error.code).toBe('impact_changed');
    expect(error.message).toBe(
      'What this would revoke changed since the preview: 4 refresh tokens and 3 sessions now, 3 refresh ' +
        'tokens and 2 sessions in the preview. Nothing was revoked and no session was ended; check the new ' +
        'preview and confirm again.',
    );
    expect(error.contain_impact).toMatchObject({ tokens: { tokens: 4 }, sessions: { sessions: 3 } });
    expect(await liveTokens(HOSTILE)).toBe(4);
    expect(await liveSessions(HOSTILE)).toBe(3);
    for (const token of [leeBrowser.refreshToken, miaPhone, late.refreshToken])
      expect((await exchange(token)).status).toBe(200);
    // Without the preview: nothing either.
    expect((await contain(filter, undefined)).status).toBe(409);
    // REVOKE not typed: 400, nothing.
    expect((await contain(filter, error.contain_impact, support, 'revoke')).status).toBe(400);
    expect(await liveSessions(HOSTILE)).toBe(3);

    const done = await contain(filter, error.contain_impact);
    expect(done.status, await done.clone().text()).toBe(200);
    const result = await json(done);
    expect(result).toMatchObject({ filter, revoked: { tokens: 4, users: 2 }, ended: { sessions: 3, users: 2 } });
    expect(await liveTokens(HOSTILE)).toBe(0);
    expect(await liveSessions(HOSTILE)).toBe(0);
    // The tenant refuses every one of them (the tokens exchanged above rotated: their successors went too).
    for (const token of [miaBrowser.refreshToken, late.refreshToken])
      expect((await exchange(token)).error).toBe('invalid_grant');
    // Mia's session from home is another address: it stays.
    expect((await exchange(miaHome.refreshToken)).status).toBe(200);

    const audit = await json(await admin.api('GET', '/api/audit?action=search.contain'));
    const entries = (audit.entries as { id: string; target: string; detail: string; result: string }[]).filter(
      (e) => e.target === `refresh tokens and sessions matching address ${HOSTILE}`,
    );
    // Newest first: the containment, after the two stale previews and the REVOKE not typed, each recorded as not done.
    expect(entries.map((e) => e.result)).toEqual(['success', 'failure', 'failure', 'failure']);
    const entry = entries[0]!;
    expect(entry.id).toBe(result.audit_id);
    expect(/token ids: ([^;]*)/.exec(entry.detail)![1]!.split(' ')).toHaveLength(4);
    expect(/session ids: ([^;]*)/.exec(entry.detail)![1]!.split(' ').sort()).toEqual(
      [leeBrowser.sessionId, miaBrowser.sessionId, late.sessionId].sort(),
    );
  });

  it("keeps the search revocations' rules: a network wider than a /16 is an admin's, and support's refusal changes nothing", async () => {
    const session = await mobile().loginWithBrowser(demoEndUser(42).email, 'Wide PC', {
      from: '192.0.2.172',
      userAgent: BROWSER,
    });
    const filter = { ip: '192.0.0.0/8' };
    const shown = await preview(filter); // support may look
    expect(shown.admin_only).toMatch(
      /Only an admin may revoke a result found without an address or a network no wider than a \/16/,
    );
    const refused = await contain(filter, shown);
    expect(refused.status).toBe(403);
    expect((await exchange(session.refreshToken)).status).toBe(200);
    const audit = await json(await admin.api('GET', '/api/audit?action=search.contain&result=refused'));
    expect(
      (audit.entries as { target: string }[]).some(
        (e) => e.target === 'refresh tokens and sessions matching address 192.0.0.0/8',
      ),
    ).toBe(true);
    // The same address, narrow, is support's.
    const narrow = { ip: '192.0.2.172' };
    expect((await contain(narrow, await preview(narrow))).status).toBe(200);
    expect((await exchange(session.refreshToken)).error).toBe('invalid_grant');
  });
});
