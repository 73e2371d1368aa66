import { endUserApp, startTestStack, type StaffClient, type TestStack } from '@rtc/testkit';
import { confirmingPreview, json } from '@rtc/testkit';
import { DEMO } from '@rtc/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

let stack: TestStack;
let support: StaffClient;
let admin: StaffClient;
const USER = encodeURIComponent(DEMO.sampleUser.user_id);
const EMAIL = DEMO.sampleUser.email;
const mobile = () => endUserApp(stack.tenantUrl);
const web = () => endUserApp(stack.tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret);
const withApi = { audience: DEMO.api.identifier, scope: 'openid offline_access read:orders' };

beforeAll(async () => {
  stack = await startTestStack();
  support = await stack.signIn('support');
  admin = await stack.signIn('admin');
});
afterAll(() => stack.stop());

const setFlag = async (on: boolean) =>
  expect((await admin.api('PATCH', '/api/settings', { revoke_refresh_token_grant: on })).status).toBe(200);
beforeEach(() => setFlag(false));

/** The newest audit entry for an action. */
async function lastAudit(action: string) {
  const { entries } = await json(await support.api('GET', `/api/audit?action=${action}&per_page=1`));
  return entries[0];
}

describe('unlink a device', () => {
  it("revokes every token on that device; the user's other devices keep working; audited", async () => {
    const phoneMobile = await mobile().login(EMAIL, 'Test Phone', withApi);
    const phoneWeb = await web().login(EMAIL, 'Test Phone');
    const tablet = await mobile().login(EMAIL, 'Test Tablet', withApi);

    const { devices } = await json(await support.api('GET', `/api/users/${USER}/devices`));
    const phone = devices.find((d: { name: string }) => d.name === 'Test Phone');
    expect(phone).toMatchObject({ token_count: 2 });
    expect(phone.applications.map((a: { name: string }) => a.name).sort()).toEqual(['Acme Mobile', 'Acme Web']);

    const res = await confirmingPreview(support, 'POST', `/api/users/${USER}/devices/unlink`, {
      device_name: 'Test Phone',
    });
    expect(res.status).toBe(200);
    expect((await json(res)).revoked_token_ids).toHaveLength(2);

    expect((await mobile().refresh(phoneMobile)).status).toBe(403);
    expect((await web().refresh(phoneWeb)).status).toBe(403);
    expect((await mobile().refresh(tablet)).status).toBe(200);
    const after = await json(await support.api('GET', `/api/users/${USER}/devices`));
    expect(after.devices.map((d: { name: string }) => d.name)).not.toContain('Test Phone');

    expect(await lastAudit('device.unlink')).toMatchObject({
      actor: { name: 'Sam Support', role: 'support' },
      target_user_id: DEMO.sampleUser.user_id,
      target: 'device "Test Phone"',
      result: 'success',
    });
  });

  it('previews, with the setting on, the grant it deletes and the tokens on other devices that go with it', async () => {
    await setFlag(true);
    await mobile().login(EMAIL, 'Preview Phone', withApi);
    await mobile().login(EMAIL, 'Preview Phone', withApi);
    const other = await mobile().login(EMAIL, 'Preview Pixel', withApi);
    const unrelated = await web().login(EMAIL, 'Preview Laptop');

    const impact = await json(
      await support.api('POST', `/api/users/${USER}/impact`, { action: 'device.unlink', device_name: 'Preview Phone' }),
    );
    expect(impact.setting_deletes_grant).toBe(true);
    expect(impact.tokens.filter((t: { via: string }) => t.via === 'target')).toHaveLength(2);
    expect(impact.grants).toEqual([expect.objectContaining({ client_name: 'Acme Mobile', api_name: 'Acme API' })]);
    const more = impact.tokens.filter((t: { via: string }) => t.via === 'grant');
    expect(more.map((t: { device_name: string }) => t.device_name)).toContain('Preview Pixel');

    await confirmingPreview(support, 'POST', `/api/users/${USER}/devices/unlink`, { device_name: 'Preview Phone' });
    // What the preview said is what happened, at the tenant.
    expect((await mobile().refresh(other)).status).toBe(403);
    expect((await web().refresh(unrelated)).status).toBe(200);
  });

  it("previews, with the setting off, only the device's own tokens", async () => {
    await mobile().login(EMAIL, 'Quiet Phone', withApi);
    await mobile().login(EMAIL, 'Quiet Pixel', withApi);
    const impact = await json(
      await support.api('POST', `/api/users/${USER}/impact`, { action: 'device.unlink', device_name: 'Quiet Phone' }),
    );
    expect(impact).toMatchObject({ setting_deletes_grant: false, grants: [] });
    expect(impact.tokens).toHaveLength(1);
  });

  it('answers 404 for a device the user does not have, and 400 for a bad body', async () => {
    expect(
      (await support.api('POST', `/api/users/${USER}/devices/unlink`, { device_name: 'No Such Device' })).status,
    ).toBe(404);
    for (const body of [{}, { device_name: '' }, { device_name: 'x'.repeat(300) }, { device_name: 42 }]) {
      const res = await support.api('POST', `/api/users/${USER}/devices/unlink`, body);
      expect(res.status).toBe(400);
      expect((await json(res)).error.fields).toBeDefined();
    }
    const notJson = await support.api('POST', `/api/users/${USER}/devices/unlink`, undefined, {
      'content-type': 'text/plain',
    });
    expect(notJson.status).toBe(400);
  });
});

