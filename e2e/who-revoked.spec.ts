import { DEMO } from '@rtc/tenant';
import { callApi, expect, openUser, STAFF_STATE, test } from './fixtures.ts';

test.use({ storageState: STAFF_STATE('support') });

interface Revoked {
  refresh_tokens: { id: string; device_name: string | null; staff: { name: string } | null }[];
}

test("who revoked Jane's phone, and what exactly: the History tab names the staff member, the time and every token; the summary goes to the customer", async ({
  page,
  browser,
  customer,
  axe,
  shot,
}) => {
  // The customer's phone has the mobile app and the web app; the laptop the web app.
  await customer.login("Jane's Phone", 'mobile');
  await customer.login("Jane's Phone", 'web');
  const laptop = await customer.login("Jane's Laptop", 'web');

  // A support person unlinks the phone.
  await openUser(page, customer, 'Devices');
  await page.getByRole('button', { name: "Unlink Jane's Phone" }).click();
  const dialog = page.getByRole('dialog', { name: "Unlink Jane's Phone?" });
  await expect(dialog.getByTestId('impact')).toContainText("This revokes 2 refresh tokens on Jane's Phone.");
  await dialog.getByRole('textbox', { name: 'Type UNLINK to confirm' }).fill('UNLINK');
  await dialog.getByRole('button', { name: 'Unlink' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Done.' })).toContainText("Jane's Phone");

  // The server keeps the revoked tokens visible, with who did it.
  const userPath = `/api/users/${encodeURIComponent(customer.user_id)}`;
  const phoneTokens = async () =>
    ((await (await callApi(page, 'GET', `${userPath}/revoked`)).json()) as Revoked).refresh_tokens.filter(
      (t) => t.device_name === "Jane's Phone",
    );
  await expect
    .poll(async () => (await phoneTokens()).map((t) => t.staff?.name))
    .toEqual(['Sam Support', 'Sam Support']);
  const revokedIds = (await phoneTokens()).map((t) => t.id);
  expect(await customer.exchanges(laptop, 'web')).toBe(true);

  // Another staff member, later, opens the user's History.
  const context = await browser.newContext({
    storageState: STAFF_STATE('admin'),
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const admin = await context.newPage();
  await openUser(admin, customer, 'History');
  await expect(admin.getByRole('heading', { level: 2, name: 'History' })).toBeVisible();
  const history = admin.getByRole('table', { name: 'History of this user' });
  // Newest first: the revocation on top, the sign-ins below it.
  const revocation = history.getByRole('row').filter({ hasText: 'Sam Support (support)' });
  await expect(revocation.first()).toContainText('Revoke 2 refresh tokens');
  await expect(history.getByRole('rowheader', { name: 'Signed in' })).toHaveCount(3);

  const revoked = admin.getByRole('table', { name: 'Revoked refresh tokens' });
  for (const app of [DEMO.clients.mobile.name, DEMO.clients.web.name]) {
    const row = revoked.getByRole('row', { name: new RegExp(`${app} on "Jane's Phone"`) });
    await expect(row).toContainText('Device unlinked (console)');
    await expect(row.getByRole('link', { name: 'Sam Support (support)' })).toBeVisible();
  }
  for (const id of revokedIds) await expect(revoked).toContainText(id);
  await expect(revoked.getByRole('row', { name: /Jane's Laptop/ })).toHaveCount(0);
  await axe();
  await shot('screen-user-history');

  // The staff member's name leads to the audit entry: every token id with its application.
  await revoked
    .getByRole('row', { name: new RegExp(`${DEMO.clients.mobile.name} on "Jane's Phone"`) })
    .getByRole('link', { name: 'Sam Support (support)' })
    .click();
  const entry = admin.getByRole('region', { name: 'Audit entry: Device unlinked' });
  await expect(entry).toContainText('Sam Support');
  const tokens = entry.getByRole('list', { name: 'Refresh tokens' });
  for (const id of revokedIds) await expect(tokens).toContainText(id);
  await expect(tokens).toContainText(`${DEMO.clients.mobile.name}, device "Jane's Phone"`);
  await expect(tokens).toContainText(`${DEMO.clients.web.name}, device "Jane's Phone"`);
  await axe();
  await shot('screen-audit-entry');

  // The summary for the customer, copied.
  await entry.getByRole('button', { name: 'Copy summary for the customer' }).click();
  await expect(entry.getByRole('status')).toContainText('Copied.');
  const copied = await admin.evaluate(() => navigator.clipboard.readText());
  expect(copied).toContain('our support team acted on your account (device unlinked): 2 sign-ins of your apps');
  expect(copied).toContain(DEMO.clients.mobile.name);
  expect(copied).not.toContain(revokedIds[0]!);

  // And from the user's page, the audit entries about them.
  await admin.goBack();
  await admin.getByRole('link', { name: 'Audit entries about this user' }).click();
  await expect(
    admin
      .getByRole('table', { name: 'Audit entries, newest first' })
      .getByRole('row')
      .filter({ hasText: 'Device unlinked' }),
  ).toHaveCount(1);
  await context.close();
});
