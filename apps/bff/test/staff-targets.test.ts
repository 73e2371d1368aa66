import { confirmingPreview, DEMO, json, startTestStack, type StaffClient, type TestStack } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A staff member's own credentials are the console's keys: support may look at them, but only
 * an admin may revoke, unlink or end anything of a user who holds a console role. Each
 * refusal is recorded in the audit log.
 */

let stack: TestStack;
let admin: StaffClient;
let support: StaffClient;

beforeAll(async () => {
  stack = await startTestStack();
  // Each sign-in leaves the staff member a refresh token, a grant and a session at the tenant.
  [admin, support] = await Promise.all([stack.signIn('admin'), stack.signIn('support')]);
  await stack.signIn('viewer');
});
afterAll(() => stack.stop());

const staffMember = (role: 'admin' | 'viewer') => DEMO.staff.find((s) => s.role === role)!;
const userPath = (userId: string) => `/api/users/${encodeURIComponent(userId)}`;

/** Every destructive per-user action there is, aimed at what the user holds now. */
async function destructiveActions(
  reader: StaffClient,
  userId: string,
): Promise<[string, string, Record<string, unknown>?][]> {
  const path = userPath(userId);
  const { tokens } = await json(await reader.api('GET', `${path}/refresh-tokens`));
  const { sessions } = await json(await reader.api('GET', `${path}/sessions`));
  const { apps } = await json(await reader.api('GET', `${path}/authorized-apps`));
  const { devices } = await json(await reader.api('GET', `${path}/devices`));
  expect(
    [tokens.length, sessions.length, apps.length, devices.length].every((n) => n > 0),
    'the staff member holds a token, a session, a grant and a device',
  ).toBe(true);
  return [
    ['POST', `${path}/refresh-tokens/revoke-all`, {}],
    ['DELETE', `${path}/refresh-tokens/${encodeURIComponent(tokens[0].id)}`],
    ['DELETE', `${path}/sessions/${encodeURIComponent(sessions[0].id)}`],
    ['DELETE', `${path}/authorized-apps/${encodeURIComponent(apps[0].grant_id)}`],
    ['POST', `${path}/devices/unlink`, { device_name: devices[0].name }],
    ['POST', `${path}/devices/lost`, { device_name: devices[0].name }],
  ];
}

describe('actions on a staff member', () => {
  it('support may not revoke, unlink or end anything of a staff member: 403 saying an admin must, nothing revoked, each refusal audited', async () => {
    const target = staffMember('admin');
    const before = await json(await support.api('GET', `${userPath(target.user_id)}/refresh-tokens`));
    const actions = await destructiveActions(support, target.user_id);
    for (const [method, path, body] of actions) {
      const res = await confirmingPreview(support, method, path, body);
      expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBe(403);
      const { error } = await json(res);
      expect(error.code).toBe('forbidden');
      expect(error.message).toMatch(/Only an admin may revoke, unlink or end the credentials of a staff member/);
      expect(error.message).toContain('admin');
    }
    // Nothing of theirs went: the admin's console session still works on the same refresh token.
    const after = await json(await support.api('GET', `${userPath(target.user_id)}/refresh-tokens`));
    expect(after.tokens.map((t: { id: string }) => t.id).sort()).toEqual(
      before.tokens.map((t: { id: string }) => t.id).sort(),
    );
    expect((await admin.api('GET', '/api/me')).status).toBe(200);

    const { entries } = await json(
      await admin.api('GET', `/api/audit?user_id=${encodeURIComponent(target.user_id)}&result=refused`),
    );
    expect(entries.length).toBe(actions.length);
    for (const entry of entries) {
      expect(entry).toMatchObject({ result: 'refused', actor: { role: 'support' }, target_user_id: target.user_id });
      expect(entry.detail).toMatch(/holds the console role admin/);
    }
    expect(entries.map((e: { action: string }) => e.action).sort()).toEqual([
      'device.lost',
      'device.unlink',
      'grant.revoke',
      'refresh_token.revoke',
      'refresh_tokens.revoke_all',
      'session.revoke',
    ]);
  });

  it('the same for a user holding the viewer role; an admin may act on them', async () => {
    const target = staffMember('viewer');
    const path = `${userPath(target.user_id)}/refresh-tokens/revoke-all`;
    const refused = await confirmingPreview(support, 'POST', path, {});
    expect(refused.status).toBe(403);
    expect((await json(refused)).error.message).toMatch(/holds the console role viewer/);
    const done = await confirmingPreview(admin, 'POST', path, {});
    expect(done.status, await done.clone().text()).toBe(200);
    expect((await json(done)).revoked_token_ids.length).toBeGreaterThan(0);
  });
});
