import { expect, STAFF_STATE, test } from './fixtures.ts';

test.use({ storageState: STAFF_STATE('support') });

test('Enter searches at once, and a result clicked at once stays open while its page loads', async ({
  page,
  customer,
}) => {
  // The user page's code arrives slowly, as on a slow network: the window the defect needs.
  await page.route(/\/assets\/user-layout-[^/]+\.js$/, async (route) => {
    await new Promise((r) => setTimeout(r, 1200));
    await route.continue();
  });
  await page.goto('/users');
  const table = page.getByRole('table', { name: 'Users matching the search' });
  await expect(table.getByRole('row').nth(3)).toBeVisible();

  const box = page.getByRole('searchbox', { name: 'Search users' });
  await box.fill(customer.email);
  await box.press('Enter');
  await expect(page).toHaveURL(new RegExp(`[?&]q=${encodeURIComponent(customer.email).replace(/\./g, '\\.')}`), {
    timeout: 200,
  });

  // Typing again, then clicking a result before the typing settles: the click wins.
  await box.fill(`${customer.email.slice(0, 3)}`);
  await page.getByRole('link', { name: customer.name }).click();
  await expect(page.getByRole('heading', { level: 1, name: customer.name })).toBeVisible();
  await page.waitForTimeout(800);
  await expect(page.getByRole('heading', { level: 1, name: customer.name })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe(`/users/${encodeURIComponent(customer.user_id)}`);
});
