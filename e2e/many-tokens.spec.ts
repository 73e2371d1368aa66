import { expect, openUser, STAFF_STATE, test } from './fixtures.ts';

test.use({ storageState: STAFF_STATE('support') });

/**
 * A user with more refresh tokens than one page: the tab lists them as the tenant pages them,
 * one Management API page per screen, instead of loading every token first.
 */
test('more than 100 tokens: paged on the server, revoke one on page 2, filter by application, revoke all of it as the table turns sortable', async ({
  page,
  customer,
  axe,
}) => {
  for (let batch = 0; batch < 11; batch++) {
    const web = batch % 2 === 1;
    await Promise.all(
      Array.from({ length: 10 }, () => customer.login(web ? 'Busy Laptop' : 'Busy Phone', web ? 'web' : 'mobile')),
    );
  }
  // The newest token: ids sort by creation, so it is on the last page.
  const newest = await customer.login('Page Two Tablet', 'mobile');

  await openUser(page, customer, 'Refresh Tokens');
  await expect(page.getByRole('note')).toContainText('more than 100 refresh tokens');
  const table = page.getByRole('table', { name: 'Refresh tokens of this user' });
  await expect(table.getByRole('row')).toHaveCount(101); // the header and 100 tokens
  await expect(table.getByRole('row', { name: /Page Two Tablet/ })).toHaveCount(0);
  await axe();

  const pager = page.getByRole('navigation', { name: 'Refresh token pages' });
  await pager.getByRole('button', { name: 'Next' }).click();
  await expect(pager).toContainText('Page 2 (the last)');
  await expect(pager.getByRole('button', { name: 'Next' })).toBeDisabled();
  const tablet = table.getByRole('row', { name: /Page Two Tablet/ });
  await tablet.getByRole('button', { name: /^Revoke/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke this refresh token?' });
  await expect(dialog.getByTestId('impact')).toContainText('Acme Mobile on Page Two Tablet');
  await dialog.getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Done.' })).toBeVisible();
  expect(await customer.exchanges(newest)).toBe(false);
  await expect(tablet).toHaveCount(0);

  await pager.getByRole('button', { name: 'Previous' }).click();
  await expect(pager).toContainText('Page 1');
  await expect(table.getByRole('row')).toHaveCount(101);

  // The application filter runs on the tenant: every row shown is Acme Web's.
  await page.getByRole('combobox', { name: 'Application' }).selectOption({ label: 'Acme Web' });
  await expect(page).toHaveURL(/app=acme-web/);
  await expect(table.getByRole('row', { name: /Acme Mobile/ })).toHaveCount(0);
  await expect(table.getByRole('row', { name: /Busy Laptop/ }).first()).toBeVisible();
  await expect.poll(async () => (await table.getByRole('row').count()) - 1).toBeGreaterThanOrEqual(50);

  // Revoking every Acme Web token leaves fewer than 100: the table turns to the sortable one,
  // and the action's result stays on screen through the change.
  await page.getByRole('button', { name: 'Revoke every Acme Web token' }).click();
  const bulk = page.getByRole('dialog', { name: /Revoke every Acme Web token/ });
  await expect(bulk.getByTestId('impact')).toContainText(/This revokes all \d+ refresh tokens/);
  const word = bulk.getByRole('textbox', { name: /^Type REVOKE/ });
  if (await word.count()) await word.fill('REVOKE');
  await bulk.getByRole('button', { name: 'Revoke every Acme Web token' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Done.' })).toBeVisible();
  await page.getByRole('combobox', { name: 'Application' }).selectOption({ label: 'All applications' });
  await expect(page.getByRole('combobox', { name: 'Device' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Done.' })).toBeVisible();
  await expect(page.getByRole('note')).toHaveCount(0);

  await page.getByRole('combobox', { name: 'Device' }).selectOption('Busy Phone');
  await expect(page.getByRole('button', { name: 'Revoke these 60 tokens' })).toBeVisible();
  await table.getByRole('button', { name: 'Created' }).click();
  await expect(table.getByRole('columnheader', { name: 'Created' })).toHaveAttribute(
    'aria-sort',
    /ascending|descending/,
  );
});

test('more than 100 tokens: "Load every token" turns the table into the sortable one, filtered by device', async ({
  page,
  customer,
}) => {
  for (let batch = 0; batch < 10; batch++)
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        customer.login(i % 2 ? 'Many Laptop' : 'Many Phone', i % 2 ? 'web' : 'mobile'),
      ),
    );
  await customer.login('Many Phone', 'mobile');
  await openUser(page, customer, 'Refresh Tokens');
  await expect(page.getByRole('note')).toContainText('more than 100 refresh tokens');
  await page.getByRole('button', { name: 'Load every token to sort and filter by device' }).click();
  await page.getByRole('combobox', { name: 'Device' }).selectOption('Many Laptop');
  await expect(page.getByRole('button', { name: 'Revoke these 50 tokens' })).toBeVisible();
});
