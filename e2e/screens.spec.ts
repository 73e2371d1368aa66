import { expect, openUser, STAFF_STATE, test } from './fixtures.ts';

test.use({ storageState: STAFF_STATE('admin') });

test('every screen passes axe with no serious or critical violation, and is kept as a screenshot', async ({
  page,
  customer,
  shot,
  axe,
}) => {
  await customer.login('Screen Phone', 'mobile');
  await customer.login('Screen Laptop', 'web');
  await page.goto('/users');
  await expect(page.getByRole('table', { name: 'Users matching the search' }).getByRole('row').nth(5)).toBeVisible();
  await axe();
  await shot('screen-users');

  await openUser(page, customer);
  await expect(page.getByRole('heading', { name: 'Details' })).toBeVisible();
  await axe();
  await shot('screen-user-details');
  for (const [tab, name] of [
    ['Devices', 'screen-devices'],
    ['Authorized Applications', 'screen-authorized-applications'],
    ['Refresh Tokens', 'screen-user-refresh-tokens'],
    ['Sessions', 'screen-sessions'],
  ] as const) {
    await page.getByRole('navigation', { name: 'User sections' }).getByRole('link', { name: tab }).click();
    await expect(page.getByRole('heading', { level: 2, name: tab })).toBeVisible();
    await expect(page.getByRole('status', { name: /Loading/ })).toHaveCount(0);
    await axe();
    await shot(name);
  }

  await page.getByRole('navigation', { name: 'User sections' }).getByRole('link', { name: 'Devices' }).click();
  await page.getByRole('button', { name: 'Unlink Screen Phone' }).click();
  await expect(page.getByTestId('impact')).toBeVisible();
  await axe();
  await shot('screen-unlink-confirmation');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('button', { name: 'Unlink Screen Phone' })).toBeFocused();

  await page.getByRole('link', { name: 'Tenant Settings' }).click();
  await expect(page.getByRole('switch', { name: 'Refresh Token Revocation Deletes Grant' })).toBeVisible();
  await axe();
  await shot('screen-tenant-settings');

  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await axe();
  await shot('screen-audit-log');

  await page.setViewportSize({ width: 1280, height: 800 });
  await openUser(page, customer, 'Refresh Tokens');
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, 'no horizontal scroll at laptop width').toBeLessThanOrEqual(0);
  await shot('screen-laptop-width');
});