describe('authorized applications', () => {
  it('lists grants with names, scopes and token counts; revoking one kills all its tokens only', async () => {
    const a = await web().login(EMAIL, 'Grant Laptop');
    const b = await web().login(EMAIL, 'Grant Desktop');
    const keep = await mobile().login(EMAIL, 'Grant Phone', withApi);
    const { apps } = await json(await support.api('GET', `/api/users/${USER}/authorized-apps`));
    const webApp = apps.find((x: { client_id: string }) => x.client_id === DEMO.clients.web.client_id);
    expect(webApp).toMatchObject({ client_name: 'Acme Web', api_name: 'User profile (OpenID Connect)' });
    expect(webApp.token_count).toBeGreaterThanOrEqual(2);
    expect(webApp.device_names).toEqual(expect.arrayContaining(['Grant Laptop', 'Grant Desktop']));

    const res = await confirmingPreview(support, 'DELETE', `/api/users/${USER}/authorized-apps/${webApp.grant_id}`);
    expect(res.status).toBe(200);
    expect((await web().refresh(a)).status).toBe(403);
    expect((await web().refresh(b)).status).toBe(403);
    expect((await mobile().refresh(keep)).status).toBe(200);
    expect(await lastAudit('grant.revoke')).toMatchObject({
      result: 'success',
      target: 'grant of Acme Web for User profile (OpenID Connect)',
    });
    expect(
      (await confirmingPreview(support, 'DELETE', `/api/users/${USER}/authorized-apps/${webApp.grant_id}`)).status,
    ).toBe(404);
  });
});

describe('refresh tokens', () => {
  it('lists full detail, revokes one, then all of one application, then all', async () => {
    const one = await mobile().login(EMAIL, 'RT One', withApi);
    const two = await mobile().login(EMAIL, 'RT Two', withApi);
    const laptop = await web().login(EMAIL, 'RT Laptop');
    const { tokens } = await json(await support.api('GET', `/api/users/${USER}/refresh-tokens`));
    const first = tokens.find((t: { device_name: string }) => t.device_name === 'RT One');
    expect(first).toMatchObject({
      client_name: 'Acme Mobile',
      rotating: true,
      resource_servers: [{ api_name: 'Acme API', scopes: ['openid', 'offline_access', 'read:orders'] }],
    });
    expect(first.device.initial_ip).toBe('127.0.0.1');
    expect(JSON.stringify(tokens)).not.toContain(one);

    expect((await confirmingPreview(support, 'DELETE', `/api/users/${USER}/refresh-tokens/${first.id}`)).status).toBe(
      200,
    );
    expect((await mobile().refresh(one)).status).toBe(403);
    expect((await mobile().refresh(two)).status).toBe(200);
    expect(await lastAudit('refresh_token.revoke')).toMatchObject({
      target: 'refresh token of Acme Mobile on RT One',
      result: 'success',
    });

    expect(
      (
        await confirmingPreview(support, 'POST', `/api/users/${USER}/refresh-tokens/revoke-all`, {
          client_id: DEMO.clients.mobile.client_id,
        })
      ).status,
    ).toBe(200);
    expect((await mobile().refresh(two)).status).toBe(403);
    expect((await web().refresh(laptop)).status).toBe(200);

    expect((await confirmingPreview(support, 'POST', `/api/users/${USER}/refresh-tokens/revoke-all`, {})).status).toBe(
      200,
    );
    expect((await web().refresh(laptop)).status).toBe(403);
    expect(await lastAudit('refresh_tokens.revoke_all')).toMatchObject({
      target: 'all refresh tokens',
      result: 'success',
    });
  });

  it("answers 404 for another user's token, and the token survives", async () => {
    const { users } = await json(await support.api('GET', '/api/users?q=example.com&per_page=5'));
    const other = users.find((u: { user_id: string }) => u.user_id !== DEMO.sampleUser.user_id);
    const theirs = await mobile().login(other.email, 'Not Jane');
    const { tokens } = await json(
      await support.api('GET', `/api/users/${encodeURIComponent(other.user_id)}/refresh-tokens`),
    );
    const target = tokens.find((t: { device_name: string }) => t.device_name === 'Not Jane');
    expect((await support.api('DELETE', `/api/users/${USER}/refresh-tokens/${target.id}`)).status).toBe(404);
    expect((await mobile().refresh(theirs)).status).toBe(200);
  });
});

