import { DEMO, demoEndUser } from '@rtc/testkit';
import { confirmingPreview, endUserApp, json, startTestStack, type StaffClient, type TestStack } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let stack: TestStack;
let support: StaffClient;
beforeAll(async () => {
  stack = await startTestStack();
  support = await stack.signIn('support');
});
afterAll(() => stack.stop());

describe('the audit log names things as they were at the time', () => {
  it('records the application, device and user email instead of bare ids, and filters by email', async () => {
    const user = demoEndUser(47);
    const path = `/api/users/${encodeURIComponent(user.user_id)}`;
    await endUserApp(stack.tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret).login(
      user.email,
      'Audit Names Laptop',
    );
    const { apps } = await json(await support.api('GET', `${path}/authorized-apps`));
    const grant = apps.find((a: { client_id: string }) => a.client_id === DEMO.clients.web.client_id);
    expect((await confirmingPreview(support, 'DELETE', `${path}/authorized-apps/${grant.grant_id}`)).status).toBe(200);

    const byEmail = await json(await support.api('GET', `/api/audit?user_id=${encodeURIComponent(user.email)}`));
    expect(byEmail.entries.length).toBeGreaterThan(0);
    const entry = byEmail.entries.find(
      (e: { action: string; result: string }) => e.action === 'grant.revoke' && e.result === 'success',
    );
    expect(entry.target_user_id).toBe(user.user_id);
    expect(entry.target).toBe('grant of Acme Web for User profile (OpenID Connect)');
    expect(entry.target).not.toContain(grant.grant_id);
    expect(entry.detail).toContain(`user ${user.email}`);
    expect(entry.detail).toContain('Audit Names Laptop');
  });
});
