import {
  confirmingPreview,
  DEMO,
  demoEndUser,
  endUserApp,
  json,
  managementCall,
  startTestStack,
  type StaffClient,
  type TestStack,
} from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { consoleBehindProxy } from './console-behind-proxy.ts';

/**
 * A user's History and Revoked views: the tenant's log and revocation records, joined with
 * the console's audit log so a staff member sees who on the staff did what.
 */

let stack: TestStack;
let support: StaffClient;
let viewer: StaffClient;
let admin: StaffClient;

beforeAll(async () => {
  stack = await startTestStack();
  [support, viewer, admin] = await Promise.all([
    stack.signIn('support'),
    stack.signIn('viewer'),
    stack.signIn('admin'),
  ]);
});
afterAll(() => stack.stop());

interface Entry {
  type: string;
  kind: string;
  label: string;
  client_name: string | null;
  device_name: string | null;
  refresh_token_id: string | null;
  staff: { name: string; role: string; action: string; audit_id: string } | null;
}

describe('GET /api/users/{id}/history and /revoked', () => {
  it('shows sign-ins, exchanges and a staff revocation newest first, with who did it; the revoked token stays visible with its way in', async () => {
    const user = demoEndUser(31);
    const id = encodeURIComponent(user.user_id);
    const app = endUserApp(stack.tenantUrl);
    const phone = await app.login(user.email, 'History Phone');
    await app.login(user.email, 'History Tablet');
    expect((await app.refresh(phone)).status).toBe(200);

    const unlinked = await confirmingPreview(support, 'POST', `/api/users/${id}/devices/unlink`, {
      device_name: 'History Phone',
    });
    expect(unlinked.status).toBe(200);
    const { revoked_token_ids, audit_id } = await json(unlinked);
    expect(revoked_token_ids).toHaveLength(1);

    // Another staff member, read-only, looks.
    const history = await viewer.api('GET', `/api/users/${id}/history?per_page=25`);
    expect(history.status).toBe(200);
    const { entries, total } = (await json(history)) as { entries: Entry[]; total: number };
    expect(total).toBeGreaterThanOrEqual(4);
    const revocation = entries.find((e) => e.type === 'sapi' && e.refresh_token_id === revoked_token_ids[0]);
    expect(revocation).toMatchObject({
      kind: 'revocation',
      label: 'Revoke a refresh token',
      client_name: DEMO.clients.mobile.name,
      device_name: 'History Phone',
      staff: { name: 'Sam Support', role: 'support', action: 'device.unlink', audit_id },
    });
    expect(entries[0]).toBe(revocation);
    expect(entries.filter((e) => e.type === 's').map((e) => e.staff)).toEqual([null, null]);
    expect(entries.some((e) => e.type === 'sertft' && e.device_name === 'History Phone')).toBe(true);

    // Paged at the tenant: one per page, the newest first.
    const first = await json(await viewer.api('GET', `/api/users/${id}/history?per_page=1`));
    expect(first).toMatchObject({ total, page: 0, per_page: 1 });
    expect(first.entries.map((e: Entry) => e.refresh_token_id)).toEqual([revoked_token_ids[0]]);

    const revoked = await json(await viewer.api('GET', `/api/users/${id}/revoked`));
    expect(revoked).toMatchObject({ source: 'tenant', retention_days: 30, note: null });
    expect(revoked.refresh_tokens).toEqual([
      expect.objectContaining({
        id: revoked_token_ids[0],
        client_name: DEMO.clients.mobile.name,
        device_name: 'History Phone',
        way: 'Device unlinked (console)',
        staff: expect.objectContaining({ name: 'Sam Support', audit_id }),
      }),
    ]);

    // The audit entry names the token's id with its application.
    const { entries: audits } = await json(await support.api('GET', `/api/audit?action=device.unlink&user_id=${id}`));
    expect(audits[0].detail).toContain(
      `refresh token ids: ${revoked_token_ids[0]} (${DEMO.clients.mobile.name}, device "History Phone")`,
    );
  });

  it('a revocation no console action names is by someone unknown, not by the staff member who acted on the user a moment before', async () => {
    const user = demoEndUser(33);
    const id = encodeURIComponent(user.user_id);
    const app = endUserApp(stack.tenantUrl);
    await app.login(user.email, 'Unknown Phone');
    await app.login(user.email, 'Unknown Tablet');
    // Another tool unlinks the tablet through the Management API itself; seconds later support unlinks the phone.
    const credentials = await managementCall<{ id: string; device_name: string }[]>(
      stack.tenantUrl,
      'GET',
      `/device-credentials?user_id=${id}&client_id=${DEMO.clients.mobile.client_id}&type=rotating_refresh_token`,
    );
    const credential = credentials.find((c) => c.device_name === 'Unknown Tablet')!;
    await managementCall(stack.tenantUrl, 'DELETE', `/device-credentials/${credential.id}`);
    const tablet = { id: credential.id.replace(/^dcr_/, '') };

    const unlinked = await confirmingPreview(support, 'POST', `/api/users/${id}/devices/unlink`, {
      device_name: 'Unknown Phone',
    });
    expect(unlinked.status).toBe(200);
    const revoked = await json(await viewer.api('GET', `/api/users/${id}/revoked`));
    expect(revoked.refresh_tokens.find((t: { id: string }) => t.id === tablet.id)).toMatchObject({
      way: 'its device was unlinked',
      staff: null,
    });
    const { entries } = (await json(await viewer.api('GET', `/api/users/${id}/history?per_page=25`))) as {
      entries: Entry[];
    };
    expect(entries.find((e) => e.type === 'sapi' && e.refresh_token_id === tablet.id)).toMatchObject({ staff: null });
    expect(entries.find((e) => e.type === 'sapi' && e.device_name === 'Unknown Phone')?.staff).toMatchObject({
      name: 'Sam Support',
    });
  });

  it("finds audit entries by a fragment of the user's name or email", async () => {
    const user = demoEndUser(32);
    const id = encodeURIComponent(user.user_id);
    await endUserApp(stack.tenantUrl).login(user.email, 'Fragment Phone');
    expect(
      (await confirmingPreview(support, 'POST', `/api/users/${id}/devices/unlink`, { device_name: 'Fragment Phone' }))
        .status,
    ).toBe(200);
    const about = async (fragment: string) => {
      const res = await support.api('GET', `/api/audit?action=device.unlink&user_id=${encodeURIComponent(fragment)}`);
      expect(res.status).toBe(200);
      return ((await json(res)).entries as { target_user_id: string }[]).map((e) => e.target_user_id);
    };
    const local = user.email.split('@')[0]!;
    expect(await about(local.slice(1, -1))).toContain(user.user_id);
    expect(await about(user.email.toUpperCase())).toContain(user.user_id);
    expect(await about(user.name.split(' ').at(-1)!)).toContain(user.user_id);
    expect(await about('no-such-person-anywhere')).toEqual([]);
    expect(new Set(await about(user.user_id))).toEqual(new Set([user.user_id]));
  });

  it("answers 404 for an unknown user, 400 for a page past Auth0's first 1,000 entries", async () => {
    expect((await viewer.api('GET', `/api/users/${encodeURIComponent('auth0|nobody')}/history`)).status).toBe(404);
    expect((await viewer.api('GET', `/api/users/${encodeURIComponent('auth0|nobody')}/revoked`)).status).toBe(404);
    expect(
      (await viewer.api('GET', `/api/users/${encodeURIComponent(demoEndUser(31).user_id)}/history?page=40`)).status,
    ).toBe(400);
  });

  // Last: it revokes every token of the web application, which the tests above do not use.
  it('lists, among the audit entries about a user, the application-wide revocation that revoked their tokens', async () => {
    const touched = demoEndUser(33);
    // A staff member's own tenant account holds no web application token.
    const untouched = { user_id: 'auth0|staff-viewer' };
    const web = endUserApp(stack.tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret);
    await web.login(touched.email, 'Web Laptop');
    const preview = await json(await admin.api('POST', `/api/applications/${DEMO.clients.web.client_id}/impact`));
    const revoked = await admin.api('POST', `/api/applications/${DEMO.clients.web.client_id}/revoke-all`, {
      confirm_name: DEMO.clients.web.name,
      expected: { ...preview.counts, issued_through: preview.issued_through },
    });
    expect(revoked.status, await revoked.clone().text()).toBe(200);
    const appWide = async (userId: string) => {
      const { entries } = await json(await support.api('GET', `/api/audit?user_id=${encodeURIComponent(userId)}`));
      return (entries as { action: string }[]).filter((e) => e.action === 'application.revoke_all_tokens').length;
    };
    // The revocation is journaled: the rows say why once the worker marked them (generous: a loaded machine).
    await vi.waitFor(async () => expect(await appWide(touched.user_id)).toBe(1), { timeout: 30_000, interval: 200 });
    expect(await appWide(untouched.user_id)).toBe(0);
    const { refresh_tokens } = await json(
      await support.api('GET', `/api/users/${encodeURIComponent(touched.user_id)}/revoked`),
    );
    expect(refresh_tokens[0]).toMatchObject({
      client_name: DEMO.clients.web.name,
      way: 'Application-wide revocation (console)',
      staff: { name: 'Ada Admin' },
    });
  });

  it('without revocation history (a real Auth0), /revoked comes from the audit log: a viewer sees what and by whom, not targets or details', async () => {
    const auth0Like = await consoleBehindProxy(stack, 'no-revocation-history', (_req, url) =>
      /^\/api\/v2\/users\/[^/]+\/revocation-history$/.test(url.pathname)
        ? Response.json({ statusCode: 404, error: 'Not Found', message: 'Not Found' }, { status: 404 })
        : undefined,
    );
    try {
      const user = demoEndUser(33);
      const id = encodeURIComponent(user.user_id);
      await endUserApp(stack.tenantUrl).login(user.email, 'Audit-only Phone');
      const unlinked = await confirmingPreview(auth0Like.support, 'POST', `/api/users/${id}/devices/unlink`, {
        device_name: 'Audit-only Phone',
      });
      expect(unlinked.status).toBe(200);

      const bySupport = await json(await auth0Like.support.api('GET', `/api/users/${id}/revoked`));
      expect(bySupport.source).toBe('audit');
      expect(bySupport.actions[0]).toMatchObject({
        action: 'device.unlink',
        actor: 'Sam Support',
        detail: expect.stringContaining('refresh token ids'),
      });

      const readOnly = await auth0Like.signIn('viewer');
      const byViewer = await json(await readOnly.api('GET', `/api/users/${id}/revoked`));
      expect(byViewer.actions[0]).toMatchObject({
        action: 'device.unlink',
        actor: 'Sam Support',
        target: '',
        detail: '',
      });
    } finally {
      await auth0Like.stop();
    }
  });
});
