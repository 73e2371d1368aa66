import { DEMO, json, startTestStack, type StaffClient, type TestStack } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Staff accounts live in the same tenant as end users. The BFF marks each user with
 * the console role the tenant holds for them (the roles claim in app_metadata.custom_claims),
 * so the users list and the user's header can say "Staff".
 */
let stack: TestStack;
let viewer: StaffClient;
beforeAll(async () => {
  stack = await startTestStack();
  viewer = await stack.signIn('viewer');
});
afterAll(() => stack.stop());

describe('staff accounts are marked with their console role', () => {
  it('the search results give each staff account its role and every end user none', async () => {
    const { users } = await json(await viewer.api('GET', '/api/users?q=console.test&per_page=100'));
    for (const staff of DEMO.staff)
      expect(users.find((u: { email: string }) => u.email === staff.email)).toMatchObject({ console_role: staff.role });

    const { users: customers } = await json(
      await viewer.api('GET', `/api/users?q=${encodeURIComponent(DEMO.sampleUser.email)}`),
    );
    expect(customers).toHaveLength(1);
    expect(customers[0].console_role).toBeNull();
  });

  it("one user's page carries the role too", async () => {
    const admin = DEMO.staff.find((s) => s.role === 'admin')!;
    expect(await json(await viewer.api('GET', `/api/users/${encodeURIComponent(admin.user_id)}`))).toMatchObject({
      console_role: 'admin',
    });
    expect(
      await json(await viewer.api('GET', `/api/users/${encodeURIComponent(DEMO.sampleUser.user_id)}`)),
    ).toMatchObject({ console_role: null });
  });
});
