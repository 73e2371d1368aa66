import { DEMO, demoEndUser, endUserApp, json, startTestStack, type StaffClient, type TestStack } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The Applications area: admin only; counts from the tenant; "Revoke all tokens of
 * this application" bound to its preview (the counts) and to the application's name typed in,
 * checked at the tenant's /oauth/token as the end users' apps see it.
 */

let stack: TestStack;
let admin: StaffClient;
let support: StaffClient;
let viewer: StaffClient;
const mobile = () => endUserApp(stack.tenantUrl);
const web = () => endUserApp(stack.tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret);
const MOBILE = DEMO.clients.mobile;

beforeAll(async () => {
  stack = await startTestStack();
  [admin, support, viewer] = await Promise.all([
    stack.signIn('admin'),
    stack.signIn('support'),
    stack.signIn('viewer'),
  ]);
});
afterAll(() => stack.stop());

interface Counts {
  tokens: number;
  users: number;
  devices: number;
}
interface Impact {
  client_id: string;
  name: string;
  counts: Counts;
  first_users: { user_id: string; email: string | null; tokens: number }[];
  issued_through: number | null;
}
const list = async () => {
  const res = await admin.api('GET', '/api/applications');
  expect(res.status, await res.clone().text()).toBe(200);
  return (await json(res)) as {
    applications: { client_id: string; name: string; counts: Counts | null }[];
    counts_unavailable: string | null;
  };
};
const preview = async (clientId: string): Promise<Impact> => {
  const res = await admin.api('POST', `/api/applications/${clientId}/impact`);
  expect(res.status, await res.clone().text()).toBe(200);
  return json(res);
};
/** The tenant's own answer to a refresh-token exchange, body included. */
const exchange = async (clientId: string, refreshToken: string, secret?: string) => {
  const res = await fetch(`${stack.tenantUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: refreshToken,
      ...(secret ? { client_secret: secret } : {}),
    }),
  });
  return { status: res.status, error: ((await res.json()) as { error?: string }).error };
};

describe('the Applications area', () => {
  it('is for admins: support and viewer get 403 on the list, the preview and the revocation', async () => {
    for (const staff of [support, viewer]) {
      expect((await staff.api('GET', '/api/applications')).status).toBe(403);
      expect((await staff.api('POST', `/api/applications/${MOBILE.client_id}/impact`)).status).toBe(403);
      const res = await staff.api('POST', `/api/applications/${MOBILE.client_id}/revoke-all`, {
        confirm_name: MOBILE.name,
        expected: { tokens: 0, users: 0, devices: 0, issued_through: null },
      });
      expect(res.status).toBe(403);
      expect((await json(res)).error.code).toBe('forbidden');
    }
  });

  it('lists each application with its live token, user and device counts, as the tenant counts them', async () => {
    const before = (await list()).applications.find((a) => a.client_id === MOBILE.client_id)!;
    expect(before.name).toBe(MOBILE.name);
    const { email } = demoEndUser(40);
    await mobile().login(email, 'Counted Phone');
    await mobile().login(email, 'Counted Phone');
    await mobile().login(email, 'Counted Tablet');
    const after = await list();
    expect(after.counts_unavailable).toBeNull();
    expect(after.applications.map((a) => a.name)).toEqual(expect.arrayContaining([MOBILE.name, DEMO.clients.web.name]));
    const counted = after.applications.find((a) => a.client_id === MOBILE.client_id)!.counts!;
    expect(counted.tokens).toBe(before.counts!.tokens + 3);
    expect(counted.devices).toBe(before.counts!.devices + 2);
  });

  it('needs the CSRF token to revoke', async () => {
    const res = await admin.browser.fetch(`${stack.bffUrl}/api/applications/${MOBILE.client_id}/revoke-all`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: new URL(stack.bffUrl).origin },
      body: JSON.stringify({
        confirm_name: MOBILE.name,
        expected: { ...(await preview(MOBILE.client_id)).counts, issued_through: null },
      }),
    });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('csrf_token');
  });

  it("a token issued after the preview: 409 with the new preview, nothing revoked; confirmed again, the application's tokens go, others stay", async () => {
    const alice = demoEndUser(41).email;
    const bob = demoEndUser(42).email;
    const alicePhone = await mobile().login(alice, 'Alice Phone');
    const bobPhone = await mobile().login(bob, 'Bob Phone');
    const aliceWeb = await web().login(alice, 'Alice Laptop');

    const shown = await preview(MOBILE.client_id);
    expect(shown.name).toBe(MOBILE.name);
    expect(shown.counts.tokens).toBeGreaterThanOrEqual(2);
    expect(shown.first_users.length).toBeGreaterThan(0);
    expect(shown.first_users.length).toBeLessThanOrEqual(10);

    // The wrong name typed: refused, nothing revoked.
    const misnamed = await admin.api('POST', `/api/applications/${MOBILE.client_id}/revoke-all`, {
      confirm_name: 'Acme',
      expected: { ...shown.counts, issued_through: shown.issued_through },
    });
    expect(misnamed.status).toBe(400);
    // Without the preview: 409 with it.
    const unconfirmed = await admin.api('POST', `/api/applications/${MOBILE.client_id}/revoke-all`, {
      confirm_name: MOBILE.name,
    });
    expect(unconfirmed.status).toBe(409);

    const late = await mobile().login(bob, 'Bob Tablet'); // while the dialog is open
    const refused = await admin.api('POST', `/api/applications/${MOBILE.client_id}/revoke-all`, {
      confirm_name: MOBILE.name,
      expected: { ...shown.counts, issued_through: shown.issued_through },
    });
    expect(refused.status).toBe(409);
    const body = await json(refused);
    expect(body.error.code).toBe('impact_changed');
    expect(body.error.application_impact.counts.tokens).toBe(shown.counts.tokens + 1);
    expect(body.error.changes.join(' ')).toMatch(/tokens: \d+ previewed, \d+ now/);
    for (const token of [alicePhone, bobPhone, late])
      expect((await exchange(MOBILE.client_id, token)).status).toBe(200);

    const newer: Impact = body.error.application_impact;
    const confirmed = await admin.api('POST', `/api/applications/${MOBILE.client_id}/revoke-all`, {
      confirm_name: MOBILE.name,
      expected: { ...newer.counts, issued_through: newer.issued_through },
    });
    expect(confirmed.status, await confirmed.clone().text()).toBe(200);
    const result = await json(confirmed);
    expect(result).toMatchObject({ client_id: MOBILE.client_id, name: MOBILE.name, revoked: newer.counts });

    // At once: every token of the application is refused at the tenant, of every user.
    for (const token of [alicePhone, bobPhone, late])
      expect(await exchange(MOBILE.client_id, token)).toEqual({ status: expect.any(Number), error: 'invalid_grant' });
    // Another application's token still works.
    expect((await web().refresh(aliceWeb)).status).toBe(200);
    // The counts converge to none.
    await expect
      .poll(async () => (await list()).applications.find((a) => a.client_id === MOBILE.client_id)!.counts!.tokens, {
        timeout: 15_000,
      })
      .toBe(0);

    // Audited with the application's name and what it matched, and exported.
    const audit = await json(await admin.api('GET', '/api/audit?action=application.revoke_all_tokens'));
    const entries = audit.entries as { target: string; detail: string; result: string; id: string }[];
    const entry = entries.find((e) => e.id === result.audit_id)!;
    expect(entry).toMatchObject({
      result: 'success',
      target: `all refresh tokens of application "${MOBILE.name}" (${MOBILE.client_id})`,
    });
    expect(entry.detail).toContain(`matched ${newer.counts.tokens} refresh token`);
    expect(entry.detail).toContain(`of ${newer.counts.users} user`);
    expect(entries.some((e) => e.result === 'failure' && /changed since the preview/.test(e.detail))).toBe(true);
    const csv = await admin.api('GET', '/api/audit/export.csv?action=application.revoke_all_tokens');
    expect(csv.status).toBe(200);
    const text = await csv.text();
    expect(text).toContain(`Acme Mobile`);
    expect(text).toContain(`matched ${newer.counts.tokens} refresh token`);
  });

  it('one token revoked and another issued after the preview (same counts): 409, and the token not previewed is not revoked', async () => {
    const carol = demoEndUser(43).email;
    const before = await mobile().login(carol, 'Swap Phone');
    const shown = await preview(MOBILE.client_id);
    expect((await mobile().revoke(before)).status).toBe(200);
    const issuedSince = await mobile().login(carol, 'Swap Phone'); // the same user and device: every count unchanged
    expect((await preview(MOBILE.client_id)).counts).toEqual(shown.counts);
    const refused = await admin.api('POST', `/api/applications/${MOBILE.client_id}/revoke-all`, {
      confirm_name: MOBILE.name,
      expected: { ...shown.counts, issued_through: shown.issued_through },
    });
    expect(refused.status, await refused.clone().text()).toBe(409);
    expect((await json(refused)).error.changes.join(' ')).toMatch(/issued since the preview/);
    expect((await mobile().refresh(issuedSince)).status).toBe(200);
  });

  it('an unknown application is a 404', async () => {
    expect((await admin.api('POST', '/api/applications/no-such-app/impact')).status).toBe(404);
  });
});
