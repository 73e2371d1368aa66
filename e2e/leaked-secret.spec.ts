import { clientCredentials, createConfidentialApp, endUserApp } from '@rtc/testkit';
import { callApi, expect, STAFF_STATE, tenantUrl, test } from './fixtures.ts';

test.use({ storageState: STAFF_STATE('admin') });

/**
 * A partner's server leaked its application's secret. The admin opens Applications,
 * chooses "Secret leaked…" on the application, reads what goes (every refresh token of it)
 * and what follows (the old secret refused for every call, the new one shown once), types the
 * name, and confirms. The new secret is shown once; then the tenant refuses the old secret at
 * /oauth/token (client_credentials), takes the new one, and refuses the application's refresh
 * tokens. The application is the journey's own, made through the Management API.
 */
test('leaked secret: revoke and rotate', async ({ page, customer, secondCustomer, shot, axe }) => {
  const app = await createConfidentialApp(tenantUrl(), 'Partner Portal');
  const partner = () => endUserApp(tenantUrl(), app.client_id, app.client_secret);
  // Two users of the partner's application, each with a refresh token.
  const first = await partner().login(customer.email, 'Partner Phone');
  const second = await partner().login(secondCustomer.email, 'Partner Laptop');
  expect((await clientCredentials(tenantUrl(), app.client_id, app.client_secret)).status).toBe(200);

  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Applications' }).click();
  const row = page.getByRole('row', { name: /Partner Portal/ });
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: 'Secret leaked: Partner Portal' }).click();

  const dialog = page.getByRole('dialog', { name: 'Leaked secret of Partner Portal' });
  const impact = dialog.getByTestId('impact');
  await expect(impact).toContainText(
    'This revokes 2 refresh tokens of 2 users on 2 devices of Partner Portal, at once',
  );
  await expect(impact).toContainText('the old one is refused at the tenant from that moment, for every call');
  await expect(impact).toContainText('shown once');
  await expect(dialog.getByRole('checkbox', { name: 'Also rotate the secret' })).toBeChecked();
  const confirm = dialog.getByRole('button', { name: 'Revoke tokens and rotate secret' });
  await expect(confirm).toBeDisabled();
  await dialog.getByRole('textbox', { name: 'Type Partner Portal to confirm' }).fill('Partner Portal');
  await expect(confirm).toBeEnabled();
  await axe();
  await shot('screen-leaked-secret-dialog');
  await confirm.click();

  // The new secret, once.
  const shown = page.getByRole('dialog', { name: 'New secret of Partner Portal' });
  const field = shown.getByRole('textbox', { name: 'New client secret' });
  await expect(field).not.toHaveValue('');
  const secret = await field.inputValue();
  expect(secret).not.toBe(app.client_secret);
  await axe();
  await shot('screen-leaked-secret-shown-once');
  await shown.getByRole('button', { name: 'I have it: close' }).click();
  await expect(shown).toBeHidden();
  await expect(page.getByRole('textbox', { name: 'New client secret' })).toHaveCount(0);

  const result = page.getByTestId('leaked-secret-result');
  await expect(result).toContainText(
    'Revoked 2 refresh tokens of 2 users on 2 devices of Partner Portal; rotated its secret: the old one is refused from now on.',
  );
  await expect(result).not.toContainText(secret);

  // The tenant agrees: the old secret refused, the new one taken, the application's tokens refused.
  await expect
    .poll(async () => (await clientCredentials(tenantUrl(), app.client_id, app.client_secret)).error)
    .toBe('invalid_client');
  expect((await clientCredentials(tenantUrl(), app.client_id, secret)).status).toBe(200);
  const rotated = () => endUserApp(tenantUrl(), app.client_id, secret);
  await expect.poll(async () => (await rotated().refresh(first)).status).not.toBe(200);
  await expect.poll(async () => (await rotated().refresh(second)).status).not.toBe(200);
  // A new sign-in with the new secret works: the application itself is not broken.
  await expect(rotated().login(customer.email, 'Partner Phone')).resolves.toEqual(expect.any(String));

  // One audit entry, without the secret.
  await result.getByRole('link', { name: 'See this action in the audit log' }).click();
  const entry = page.getByRole('table', { name: 'Audit entries, newest first' }).locator('tr[aria-current="true"]');
  await expect(entry).toContainText('Leaked secret');
  await expect(entry).toContainText('rotated the secret');
  const csv = await (await callApi(page, 'GET', '/api/audit/export.csv')).text();
  expect(csv).not.toContain(secret);
  await axe();
});
