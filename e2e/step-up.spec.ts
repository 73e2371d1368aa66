import { expect, test } from '@playwright/test';
import { DASHBOARD_DIST } from '@rtc/stack';
import { DEMO } from '@rtc/tenant';
import { startTestStack, type TestStack } from '@rtc/testkit';

/**
 * Step-up, end to end: an admin whose sign-in is 11 minutes old changes a tenant setting, is
 * sent to the identity provider to sign in again, comes back to the same dialog, and the
 * change applies. The journey runs a stack of its own with the real 10-minute window (the
 * shared stack keeps the setup's sign-ins recent for the whole run). "11 minutes ago" is both
 * clocks, the tenant's and the BFF's, running that far behind during the first sign-in: the
 * tenant's session and the ID token's auth_time are really that old when the clocks return.
 */

const MINUTE = 60_000;
let skew = 0;
let stack: TestStack;
const admin = DEMO.staff.find((s) => s.role === 'admin')!;

test.beforeAll(async () => {
  const now = () => Date.now() + skew;
  stack = await startTestStack({ staticDir: DASHBOARD_DIST, now, tenant: { clock: { now } } });
});
test.afterAll(() => stack?.stop());

test('an admin signed in 11 minutes ago changes a tenant setting after signing in again, back in the same dialog', async ({
  page,
}) => {
  const NAME = 'Refresh Token Revocation Deletes Grant';
  skew = -11 * MINUTE;
  await page.goto(stack.bffUrl);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.getByLabel('Email address').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  skew = 0;

  await page.goto(`${stack.bffUrl}/settings/advanced`);
  const toggle = page.getByRole('switch', { name: NAME });
  await expect(toggle).toHaveAttribute('aria-checked', 'false');
  await toggle.click();
  const dialog = page.getByRole('dialog', { name: `Turn ${NAME} on?` });
  await dialog.getByRole('button', { name: 'Turn on' }).click();
  await expect(dialog.getByTestId('step-up')).toContainText(
    'Changing a tenant setting needs a sign-in within the last 10 minutes',
  );
  // Refused before anything was written.
  expect((await (await page.request.get(`${stack.bffUrl}/api/settings`)).json()).revoke_refresh_token_grant).toBe(
    false,
  );

  await dialog.getByRole('link', { name: 'Sign in again' }).click();
  // The tenant's session is older than max_age: it asks for the password, not SSO.
  await expect(page).toHaveURL(new RegExp(`^${stack.tenantUrl}/authorize\\?.*max_age=600`));
  await page.getByLabel('Email address').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Continue' }).click();

  await expect(page).toHaveURL(`${stack.bffUrl}/settings/advanced`);
  const again = page.getByRole('dialog', { name: `Turn ${NAME} on?` });
  await expect(again).toBeVisible();
  await again.getByRole('button', { name: 'Turn on' }).click();
  await expect(again).toBeHidden();
  await expect(page.getByRole('switch', { name: NAME })).toHaveAttribute('aria-checked', 'true');
  await expect
    .poll(
      async () => (await (await page.request.get(`${stack.bffUrl}/api/settings`)).json()).revoke_refresh_token_grant,
    )
    .toBe(true);
});
