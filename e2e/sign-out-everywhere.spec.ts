import { callApi, expect, openUser, STAFF_STATE, test } from './fixtures.ts';

test.use({ storageState: STAFF_STATE('support') });

test('a stolen phone: support signs the customer out everywhere and blocks them; every token is refused, the sessions are gone', async ({
  page,
  customer,
  shot,
  axe,
}) => {
  // The customer's devices: the phone's app signed in through the browser (a session), the web app, a tablet.
  const phone = await customer.app('mobile').loginWithBrowser(customer.email, 'Stolen Phone');
  const laptop = await customer.app('web').loginWithBrowser(customer.email, 'Work Laptop');
  const tablet = await customer.login('Home Tablet', 'mobile');
  // The demo customer holds tokens and sessions of their own besides these: the dialog counts every one.
  const user = `/api/users/${encodeURIComponent(customer.user_id)}`;
  const { tokens } = await (await callApi(page, 'GET', `${user}/refresh-tokens`)).json();
  const { sessions } = await (await callApi(page, 'GET', `${user}/sessions`)).json();
  const devices = new Set(tokens.map((t: { device_name: string }) => t.device_name)).size;
  expect(tokens.length).toBeGreaterThanOrEqual(3);
  expect(sessions.length).toBeGreaterThanOrEqual(2);

  await openUser(page, customer);
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  const dialog = page.getByRole('dialog', { name: `Sign ${customer.name} out everywhere?` });
  const impact = dialog.getByTestId('impact');
  await expect(impact).toContainText(`This revokes all ${tokens.length} refresh tokens of ${customer.name}.`);
  await expect(impact).toContainText(`On ${devices} devices:`);
  await expect(impact).toContainText(`It ends ${sessions.length} sessions:`);
  const typed = dialog.getByRole('textbox', { name: 'Type SIGN OUT to confirm' });
  await expect(typed).toBeFocused();
  await dialog.getByRole('checkbox', { name: 'Also block this user' }).check();
  const confirm = dialog.getByRole('button', { name: 'Sign out and block' });
  await expect(confirm).toBeDisabled();
  await typed.fill('SIGN OUT');
  await expect(confirm).toBeEnabled();
  await axe();
  await shot('screen-sign-out-everywhere-dialog');
  await confirm.click();
  await expect(dialog).toBeHidden();

  // The result: exactly what happened, announced and focused, linked to its audit entry.
  const result = page.getByTestId('sign-out-result');
  await expect(result).toContainText(
    `Revoked ${tokens.length} refresh tokens on ${devices} devices and ended ${sessions.length} sessions. ${customer.name} is blocked.`,
  );
  await expect(result).toHaveAttribute('role', 'status');
  await expect(result).toBeFocused();
  await axe();
  await shot('screen-sign-out-everywhere-result');

  // The server agrees: every token refused at /oauth/token, no session left, the user blocked and unable to sign in.
  await expect.poll(() => customer.exchanges(phone.refreshToken)).toBe(false);
  await expect.poll(() => customer.exchanges(laptop.refreshToken, 'web')).toBe(false);
  await expect.poll(() => customer.exchanges(tablet)).toBe(false);
  await expect.poll(async () => (await (await callApi(page, 'GET', `${user}/sessions`)).json()).sessions).toEqual([]);
  await expect
    .poll(async () => (await (await callApi(page, 'GET', `${user}/refresh-tokens`)).json()).tokens)
    .toEqual([]);
  await expect.poll(async () => (await (await callApi(page, 'GET', user)).json()).blocked).toBe(true);
  await expect(customer.login('Thief Phone')).rejects.toThrow(/login failed/);

  await result.getByRole('link', { name: 'See this action in the audit log' }).click();
  const entry = page.getByRole('table', { name: 'Audit entries, newest first' }).locator('tr[aria-current="true"]');
  await expect(entry).toContainText('Signed out everywhere');
  await expect(entry).toContainText('blocked the user');
  await expect(entry).toContainText('success');
  await axe();
});
