import {
  confirmingPreview,
  endUserApp,
  startTestStack,
  type StaffClient,
  type StaffRole,
  type TestStack,
} from '@rtc/testkit';
import { json } from '@rtc/testkit';
import { DEMO } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let stack: TestStack;
const staff = {} as Record<StaffRole, StaffClient>;
const USER = encodeURIComponent(DEMO.sampleUser.user_id);

beforeAll(async () => {
  stack = await startTestStack();
  for (const role of ['viewer', 'support', 'admin'] as const) staff[role] = await stack.signIn(role);
});
afterAll(() => stack.stop());

type Route = { method: string; path: string | (() => Promise<string>); body?: unknown; allowed: StaffRole[] };
const all: StaffRole[] = ['viewer', 'support', 'admin'];
const revokers: StaffRole[] = ['support', 'admin'];

/** A fresh token for each destructive call, so each role's allowed call has something to act on. */
async function freshTokenId(device: string) {
  await endUserApp(stack.tenantUrl).login(DEMO.sampleUser.email, device);
  const res = await staff.admin.api('GET', `/api/users/${USER}/refresh-tokens`);
  const { tokens } = await json(res);
  return tokens.find((t: { device_name: string }) => t.device_name === device).id as string;
}

const ROUTES: Route[] = [
  { method: 'GET', path: '/api/me', allowed: all },
  { method: 'GET', path: '/api/users?q=jane', allowed: all },
  { method: 'GET', path: `/api/users/${USER}`, allowed: all },
  { method: 'GET', path: `/api/users/${USER}/devices`, allowed: all },
  { method: 'GET', path: `/api/users/${USER}/authorized-apps`, allowed: all },
  { method: 'GET', path: `/api/users/${USER}/refresh-tokens`, allowed: all },
  { method: 'GET', path: `/api/users/${USER}/refresh-tokens/page?take=10`, allowed: all },
  { method: 'GET', path: `/api/users/${USER}/sessions`, allowed: all },
  { method: 'GET', path: `/api/users/${USER}/security-events`, allowed: all },
  { method: 'GET', path: '/api/settings', allowed: all },
  { method: 'GET', path: '/api/audit', allowed: revokers },
  { method: 'GET', path: '/api/audit/export.csv', allowed: revokers },
  {
    method: 'POST',
    path: `/api/users/${USER}/impact`,
    body: { action: 'refresh_tokens.revoke_all' },
    allowed: revokers,
  },
  {
    method: 'POST',
    path: `/api/users/${USER}/devices/unlink`,
    body: async () => {
      await endUserApp(stack.tenantUrl).login(DEMO.sampleUser.email, 'matrix-device');
      return { device_name: 'matrix-device' };
    },
    allowed: revokers,
  },
  {
    method: 'POST',
    path: `/api/users/${USER}/devices/lost`,
    body: async () => {
      await endUserApp(stack.tenantUrl).login(DEMO.sampleUser.email, 'matrix-lost-device');
      return { device_name: 'matrix-lost-device' };
    },
    allowed: revokers,
  },
  {
    method: 'DELETE',
    path: async () => `/api/users/${USER}/refresh-tokens/${await freshTokenId(`matrix-${Math.random()}`)}`,
    allowed: revokers,
  },
  {
    method: 'POST',
    path: `/api/users/${USER}/refresh-tokens/revoke-all`,
    body: { client_id: DEMO.clients.spa.client_id },
    allowed: revokers,
  },
  {
    method: 'DELETE',
    path: async () => {
      await endUserApp(stack.tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret).login(
        DEMO.sampleUser.email,
        'matrix-laptop',
      );
      const { apps } = await json(await staff.admin.api('GET', `/api/users/${USER}/authorized-apps`));
      return `/api/users/${USER}/authorized-apps/${apps.find((a: { client_id: string }) => a.client_id === DEMO.clients.web.client_id).grant_id}`;
    },
    allowed: revokers,
  },
  {
    method: 'DELETE',
    path: async () => {
      const { sessions } = await json(await staff.admin.api('GET', `/api/users/${USER}/sessions`));
      return `/api/users/${USER}/sessions/${sessions[0]?.id ?? 'none'}`;
    },
    allowed: revokers,
  },
  { method: 'PATCH', path: '/api/settings', body: { revoke_refresh_token_grant: false }, allowed: ['admin'] },
  { method: 'GET', path: '/api/search/applications', allowed: revokers },
  { method: 'GET', path: '/api/search/refresh-tokens?ip=127.0.0.1&take=5', allowed: revokers },
  { method: 'GET', path: '/api/search/sessions?ip=127.0.0.1&take=5', allowed: revokers },
  {
    method: 'POST',
    path: '/api/search/refresh-tokens/impact',
    body: { filter: { device_name: 'matrix-search' } },
    allowed: revokers,
  },
  {
    method: 'POST',
    path: '/api/search/refresh-tokens/revoke',
    body: async () => {
      // A device of its own, so the result set is one token, previewed as the dialog does.
      const filter = { device_name: `matrix-search-${Math.random().toString(36).slice(2)}` };
      await endUserApp(stack.tenantUrl).login(DEMO.sampleUser.email, filter.device_name);
      const { totals, digest } = await json(
        await staff.admin.api('POST', '/api/search/refresh-tokens/impact', { filter }),
      );
      return { filter, expected: { tokens: totals.tokens, digest }, confirm: 'REVOKE' };
    },
    allowed: revokers,
  },
  {
    method: 'POST',
    path: '/api/search/refresh-tokens/revoke',
    body: async () => {
      // Found by an application and a time range only: every token of the application since
      // then, as the Applications area revokes, so admin's alone (support may still search it).
      const last_used_from = new Date(Date.now() - 1000).toISOString();
      await endUserApp(stack.tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret).login(
        DEMO.sampleUser.email,
        `matrix-wide-${Math.random()}`,
      );
      const filter = { client_id: DEMO.clients.web.client_id, last_used_from };
      const { totals, digest } = await json(
        await staff.admin.api('POST', '/api/search/refresh-tokens/impact', { filter }),
      );
      return { filter, expected: { tokens: totals.tokens, digest }, confirm: 'REVOKE' };
    },
    allowed: ['admin'],
  },
  { method: 'POST', path: '/api/search/sessions/impact', body: { filter: { ip: '127.0.0.1' } }, allowed: revokers },
  {
    method: 'POST',
    path: '/api/search/sessions/revoke',
    body: async () => {
      // A session of its own (a browser agent no other has), previewed as the dialog does: an
      // empty result set is a 400, nothing to revoke.
      const filter = { user_agent: `matrix-agent-${Math.random().toString(36).slice(2)}` };
      await endUserApp(stack.tenantUrl).loginWithBrowser(DEMO.sampleUser.email, 'matrix-session', {
        userAgent: filter.user_agent,
      });
      const { totals, digest } = await json(await staff.admin.api('POST', '/api/search/sessions/impact', { filter }));
      return { filter, expected: { sessions: totals.sessions, digest }, confirm: 'REVOKE' };
    },
    allowed: revokers,
  },
];

