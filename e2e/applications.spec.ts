import { DEMO } from '@rtc/tenant';
import { callApi, expect, STAFF_STATE, test } from './fixtures.ts';

test.use({ storageState: STAFF_STATE('admin') });

/**
 * A leaked build of Acme Mobile: the admin opens Applications, sees the app's live
 * tokens, users and devices, previews "Revoke all tokens of this application", types its name,
 * and every token of the app is refused at the tenant while Acme Web's keep working.
 * Note: this revokes every Acme Mobile token issued so far in the e2e stack.
 */
test('an admin revokes every refresh token of a leaked application, bound to the counts previewed', async ({
  page,
  customer,
  shot,
  axe,
}) => {
  const phone = await customer.login('Leaked Phone', 'mobile');
  const tablet = await customer.login('Leaked Tablet', 'mobile');
  const laptop = await customer.login('Office Laptop', 'web');

  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Applications' }).click();
  await expect(page.getByRole('heading', { name: 'Applications' })).toBeVisible();
  const row = page.getByRole('row', { name: new RegExp(DEMO.clients.mobile.name) });
  await expect(row).toBeVisible();
  await axe();
  await shot('screen-applications');

  await row.getByRole('button', { name: `Revoke all tokens of ${DEMO.clients.mobile.name}` }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke all tokens of this application' });
  await expect(dialog).toContainText(`of ${DEMO.clients.mobile.name}, at once`);
  await expect(dialog.getByRole('list', { name: 'First users affected' })).toBeVisible();
  // What the server counts is what the dialog shows.
  const counted = (await (
    await callApi(page, 'POST', `/api/applications/${DEMO.clients.mobile.client_id}/impact`)
  ).json()) as { counts: { tokens: number } };
  await expect(dialog).toContainText(`${counted.counts.tokens.toLocaleString('en-US')} refresh token`);
  const confirm = dialog.getByRole('button', { name: 'Revoke all tokens' });
  await expect(confirm).toBeDisabled();
  await dialog
    .getByRole('textbox', { name: `Type ${DEMO.clients.mobile.name} to confirm` })
    .fill(DEMO.clients.mobile.name);
  await axe();
  await shot('screen-applications-revoke-dialog');
  await confirm.click();
  await expect(dialog).toBeHidden();

  const result = page
    .getByRole('status')
    .filter({ hasText: `Revoked all refresh tokens of ${DEMO.clients.mobile.name}` });
  await expect(result).toBeVisible();
  await axe();

  await expect.poll(() => customer.exchanges(phone, 'mobile')).toBe(false);
  await expect.poll(() => customer.exchanges(tablet, 'mobile')).toBe(false);
  expect(await customer.exchanges(laptop, 'web')).toBe(true);
  // The counts converge to none, on the server and on the page.
  await expect
    .poll(
      async () =>
        (
          (await (await callApi(page, 'GET', '/api/applications')).json()) as {
            applications: { client_id: string; counts: { tokens: number } }[];
          }
        ).applications.find((a) => a.client_id === DEMO.clients.mobile.client_id)!.counts.tokens,
    )
    .toBe(0);
  // Audited with the application's name.
  const audit = (await (await callApi(page, 'GET', '/api/audit?action=application.revoke_all_tokens')).json()) as {
    entries: { target: string; result: string }[];
  };
  expect(audit.entries.some((e) => e.result === 'success' && e.target.includes(DEMO.clients.mobile.name))).toBe(true);
});

test('support does not see the Applications area', async ({ browser }) => {
  const context = await browser.newContext({ storageState: STAFF_STATE('support') });
  const page = await context.newPage();
  await page.goto('/users');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Applications' })).toHaveCount(
    0,
  );
  expect((await callApi(page, 'GET', '/api/applications')).status()).toBe(403);
  await context.close();
});
