import {
  clientCredentials,
  createConfidentialApp,
  DEMO,
  managementCall,
  demoEndUser,
  endUserApp,
  json,
  startTestStack,
  type StaffClient,
  type TestStack,
} from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A leaked application secret, one flow for admins: every refresh token of the
 * application revoked and its secret rotated, bound to the preview, the new secret answered
 * once (no-store, never in the audit log). Checked at the tenant's /oauth/token: the old
 * secret is refused, the new one works, the application's refresh tokens are refused.
 */

let stack: TestStack;
let admin: StaffClient;
let support: StaffClient;
let viewer: StaffClient;
/** Every line the tenant and the BFF log: a secret must be in none. */
const logs: string[] = [];

beforeAll(async () => {
  stack = await startTestStack({ logs });
  [admin, support, viewer] = await Promise.all([
    stack.signIn('admin'),
    stack.signIn('support'),
    stack.signIn('viewer'),
  ]);
});
afterAll(() => stack.stop());

interface Impact {
  client_id: string;
  name: string;
  counts: { tokens: number; users: number; devices: number };
  issued_through: number | null;
  has_secret: boolean;
  console_client: 'sign_in' | 'management' | null;
}
const path = (clientId: string) => `/api/applications/${encodeURIComponent(clientId)}/leaked-secret`;
const preview = async (clientId: string): Promise<Impact> => {
  const res = await admin.api('POST', `${path(clientId)}/impact`);
  expect(res.status, await res.clone().text()).toBe(200);
  return json(res);
};
const expectedOf = (p: Impact) => ({ ...p.counts, issued_through: p.issued_through });
const exchange = async (clientId: string, secret: string, refreshToken: string) => {
  const res = await fetch(`${stack.tenantUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: clientId,
      client_secret: secret,
      refresh_token: refreshToken,
    }),
  });
  return { status: res.status, error: ((await res.json()) as { error?: string }).error };
};

describe('a leaked application secret', () => {
  it('an application created a moment ago is listed and its flow offered at once, not a minute later when the names cache expires', async () => {
    expect((await admin.api('GET', '/api/applications')).status).toBe(200); // the names are read, and cached
    const app = await createConfidentialApp(stack.tenantUrl, 'Brand New App');
    const listed = (await json(await admin.api('GET', '/api/applications'))).applications as {
      client_id: string;
      name: string;
    }[];
    expect(listed.find((a) => a.client_id === app.client_id)?.name).toBe('Brand New App');
    expect((await preview(app.client_id)).name).toBe('Brand New App');
  });

  it('is for admins, behind the CSRF token: support and viewer get 403 and nothing changes', async () => {
    const app = await createConfidentialApp(stack.tenantUrl, 'Leaky Roles');
    const token = await endUserApp(stack.tenantUrl, app.client_id, app.client_secret).login(
      demoEndUser(44).email,
      'Roles Phone',
    );
    for (const staff of [support, viewer]) {
      expect((await staff.api('POST', `${path(app.client_id)}/impact`)).status).toBe(403);
      const res = await staff.api('POST', path(app.client_id), {
        confirm_name: app.name,
        rotate: true,
        expected: { tokens: 1, users: 1, devices: 1, issued_through: null },
      });
      expect(res.status).toBe(403);
    }
    const forged = await admin.browser.fetch(`${stack.bffUrl}${path(app.client_id)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: new URL(stack.bffUrl).origin },
      body: JSON.stringify({ confirm_name: app.name, rotate: true }),
    });
    expect(forged.status).toBe(403);
    expect((await json(forged)).error.code).toBe('csrf_token');
    expect((await clientCredentials(stack.tenantUrl, app.client_id, app.client_secret)).status).toBe(200);
    expect((await exchange(app.client_id, app.client_secret, token)).status).toBe(200);
  });

  it("revokes the application's tokens and rotates its secret: the old secret fails, the new works; the secret is answered once, audited nowhere", async () => {
    const app = await createConfidentialApp(stack.tenantUrl, 'Leaky Web');
    const leaky = () => endUserApp(stack.tenantUrl, app.client_id, app.client_secret);
    const first = await leaky().login(demoEndUser(45).email, 'Leaky Phone');
    const second = await leaky().login(demoEndUser(46).email, 'Leaky Laptop');
    const bystander = await endUserApp(stack.tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret).login(
      demoEndUser(45).email,
      'Other App',
    );

    const shown = await preview(app.client_id);
    expect(shown).toMatchObject({
      name: app.name,
      counts: { tokens: 2, users: 2, devices: 2 },
      has_secret: true,
      console_client: null,
    });

    // A token issued after the preview: 409 with the new preview; nothing revoked, the secret unchanged.
    const late = await leaky().login(demoEndUser(47).email, 'Leaky Tablet');
    const stale = await admin.api('POST', path(app.client_id), {
      confirm_name: app.name,
      rotate: true,
      expected: expectedOf(shown),
    });
    expect(stale.status, await stale.clone().text()).toBe(409);
    const newer = (await json(stale)).error.application_impact as Impact;
    expect(newer.counts.tokens).toBe(3);
    expect((await clientCredentials(stack.tenantUrl, app.client_id, app.client_secret)).status).toBe(200);
    expect((await exchange(app.client_id, app.client_secret, late)).status).toBe(200);
    // The name not typed: 400, nothing.
    expect(
      (
        await admin.api('POST', path(app.client_id), {
          confirm_name: 'leaky',
          rotate: true,
          expected: expectedOf(newer),
        })
      ).status,
    ).toBe(400);
    expect((await clientCredentials(stack.tenantUrl, app.client_id, app.client_secret)).status).toBe(200);

    const done = await admin.api('POST', path(app.client_id), {
      confirm_name: app.name,
      rotate: true,
      expected: expectedOf(newer),
    });
    expect(done.status, await done.clone().text()).toBe(200);
    expect(done.headers.get('cache-control')).toBe('no-store');
    const result = await json(done);
    expect(result).toMatchObject({
      client_id: app.client_id,
      name: app.name,
      revoked: { tokens: 3, users: 3 },
      rotated: true,
    });
    expect(result.client_secret).toEqual(expect.any(String));
    expect(result.client_secret).not.toBe(app.client_secret);

    expect(await clientCredentials(stack.tenantUrl, app.client_id, app.client_secret)).toMatchObject({
      status: 401,
      error: 'invalid_client',
    });
    expect((await clientCredentials(stack.tenantUrl, app.client_id, result.client_secret)).status).toBe(200);
    for (const token of [first, second, late])
      expect((await exchange(app.client_id, result.client_secret, token)).error).toBe('invalid_grant');
    // Another application's token stays.
    expect((await exchange(DEMO.clients.web.client_id, DEMO.clients.web.secret, bystander)).status).toBe(200);

    const audit = await json(await admin.api('GET', '/api/audit?action=application.leaked_secret'));
    const entry = (audit.entries as { id: string; target: string; detail: string; result: string }[]).find(
      (e) => e.id === result.audit_id,
    )!;
    expect(entry.result).toBe('success');
    expect(entry.detail).toMatch(/revoked all of them.*rotated the secret/);
    const csv = await (await admin.api('GET', '/api/audit/export.csv')).text();
    expect(csv).not.toContain(result.client_secret);
    expect(JSON.stringify(audit)).not.toContain(result.client_secret);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toContain(result.client_secret);
  });

  it('a public client has no secret: only the revocation is offered, and asking to rotate is a 400 that changes nothing', async () => {
    const token = await endUserApp(stack.tenantUrl).login(demoEndUser(48).email, 'Public Phone');
    const shown = await preview(DEMO.clients.mobile.client_id);
    expect(shown.has_secret).toBe(false);
    const refused = await admin.api('POST', path(DEMO.clients.mobile.client_id), {
      confirm_name: DEMO.clients.mobile.name,
      rotate: true,
      expected: expectedOf(shown),
    });
    expect(refused.status, await refused.clone().text()).toBe(400);
    expect((await json(refused)).error.message).toMatch(/public client: it has no secret to rotate/);
    const refresh = () =>
      fetch(`${stack.tenantUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: DEMO.clients.mobile.client_id,
          refresh_token: token,
        }),
      });
    const still = await refresh();
    expect(still.status).toBe(200);
    const rotated = ((await still.json()) as { refresh_token: string }).refresh_token;
    const revoked = await admin.api('POST', path(DEMO.clients.mobile.client_id), {
      confirm_name: DEMO.clients.mobile.name,
      rotate: false,
      expected: expectedOf(await preview(DEMO.clients.mobile.client_id)),
    });
    expect(revoked.status, await revoked.clone().text()).toBe(200);
    expect(await json(revoked)).toMatchObject({ rotated: false, client_secret: null });
    const after = await fetch(`${stack.tenantUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: DEMO.clients.mobile.client_id,
        refresh_token: rotated,
      }),
    });
    expect(((await after.json()) as { error?: string }).error).toBe('invalid_grant');
  });

  it("names the console's own applications: its sign-in app signs all staff out; its Management API app is not rotated from here", async () => {
    expect((await preview(DEMO.clients.dashboard.client_id)).console_client).toBe('sign_in');
    const management = await preview(DEMO.clients.management.client_id);
    expect(management.console_client).toBe('management');
    const refused = await admin.api('POST', path(DEMO.clients.management.client_id), {
      confirm_name: management.name,
      rotate: true,
      expected: expectedOf(management),
    });
    expect(refused.status).toBe(400);
    expect((await json(refused)).error.message).toMatch(/cut the console off/);
    // The console still works: its Management API secret is the one it has.
    expect((await admin.api('GET', '/api/applications')).status).toBe(200);
  });
});