describe('every route for every role', () => {
  for (const route of ROUTES) {
    for (const role of all) {
      const allowed = route.allowed.includes(role);
      it(`${route.method} ${typeof route.path === 'string' ? route.path : '(generated path)'} as ${role}: ${allowed ? 'allowed' : '403'}`, async () => {
        const path = typeof route.path === 'string' ? route.path : await route.path();
        const body = typeof route.body === 'function' ? await route.body() : route.body;
        // Destructive actions run only on a confirmed preview: confirm it, as the dashboard does.
        const res = await confirmingPreview(
          staff[role],
          route.method,
          path,
          body as Record<string, unknown> | undefined,
        );
        if (allowed) {
          expect(res.status, await res.clone().text()).toBeLessThan(300);
        } else {
          expect(res.status).toBe(403);
          expect((await json(res)).error.code).toBe('forbidden');
        }
      });
    }
  }
});

describe('CSRF', () => {
  const unlink = (client: StaffClient, headers: Record<string, string>) =>
    client.browser.fetch(`${stack.bffUrl}/api/users/${USER}/refresh-tokens/revoke-all`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ client_id: DEMO.clients.spa.client_id }),
    });

  it('refuses a state-changing request without the CSRF token', async () => {
    const res = await unlink(staff.support, { origin: new URL(stack.bffUrl).origin });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('csrf_token');
  });

  it('refuses a wrong CSRF token, or one of another session', async () => {
    expect(
      (await unlink(staff.support, { origin: new URL(stack.bffUrl).origin, 'x-csrf-token': 'guess' })).status,
    ).toBe(403);
    expect(
      (await unlink(staff.support, { origin: new URL(stack.bffUrl).origin, 'x-csrf-token': staff.admin.csrf })).status,
    ).toBe(403);
  });

  it('refuses a cross-origin or origin-less request even with the token', async () => {
    const evil = await unlink(staff.support, { origin: 'https://evil.test', 'x-csrf-token': staff.support.csrf });
    expect(evil.status).toBe(403);
    expect((await json(evil)).error.code).toBe('csrf_origin');
    expect((await unlink(staff.support, { 'x-csrf-token': staff.support.csrf })).status).toBe(403);
  });

  it('lets a same-origin request with the token through', async () => {
    // Past CSRF the action itself answers: 409 with the preview, as it runs only on a confirmed one.
    const res = await unlink(staff.support, {
      origin: new URL(stack.bffUrl).origin,
      'x-csrf-token': staff.support.csrf,
    });
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe('impact_changed');
  });
});

describe('security headers', () => {
  it('are on every response: API, auth, errors, 404s', async () => {
    for (const res of [
      await staff.viewer.api('GET', '/api/me'),
      await fetch(`${stack.bffUrl}/api/me`),
      await fetch(`${stack.bffUrl}/auth/login`, { redirect: 'manual' }),
      await staff.viewer.api('GET', '/api/nope'),
      await fetch(`${stack.bffUrl}/health`),
    ]) {
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
  });
});
