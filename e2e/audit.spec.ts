import { readFile } from 'node:fs/promises';
import { expectedOf } from '@rtc/testkit';
import { callApi, expect, openUser, STAFF_STATE, test } from './fixtures.ts';

test.use({ storageState: STAFF_STATE('support') });

test('the audit log lists each action with the staff member, and its CSV export holds them', async ({
  page,
  customer,
  shot,
}) => {
  await customer.login('Audit Phone', 'mobile');
  await customer.login('Audit Laptop', 'web');
  await openUser(page, customer, 'Devices');
  await page.getByRole('button', { name: 'Unlink Audit Phone' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: 'Type UNLINK to confirm' }).fill('UNLINK');
  await dialog.getByRole('button', { name: 'Unlink' }).click();
  await expect(dialog).toBeHidden();
  const user = encodeURIComponent(customer.user_id);
  // An action runs on the preview it confirms, as the dashboard sends it.
  const impact = await (
    await callApi(page, 'POST', `/api/users/${user}/impact`, { action: 'refresh_tokens.revoke_all' })
  ).json();
  expect(
    (
      await callApi(page, 'POST', `/api/users/${user}/refresh-tokens/revoke-all`, { expected: expectedOf(impact) })
    ).status(),
  ).toBe(200);

  await page.getByRole('link', { name: 'Audit log', exact: true }).click();
  // The User filter takes the email a customer gives on the phone.
  await page.getByRole('textbox', { name: 'User' }).fill(customer.email);
  const table = page.getByRole('table', { name: 'Audit entries, newest first' });
  // The two actions, and the previews before them (reads, recorded too).
  await expect(table.getByRole('row', { name: /Action on a user previewed/ }).first()).toBeVisible();
  const unlink = table.getByRole('row', { name: /Device unlinked/ });
  await expect(unlink).toContainText('Sam Support');
  await expect(unlink).toContainText('device "Audit Phone"');
  await expect(unlink).toContainText('success');
  await expect(table.getByRole('row', { name: /Refresh tokens revoked in bulk/ })).toContainText('Sam Support');
  await expect(unlink).toContainText(customer.email);

  await page.getByRole('combobox', { name: 'Action' }).selectOption('device.unlink');
  await expect(table.getByRole('row')).toHaveCount(2);
  await shot('screen-audit');

  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const csv = await readFile((await (await downloading).path())!, 'utf8');
  const lines = csv.trim().split('\r\n');
  expect(lines[0]).toBe('at,actor_name,actor_sub,actor_role,action,target_user_id,target,result,detail,request_id');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toContain('Sam Support,auth0|staff-support,support,device.unlink');
  expect(lines[1]).toContain(customer.user_id);

  // Each entry links to its user's page.
  await table
    .getByRole('row', { name: /Device unlinked/ })
    .getByRole('link', { name: customer.user_id })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: customer.name })).toBeVisible();
});