describe('a leaked secret, with a console that may not rotate secrets', () => {
  it("refuses before revoking anything when the console's Management API token lacks update:client_keys", async () => {
    const own = await startTestStack();
    try {
      // The console's grant without update:client_keys, before the console buys its first token.
      type Grant = { id: string; scope: string[] };
      const listed = await managementCall<Grant[] | { client_grants: Grant[] }>(
        own.tenantUrl,
        'GET',
        `/client-grants?client_id=${DEMO.clients.management.client_id}`,
      );
      const grant = (Array.isArray(listed) ? listed : listed.client_grants)[0];
      await managementCall(own.tenantUrl, 'PATCH', `/client-grants/${grant!.id}`, {
        scope: grant!.scope.filter((s) => s !== 'update:client_keys'),
      });
      const ownAdmin = await own.signIn('admin');
      const app = await createConfidentialApp(own.tenantUrl, 'Leaky Scope');
      const token = await endUserApp(own.tenantUrl, app.client_id, app.client_secret).login(
        demoEndUser(49).email,
        'Scope Phone',
      );
      const res = await ownAdmin.api('POST', `${path(app.client_id)}/impact`);
      expect(res.status, await res.clone().text()).toBe(200);
      const shown = (await json(res)) as Impact;
      const refused = await ownAdmin.api('POST', path(app.client_id), {
        confirm_name: app.name,
        rotate: true,
        expected: expectedOf(shown),
      });
      expect(refused.status).toBe(502);
      expect((await json(refused)).error.message).toMatch(/lacks update:client_keys.*nothing was revoked or rotated/);
      // Nothing changed: the token and the secret still work.
      const res2 = await fetch(`${own.tenantUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: app.client_id,
          client_secret: app.client_secret,
          refresh_token: token,
        }),
      });
      expect(res2.status).toBe(200);
      expect((await clientCredentials(own.tenantUrl, app.client_id, app.client_secret)).status).toBe(200);
    } finally {
      await own.stop();
    }
  });
});
