import { expect, openUser, STAFF_STATE, test } from './fixtures.ts';

test.use({ storageState: STAFF_STATE('support') });

test('support unlinks a stolen phone by typing UNLINK: its tokens die, the other devices keep working', async ({
  page,
  customer,
  shot,
}) => {
  const phoneApp = await customer.login('Stolen Phone', 'mobile');
  const phoneWeb = await customer.login('Stolen Phone', 'web');
  const tablet = await customer.login('Home Tablet', 'mobile');

  await openUser(page, customer, 'Devices');
  const devices = page.getByRole('table', { name: 'Devices of this user' });
  const phone = devices.getByRole('row', { name: /Stolen Phone/ });
  await expect(phone.getByRole('cell').first()).toHaveText('2');
  const before = await devices.getByRole('row').count();

  await page.getByRole('button', { name: 'Unlink Stolen Phone' }).click();
  const dialog = page.getByRole('dialog', { name: 'Unlink Stolen Phone?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('impact')).toContainText('This revokes 2 refresh tokens on Stolen Phone.');
  await expect(dialog.getByTestId('impact')).toContainText('Refresh Token Revocation Deletes Grant is off');
  const confirm = dialog.getByRole('button', { name: 'Unlink' });
  const word = dialog.getByRole('textbox', { name: 'Type UNLINK to confirm' });
  await word.fill('UNLIN');
  await expect(confirm).toBeDisabled();
  await shot('screen-unlink-dialog');
  await word.fill('UNLINK');
  await expect(confirm).toBeEnabled();
  await confirm.click();
  await expect(dialog).toBeHidden();

  // The count updates: the device leaves the list.
  await expect(devices.getByRole('row', { name: /Stolen Phone/ })).toHaveCount(0);
  await expect(devices.getByRole('row')).toHaveCount(before - 1);
  // The result is said, and focus moves to it (not to the next row's button under the pointer).
  const summary = page.getByRole('status').filter({ hasText: 'Done.' });
  await expect(summary).toContainText('Revoked 2 refresh tokens on 1 device (Stolen Phone)');
  await expect(summary).toBeFocused();

  // The effect on the tenant itself.
  await expect.poll(() => customer.exchanges(phoneApp)).toBe(false);
  await expect.poll(() => customer.exchanges(phoneWeb, 'web')).toBe(false);
  expect(await customer.exchanges(tablet)).toBe(true);
});

test('revoking an authorized application removes its grant and all its tokens; another application keeps working', async ({
  page,
  customer,
}) => {
  const laptop = await customer.login('Laptop', 'web');
  const desktop = await customer.login('Desktop', 'web');
  const phone = await customer.login('Phone', 'mobile', {
    audience: 'https://api.acme.test/',
    scope: 'openid offline_access read:orders',
  });

  await openUser(page, customer, 'Authorized Applications');
  const table = page.getByRole('table', { name: 'Authorized applications of this user' });
  const web = table.getByRole('row', { name: /Acme Web/ });
  await expect(web).toContainText('User profile (OpenID Connect)');
  await page.getByRole('button', { name: 'Revoke Acme Web for User profile (OpenID Connect)' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke Acme Web?' });
  // The demo user may have older Acme Web tokens too: all of them go, these two among them.
  await expect(dialog.getByTestId('impact')).toContainText(
    /This deletes the grant of Acme Web for User profile \(OpenID Connect\) and revokes its \d+ refresh tokens on/,
  );
  await expect(dialog.getByTestId('impact')).toContainText('Laptop');
  await expect(dialog.getByTestId('impact')).toContainText('Desktop');
  await dialog.getByRole('button', { name: 'Revoke' }).click();
  await expect(dialog).toBeHidden();
  await expect(table.getByRole('row', { name: /Acme Web/ })).toHaveCount(0);
  await expect(table.getByRole('row', { name: /Acme Mobile/ })).toBeVisible();

  await expect.poll(() => customer.exchanges(laptop, 'web')).toBe(false);
  expect(await customer.exchanges(desktop, 'web')).toBe(false);
  expect(await customer.exchanges(phone)).toBe(true);
});
