import {
  Browser,
  DEMO,
  demoEndUser,
  endUserApp,
  json,
  startTestStack,
  type StaffClient,
  type TestStack,
} from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * What an investigator needs from the audit log besides the changes: who searched across
 * users and for what, who previewed what, who was refused, and who tried to sign in without
 * a console role. Reads are their own kind, filterable apart from changes.
 */

let stack: TestStack;
let admin: StaffClient;
let support: StaffClient;
let viewer: StaffClient;

beforeAll(async () => {
  stack = await startTestStack();
  [admin, support, viewer] = await Promise.all([
    stack.signIn('admin'),
    stack.signIn('support'),
    stack.signIn('viewer'),
  ]);
});
afterAll(() => stack.stop());

interface Entry {
  action: string;
  kind: string;
  result: string;
  actor: { sub: string; name: string; role: string | null };
  target: string;
  target_user_id: string | null;
  detail: string;
}
const audit = async (query: Record<string, string>): Promise<Entry[]> => {
  const res = await admin.api('GET', `/api/audit?${new URLSearchParams(query)}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await json(res)).entries;
};

describe('the audit log records reads, refusals and role-less sign-ins', () => {
  it('records searches across users and impact previews as reads, with the filter and what they found', async () => {
    const user = demoEndUser(12);
    await endUserApp(stack.tenantUrl).login(user.email, 'Audited Phone');
    expect((await support.api('GET', '/api/search/refresh-tokens?ip=127.0.0.1&device_name=Audited')).status).toBe(200);
    expect((await support.api('GET', '/api/search/sessions?ip=198.51.100.44')).status).toBe(200);
    expect(
      (await support.api('POST', '/api/search/refresh-tokens/impact', { filter: { device_name: 'Audited Phone' } }))
        .status,
    ).toBe(200);
    expect((await support.api('POST', '/api/search/sessions/impact', { filter: { ip: '198.51.100.44' } })).status).toBe(
      200,
    );
    expect(
      (
        await support.api('POST', `/api/users/${encodeURIComponent(user.user_id)}/impact`, {
          action: 'device.unlink',
          device_name: 'Audited Phone',
        })
      ).status,
    ).toBe(200);
    expect((await admin.api('POST', `/api/applications/${DEMO.clients.mobile.client_id}/impact`)).status).toBe(200);

    const [tokens] = await audit({ action: 'search.find_tokens' });
    expect(tokens).toMatchObject({ kind: 'read', result: 'success', actor: { role: 'support' } });
    expect(tokens!.target).toContain('127.0.0.1');
    expect(tokens!.detail).toMatch(/found 1 refresh token/);
    expect((await audit({ action: 'search.find_sessions' }))[0]).toMatchObject({
      kind: 'read',
      target: expect.stringContaining('198.51.100.44'),
    });
    expect((await audit({ action: 'search.preview_revoke_tokens' }))[0]).toMatchObject({
      kind: 'read',
      target: expect.stringContaining('Audited Phone'),
      detail: expect.stringContaining('1 refresh token'),
    });
    expect((await audit({ action: 'search.preview_revoke_sessions' }))[0]).toMatchObject({ kind: 'read' });
    expect((await audit({ action: 'user.preview_action' }))[0]).toMatchObject({
      kind: 'read',
      target_user_id: user.user_id,
      detail: expect.stringContaining('device.unlink'),
    });
    expect((await audit({ action: 'application.preview_revoke' }))[0]).toMatchObject({
      kind: 'read',
      actor: { role: 'admin' },
      target: expect.stringContaining(DEMO.clients.mobile.name),
    });

    // Reads filter apart from changes.
    const reads = await audit({ kind: 'read', per_page: '200' });
    expect(reads.length).toBeGreaterThanOrEqual(6);
    expect(reads.every((e) => e.kind === 'read')).toBe(true);
    expect((await audit({ kind: 'change' })).every((e) => e.kind === 'change')).toBe(true);
  });

  it('records a refused (403) request as refused, with who, what and why', async () => {
    const user = demoEndUser(13);
    expect(
      (await viewer.api('POST', `/api/users/${encodeURIComponent(user.user_id)}/refresh-tokens/revoke-all`, {})).status,
    ).toBe(403);
    expect((await support.api('PATCH', '/api/settings', { revoke_refresh_token_grant: true })).status).toBe(403);

    const refused = await audit({ result: 'refused' });
    const byViewer = refused.find((e) => e.actor.role === 'viewer')!;
    expect(byViewer).toMatchObject({
      action: 'access.refused',
      result: 'refused',
      target: `POST /api/users/${user.user_id}/refresh-tokens/revoke-all`,
      target_user_id: user.user_id,
    });
    expect(byViewer.detail).toMatch(/Your role \(viewer\) may not/);
    expect(refused.find((e) => e.actor.role === 'support' && e.target === 'PATCH /api/settings')).toMatchObject({
      action: 'access.refused',
    });
  });

  it('records a sign-in by someone without a console role, refused', async () => {
    const outsider = demoEndUser(14);
    const browser = new Browser();
    const login = await browser.navigate(`${stack.bffUrl}/auth/login`);
    const tx = /name="tx" value="([^"]+)"/.exec(await login.res.text())![1]!;
    const submitted = await browser.navigate(new URL('/u/login', login.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ tx, username: outsider.email, password: DEMO.endUserPassword }),
    });
    expect(submitted.res.status).toBe(403);
    await submitted.res.body?.cancel();

    const [entry] = await audit({ action: 'staff.sign_in', result: 'refused' });
    expect(entry).toMatchObject({
      kind: 'sign_in',
      result: 'refused',
      actor: { sub: outsider.user_id, role: null },
      target: outsider.name,
    });
    expect(entry!.detail).toMatch(/no console role/);
  });
});
