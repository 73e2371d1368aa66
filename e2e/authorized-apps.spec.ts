import { expect, openUser, STAFF_STATE, test } from './fixtures.ts';

test.use({ storageState: STAFF_STATE('viewer') });

test('authorized applications invent no grant date: they show the oldest live token, labelled as such', async ({
  page,
  customer,
}) => {
  await customer.login('Grant Date Laptop', 'web');
  // The mobile app's only token is revoked by the app itself ("Deletes Grant" off): its grant stays, with no live token.
  const mobile = await customer.login('Grant Date Phone', 'mobile');
  expect((await customer.app('mobile').revoke(mobile)).status).toBe(200);
  await openUser(page, customer, 'Authorized Applications');
  const table = page.getByRole('table', { name: 'Authorized applications of this user' });
  await expect(table.getByRole('columnheader', { name: 'Granted' })).toHaveCount(0);
  await expect(table.getByRole('columnheader', { name: /Oldest live refresh token/ })).toBeVisible();
  await expect(page.getByText('The Management API does not say when a grant was made.')).toBeVisible();
  await expect(table.getByRole('row', { name: /^Acme Mobile User profile/ })).toContainText('None live');
  await expect(table.getByRole('row', { name: /Acme Web/ })).not.toContainText('None live');
  await expect(table).not.toContainText('Unknown');
});
