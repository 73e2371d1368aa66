import { DEMO, demoEndUser, endUserApp, json, startTestStack, type StaffClient, type TestStack } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleBehindProxy } from './console-behind-proxy.ts';

/**
 * Who may revoke a search's result is decided on the result, not on the filter's shape: a
 * result holding all of an application's live tokens, more than a share of them, or more than
 * a number of tokens is an admin's, as revoking in the Applications area is; and a condition
 * that singles out nothing (every address, an agent of one letter) does not narrow a search.
 */

let stack: TestStack;
let admin: StaffClient;
let support: StaffClient;
const web = () => endUserApp(stack.tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret);
const mobile = () => endUserApp(stack.tenantUrl);

beforeAll(async () => {
  stack = await startTestStack({ tenant: { options: { trustProxy: 1 } } });
  [admin, support] = await Promise.all([stack.signIn('admin'), stack.signIn('support')]);
});
afterAll(() => stack.stop());

type Filter = Record<string, string>;
const preview = async (staff: StaffClient, filter: Filter) => {
  const res = await staff.api('POST', '/api/search/refresh-tokens/impact', { filter });
  expect(res.status, await res.clone().text()).toBe(200);
  return json(res);
};
/** Previews, then revokes exactly that preview with REVOKE typed, as the dialog does. */
const revokeAsShown = async (staff: StaffClient, filter: Filter) => {
  const shown = await preview(staff, filter);
  return staff.api('POST', '/api/search/refresh-tokens/revoke', {
    filter,
    confirm: 'REVOKE',
    expected: { tokens: shown.totals.tokens, digest: shown.digest },
  });
};
const exchangeWeb = async (token: string) => {
  const res = await fetch(`${stack.tenantUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: DEMO.clients.web.client_id,
      client_secret: DEMO.clients.web.secret,
      refresh_token: token,
    }),
  });
  await res.body?.cancel();
  return res.status;
};

describe('revoking a search result: admin or support, decided on the result', () => {
  it('a network wider than /16 (IPv6 /32) or an agent under 4 characters does not narrow an application: 403 for support, an admin may', async () => {
    const token = await web().login(demoEndUser(30).email, 'Wide Net Laptop', { from: '198.51.100.30' });
    for (const filter of <Filter[]>[
      { client_id: DEMO.clients.web.client_id, ip: '0.0.0.0/0' },
      { client_id: DEMO.clients.web.client_id, ip: '::/0' },
      { client_id: DEMO.clients.web.client_id, ip: '198.0.0.0/8' },
      { client_id: DEMO.clients.web.client_id, ip: '2001:db8::/16' },
      { client_id: DEMO.clients.web.client_id, user_agent: 'a' },
    ]) {
      const res = await revokeAsShown(support, filter);
      expect(res.status, `${JSON.stringify(filter)}: ${await res.clone().text()}`).toBe(403);
      const { error } = await json(res);
      expect(error.code).toBe('forbidden');
      expect(error.message).toMatch(/Only an admin may revoke/);
      expect(error.message).toMatch(/wider than a \/16/);
    }
    expect(await exchangeWeb(token)).toBe(200);

    // A /16 or a single address, an agent of 4 characters or more: support's, for a small result.
    const narrow = { client_id: DEMO.clients.web.client_id, ip: '198.51.0.0/16', user_agent: 'node' };
    expect((await revokeAsShown(support, narrow)).status).toBe(200);
    expect(await exchangeWeb(token)).toBe(403);

    const other = await web().login(demoEndUser(31).email, 'Wide Net Laptop 2', { from: '192.0.2.31' });
    const wide = { client_id: DEMO.clients.web.client_id, ip: '0.0.0.0/0' };
    expect((await preview(support, wide)).admin_only).toMatch(/Only an admin may revoke/);
    const byAdmin = await revokeAsShown(admin, wide);
    expect(byAdmin.status, await byAdmin.clone().text()).toBe(200);
    expect(await exchangeWeb(other)).toBe(403);

    // Recorded as refused, with the filter.
    const { entries } = await json(
      await admin.api('GET', '/api/audit?action=search.revoke_tokens&result=refused&per_page=200'),
    );
    expect(entries.some((e: { target: string }) => e.target.includes('0.0.0.0/0'))).toBe(true);
  });

  it("a result holding every live token of an application is an admin's, however narrow its filter: the preview says so, support gets 403", async () => {
    // The console's own sign-ins: every refresh token of the console's application comes from this one address.
    const filter = { client_id: DEMO.clients.dashboard.client_id, ip: '127.0.0.1' };
    const shown = await preview(support, filter);
    expect(shown.totals.tokens).toBeGreaterThan(0);
    expect(shown.admin_only).toMatch(/all \d+ live refresh tokens? of Refresh Token Console/);
    const res = await support.api('POST', '/api/search/refresh-tokens/revoke', {
      filter,
      confirm: 'REVOKE',
      expected: { tokens: shown.totals.tokens, digest: shown.digest },
    });
    expect(res.status, await res.clone().text()).toBe(403);
    expect((await json(res)).error.message).toMatch(/all \d+ live refresh tokens? of Refresh Token Console/);
    // Nothing revoked: the staff's sessions still re-check on their refresh tokens.
    expect((await preview(admin, filter)).totals.tokens).toBe(shown.totals.tokens);
  });

  it("past the configured count or share of an application's live tokens, support gets 403; within them, support may", async () => {
    const byCount = await consoleBehindProxy(stack, 'support-count', undefined, {
      supportRevoke: { maxTokens: 3, maxSharePercent: 100 },
    });
    const byShare = await consoleBehindProxy(stack, 'support-share', undefined, {
      supportRevoke: { maxTokens: 1_000, maxSharePercent: 1 },
    });
    try {
      const { email } = demoEndUser(32);
      for (let i = 0; i < 4; i++) await mobile().login(email, `Counted Phone ${i}`, { from: '203.0.113.132' });
      const four = { ip: '203.0.113.132' };
      const overCount = await revokeAsShown(byCount.support, four);
      expect(overCount.status, await overCount.clone().text()).toBe(403);
      expect((await json(overCount)).error.message).toMatch(
        /4 refresh tokens, more than the 3 support may revoke at once/,
      );

      // Acme Mobile holds fewer than 300 live tokens here: 3 of them are more than 1%.
      const three = { ip: '203.0.113.132', device_name: 'Counted Phone 1' };
      await mobile().login(email, 'Counted Phone 10', { from: '203.0.113.132' });
      await mobile().login(email, 'Counted Phone 11', { from: '203.0.113.132' });
      const overShare = await revokeAsShown(byShare.support, three);
      expect(overShare.status, await overShare.clone().text()).toBe(403);
      expect((await json(overShare)).error.message).toMatch(
        /3 of the \d+ live refresh tokens of Acme Mobile \(\d+%, more than 1%\)/,
      );

      // Within the count (3 of at most 3): support's.
      expect((await revokeAsShown(byCount.support, three)).status).toBe(200);
    } finally {
      await Promise.all([byCount.stop(), byShare.stop()]);
    }
  });
});

describe('revoking a search result that reaches a staff member', () => {
  it("support may not revoke a result holding a staff member's token or session: the preview says so, the revocation is 403; an admin may", async () => {
    const staff = DEMO.staff.find((m) => m.role === 'admin')!;
    // The staff member's own sign-in to a customer app, on a device named like a customer's.
    const signedIn = await fetch(`${stack.tenantUrl}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: DEMO.clients.web.client_id,
        client_secret: DEMO.clients.web.secret,
        username: staff.email,
        password: staff.password,
        scope: 'openid offline_access',
        device: 'Staff Only Tablet',
      }),
    });
    const staffToken = ((await signedIn.json()) as { refresh_token: string }).refresh_token;
    const customerToken = await web().login(demoEndUser(31).email, 'Staff Only Tablet');
    const filter = { device_name: 'Staff Only Tablet' };
    const shown = await preview(support, filter);
    expect(shown.totals.tokens).toBe(2);
    expect(shown.admin_only).toMatch(/staff member/);
    const refused = await revokeAsShown(support, filter);
    expect(refused.status, await refused.clone().text()).toBe(403);
    expect((await json(refused)).error.message).toMatch(/staff member/);
    expect(await exchangeWeb(staffToken)).toBe(200);
    expect(await exchangeWeb(customerToken)).toBe(200);

    // The session of the staff member's console sign-in (testkit's stack.signIn), found by its agent.
    const sessions = await support.api('POST', '/api/search/sessions/impact', { filter: { ip: '127.0.0.1' } });
    expect((await json(sessions)).admin_only).toMatch(/staff member/);

    expect((await revokeAsShown(admin, filter)).status).toBe(200);
    expect(await exchangeWeb(staffToken)).toBe(403);
  });
});
