import { expect, STAFF_STATE, test } from './fixtures.ts';

test.use({ storageState: STAFF_STATE('viewer') });

test('each page has its own title; ?page=1 is the first page; "1 user"; a viewer deep-linking to /audit is told it is not allowed (defect 9)', async ({ page, customer }) => {
  await page.goto('/users?page=1');
  await expect(page.getByRole('navigation', { name: 'User pages' })).toContainText('Page 1 of');
  await expect(page).toHaveTitle('Users · Refresh Token Console');

  await page.getByRole('searchbox', { name: 'Search users' }).fill(customer.email);
  await page.getByRole('searchbox', { name: 'Search users' }).press('Enter');
  await expect(page.getByRole('navigation', { name: 'User pages' })).toContainText('1 user');
  await expect(page.getByRole('navigation', { name: 'User pages' })).not.toContainText('1 users');

  await page.goto('/audit');
  await expect(page.getByText('Your role (viewer) may not read the audit log.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Export CSV' })).toHaveCount(0);
  await expect(page).toHaveTitle('Audit log · Refresh Token Console');
});
