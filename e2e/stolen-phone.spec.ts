import { DEMO } from '@rtc/tenant';
import { callApi, expect, openUser, STAFF_STATE, tenantUrl, test } from './fixtures.ts';

test.use({ storageState: STAFF_STATE('support') });

const withApi = { audience: DEMO.api.identifier, scope: 'openid offline_access read:orders' };

/** A thief replays a refresh token from a script: the tenant records the script's agent as the token's last use. */
async function replay(
  token: string,
  clientId: string,
  clientSecret: string | undefined,
  userAgent: string,
): Promise<string | undefined> {
  const res = await fetch(`${tenantUrl()}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': userAgent },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: token,
      client_id: clientId,
      ...(clientSecret ? { client_secret: clientSecret } : {}),
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { refresh_token?: string }).refresh_token;
}

test('the stolen-phone call: find the device by its theft flag, "lost or stolen" ends its tokens and its session, the result links to its audit entry', async ({
  page,
  customer,
  shot,
  axe,
}) => {
  // The customer's phone: the app signed in through the browser (a session), and the web app.
  const phone = await customer.app('mobile').loginWithBrowser(customer.email, 'Stolen iPhone', withApi);
  const phoneWeb = await customer.login('Stolen iPhone', 'web');
  const tablet = await customer.login('Home iPad', 'mobile');
  // The thief, with the phone's tokens, from scripts.
  const stolen = (await replay(
    phone.refreshToken,
    DEMO.clients.mobile.client_id,
    undefined,
    'python-requests/2.31.0',
  ))!;
  await replay(phoneWeb, DEMO.clients.web.client_id, DEMO.clients.web.secret, 'curl/8.5.0');

  // The support person searches for the customer and opens Devices.
  await openUser(page, customer, 'Devices');
  const devices = page.getByRole('table', { name: 'Devices of this user' });
  const flagged = devices.getByRole('row', { name: /Used elsewhere/ });
  await expect(flagged).toHaveCount(1);
  await expect(flagged).toContainText('Stolen iPhone');
  await expect(flagged).toContainText('Last used by python-requests 2.31.0');
  await expect(devices.getByRole('row', { name: /Home iPad/ })).not.toContainText('Used elsewhere');
  await axe();
  await shot('screen-device-theft-flag');

  await flagged.getByRole('button', { name: 'Lost or stolen: Stolen iPhone' }).click();
  const dialog = page.getByRole('dialog', { name: 'Stolen iPhone was lost or stolen?' });
  const impact = dialog.getByTestId('impact');
  await expect(impact).toContainText('This revokes 2 refresh tokens on Stolen iPhone.');
  await expect(impact).toContainText('It ends 1 session opened from it');
  const confirm = dialog.getByRole('button', { name: 'Revoke and sign out' });
  await expect(confirm).toBeDisabled();
  await dialog.getByRole('textbox', { name: 'Type LOST to confirm' }).fill('LOST');
  await axe();
  await shot('screen-lost-device-dialog');
  await confirm.click();
  await expect(dialog).toBeHidden();

  // The result: said, announced, focused, linked to its audit entry.
  const summary = page.getByRole('status').filter({ hasText: 'Done.' });
  await expect(summary).toContainText(
    'Revoked 2 refresh tokens on 1 device (Stolen iPhone) of 2 applications (Acme Mobile and Acme Web) and ended 1 session.',
  );
  await expect(summary).toHaveAttribute('aria-live', 'polite');
  await expect(summary).toBeFocused();
  await expect(devices.getByRole('row', { name: /Stolen iPhone/ })).toHaveCount(0);
  await axe();
  await shot('screen-lost-device-result');

  // The tenant refuses every token of the device, the thief's rotated one included; the session is gone.
  await expect.poll(() => customer.exchanges(stolen)).toBe(false);
  expect(await customer.exchanges(phoneWeb, 'web')).toBe(false);
  expect(await customer.exchanges(tablet)).toBe(true);
  const sessions = await (
    await callApi(page, 'GET', `/api/users/${encodeURIComponent(customer.user_id)}/sessions`)
  ).json();
  expect(sessions.sessions.map((s: { id: string }) => s.id)).not.toContain(phone.sessionId);

  await summary.getByRole('link', { name: 'See this action in the audit log' }).click();
  const entry = page.getByRole('table', { name: 'Audit entries, newest first' }).locator('tr[aria-current="true"]');
  await expect(entry).toContainText('Device lost or stolen');
  await expect(entry).toContainText('device "Stolen iPhone"');
  await expect(entry).toContainText('ended 1 session');
  await expect(entry).toContainText('success');
  await axe();
});

test('an action whose impact changed while the dialog was open shows what changed and asks again (nothing revoked meanwhile)', async ({
  page,
  customer,
  axe,
}) => {
  const first = await customer.login('Busy Phone', 'mobile');
  await openUser(page, customer, 'Devices');
  await page.getByRole('button', { name: 'Unlink Busy Phone' }).click();
  const dialog = page.getByRole('dialog', { name: 'Unlink Busy Phone?' });
  await expect(dialog.getByTestId('impact')).toContainText('This revokes 1 refresh token on Busy Phone.');
  // The app signs in again on the phone while the person reads the preview.
  const late = await customer.login('Busy Phone', 'mobile');
  await dialog.getByRole('textbox', { name: 'Type UNLINK to confirm' }).fill('UNLINK');
  await dialog.getByRole('button', { name: 'Unlink' }).click();

  const changed = dialog.getByTestId('impact-changed');
  await expect(changed).toContainText('nothing was revoked');
  await expect(changed).toContainText('1 more refresh token would be revoked, on Busy Phone.');
  await expect(dialog.getByTestId('impact')).toContainText('This revokes 2 refresh tokens on Busy Phone.');
  await axe();
  expect(await customer.exchanges(first)).toBe(true);
  expect(await customer.exchanges(late)).toBe(true);

  await dialog.getByRole('button', { name: 'Unlink anyway' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Done.' })).toContainText('Revoked 2 refresh tokens');
  await expect.poll(() => customer.exchanges(late)).toBe(false);
});

test('bulk revoke acts on exactly the filtered rows, and past a few tokens asks for a typed confirmation', async ({
  page,
  customer,
  axe,
}) => {
  const kept = await customer.login('Other Phone', 'mobile');
  const keptWeb = await customer.login('Filtered Phone', 'web');
  const filtered = [];
  for (let i = 0; i < 4; i++) filtered.push(await customer.login('Filtered Phone', 'mobile'));

  await openUser(page, customer, 'Refresh Tokens');
  await page.getByRole('combobox', { name: 'Device' }).selectOption('Filtered Phone');
  await page.getByRole('combobox', { name: 'Application' }).selectOption({ label: 'Acme Mobile' });
  await page.getByRole('button', { name: 'Revoke these 4 tokens' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke these 4 tokens (Acme Mobile on Filtered Phone)?' });
  await expect(dialog.getByTestId('impact')).toContainText(
    'This revokes all 4 refresh tokens on Filtered Phone of Acme Mobile.',
  );
  const confirm = dialog.getByRole('button', { name: 'Revoke these 4 tokens' });
  await expect(confirm).toBeDisabled();
  await dialog.getByRole('textbox', { name: 'Type REVOKE to confirm' }).fill('REVOKE');
  await axe();
  await confirm.click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Done.' })).toContainText(
    'Revoked 4 refresh tokens on 1 device (Filtered Phone) of 1 application (Acme Mobile)',
  );

  for (const token of filtered) await expect.poll(() => customer.exchanges(token)).toBe(false);
  expect(await customer.exchanges(kept)).toBe(true);
  expect(await customer.exchanges(keptWeb, 'web')).toBe(true);
});