describe('sessions', () => {
  it('revoking a session revokes the refresh tokens bound to it', async () => {
    const inSession = await mobile().loginWithBrowser(EMAIL, 'Session Phone', withApi);
    const outside = await mobile().login(EMAIL, 'Session Tablet', withApi);
    const { sessions } = await json(await support.api('GET', `/api/users/${USER}/sessions`));
    const session = sessions.find((s: { id: string }) => s.id === inSession.sessionId);
    expect(session).toMatchObject({
      token_count: 1,
      applications: [{ name: 'Acme Mobile' }],
      authentication_methods: ['pwd'],
    });
    const res = await confirmingPreview(support, 'DELETE', `/api/users/${USER}/sessions/${session.id}`);
    expect(res.status).toBe(200);
    expect((await json(res)).revoked_token_ids).toHaveLength(1);
    expect((await mobile().refresh(inSession.refreshToken)).status).toBe(403);
    expect((await mobile().refresh(outside)).status).toBe(200);
    const after = await json(await support.api('GET', `/api/users/${USER}/sessions`));
    expect(after.sessions.map((s: { id: string }) => s.id)).not.toContain(session.id);
    expect(await lastAudit('session.revoke')).toMatchObject({ result: 'success' });
  });
});

describe('tenant settings', () => {
  it('toggles Refresh Token Revocation Deletes Grant at the tenant, audited with before and after', async () => {
    await setFlag(true);
    expect(await json(await support.api('GET', '/api/settings'))).toEqual({ revoke_refresh_token_grant: true });
    expect(await lastAudit('settings.update')).toMatchObject({
      actor: { role: 'admin' },
      detail: 'Refresh Token Revocation Deletes Grant: off -> on',
    });
    for (const body of [{}, { revoke_refresh_token_grant: 'yes' }, { revoke_refresh_token_grant: true, other: 1 }]) {
      expect((await admin.api('PATCH', '/api/settings', body)).status).toBe(400);
    }
  });
});

describe('bad input and unknown ids', () => {
  it('answers unknown users and ids with 404 and bad queries with 400, never a 500', async () => {
    expect((await support.api('GET', '/api/users/auth0%7Cnobody')).status).toBe(404);
    expect((await support.api('GET', '/api/users/auth0%7Cnobody/devices')).status).toBe(404);
    expect((await support.api('DELETE', `/api/users/${USER}/refresh-tokens/nope`)).status).toBe(404);
    expect((await support.api('DELETE', `/api/users/${USER}/sessions/nope`)).status).toBe(404);
    for (const q of ['page=-1', 'per_page=0', 'per_page=1000', 'page=abc', `q=${'x'.repeat(300)}`]) {
      const res = await support.api('GET', `/api/users?${q}`);
      expect(res.status, q).toBe(400);
    }
    expect((await support.api('POST', `/api/users/${USER}/impact`, { action: 'explode' })).status).toBe(400);
    const huge = await support.api('POST', `/api/users/${USER}/devices/unlink`, { device_name: 'x'.repeat(70_000) });
    expect(huge.status).toBe(413);
    expect((await support.api('GET', '/api/audit?from=yesterday')).status).toBe(400);
    // Lucene syntax is neutralised, not passed through.
    expect((await support.api('GET', `/api/users?q=${encodeURIComponent('email:"*" OR name:(a)')}`)).status).toBe(200);
  });
});

describe('audit log', () => {
  it('filters by staff member, user, action and time, and exports CSV', async () => {
    const byAdmin = await json(await support.api('GET', '/api/audit?actor=auth0%7Cstaff-admin'));
    // Not vacuous: the admin's settings change above is in the log.
    expect(byAdmin.entries.length).toBeGreaterThan(0);
    expect(byAdmin.entries.every((e: { actor: { role: string } }) => e.actor.role === 'admin')).toBe(true);
    const byUser = await json(await support.api('GET', `/api/audit?user_id=${USER}`));
    expect(byUser.total).toBeGreaterThan(0);
    const future = await json(
      await support.api('GET', `/api/audit?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`),
    );
    expect(future.entries).toEqual([]);
    const csv = await support.api('GET', '/api/audit/export.csv?action=device.unlink');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="audit-log-/);
    const text = await csv.text();
    expect(text.split('\r\n')[0]).toBe(
      'at,actor_name,actor_sub,actor_role,action,target_user_id,target,result,detail,request_id',
    );
    expect(text).toContain('device.unlink');
    expect(text).toContain('"device ""Test Phone"""');
  });
});
