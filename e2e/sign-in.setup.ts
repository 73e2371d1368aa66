import { DEMO } from '@rtc/tenant';
import { expect, STAFF_STATE, test } from './fixtures.ts';

for (const staff of DEMO.staff) {
  test(`${staff.role} signs in through the tenant's login page`, async ({ page, shot }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Refresh Token Console' })).toBeVisible();
    if (staff.role === 'admin') await shot('screen-sign-in');
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Email address').fill(staff.email);
    await page.getByLabel('Password').fill(staff.password);
    if (staff.role === 'admin') await shot('screen-tenant-login');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
    await expect(page.getByRole('banner').getByText(staff.name)).toBeVisible();
    await expect(page.locator('.badge-role')).toHaveText(`Role: ${staff.role}`);
    await page.context().storageState({ path: STAFF_STATE(staff.role as 'admin' | 'support' | 'viewer') });
  });
}
