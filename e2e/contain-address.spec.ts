import { callApi, expect, STAFF_STATE, test } from './fixtures.ts';

test.use({ storageState: STAFF_STATE('support') });

/** A documentation range (RFC 5737) no other journey uses: what is found is this journey's. */
const HOSTILE = '203.0.113.61';
const HOME = '198.51.100.61';

/**
 * An address turns out hostile, and revoking its tokens alone would leave its
 * sessions signed in. Support searches by it; the incident view counts the tokens and the
 * sessions together; one "Contain" revokes the tokens and ends the sessions, bound to its
 * preview: a session begun there while the dialog is open makes the first confirmation do
 * nothing. Confirmed again, the tenant refuses every token and no session is left there; a
 * session from another address keeps working; one audit entry lists every id.
 */
test('hostile address: contain tokens and sessions', async ({ page, customer, secondCustomer, shot, axe }) => {
  // Two browser sign-ins (a session each, with its token) and an app's token without a session.
  const browser = await customer.app('mobile').loginWithBrowser(customer.email, 'Hostile Browser', { from: HOSTILE });
  const app = await customer.login('Hostile App', 'mobile', { from: HOSTILE });
  const other = await secondCustomer
    .app('mobile')
    .loginWithBrowser(secondCustomer.email, 'Hostile Kiosk', { from: HOSTILE });
  const home = await secondCustomer
    .app('mobile')
    .loginWithBrowser(secondCustomer.email, 'Home Browser', { from: HOME });
  // Acme Mobile's other live tokens, elsewhere: an earlier journey may have revoked all of the
  // application's, and a result holding most of an application's tokens is an admin's to revoke.
  for (let i = 0; i < 6; i++) await secondCustomer.login(`Home Tablet ${i}`, 'mobile', { from: HOME });

  await page.goto('/users');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Search', exact: true }).click();
  const form = page.getByRole('search', { name: 'Search across users' });
  await form.getByRole('textbox', { name: 'IP address or range' }).fill(HOSTILE);
  await form.getByRole('button', { name: 'Search', exact: true }).click();

  // The incident view: the tokens and the sessions of the address, together.
  const incident = page.getByRole('region', { name: 'Contain this address' });
  await expect(incident.getByTestId('incident-counts')).toHaveText(
    'Found 3 tokens · 2 users · 3 devices and 2 sessions · 2 users.',
  );
  await axe();
  await shot('screen-incident-view');

  await incident.getByRole('button', { name: 'Contain: revoke 3 tokens and end 2 sessions' }).click();
  const dialog = page.getByRole('dialog', { name: 'Contain this address: revoke its tokens and end its sessions' });
  await expect(dialog.getByTestId('impact')).toContainText(
    'This revokes 3 refresh tokens of 2 users on 3 devices and ends 2 sessions of 2 users',
  );
  const affected = dialog.getByRole('list', { name: 'Users affected' });
  await expect(affected).toContainText(`${customer.email} (2 tokens, 1 session)`);
  await expect(affected).toContainText(`${secondCustomer.email} (1 token, 1 session)`);
  const confirm = dialog.getByRole('button', { name: 'Revoke and end' });
  await expect(confirm).toBeDisabled();
  await dialog.getByRole('textbox', { name: 'Type REVOKE to confirm' }).fill('REVOKE');
  await axe();
  await shot('screen-contain-dialog');

  // A session begins at the address while the dialog is open: the confirmation does nothing.
  const late = await secondCustomer
    .app('mobile')
    .loginWithBrowser(secondCustomer.email, 'Hostile Laptop', { from: HOSTILE });
  await confirm.click();
  await expect(dialog.getByTestId('impact-changed')).toContainText(
    '4 refresh tokens and 3 sessions now, 3 refresh tokens and 2 sessions in the preview',
  );
  await expect(dialog.getByTestId('impact')).toContainText(
    'This revokes 4 refresh tokens of 2 users on 4 devices and ends 3 sessions of 2 users',
  );
  // Nothing was done: the address still has its sessions (read, not exchanged: an exchange would change what the preview binds).
  expect((await (await callApi(page, 'GET', `/api/search/sessions?ip=${HOSTILE}`)).json()).totals.sessions).toBe(3);
  await dialog.getByRole('button', { name: 'Revoke and end now' }).click();
  await expect(dialog).toBeHidden();

  // The result says exactly what was revoked and what was ended.
  const result = incident.getByRole('status').filter({ hasText: 'Done.' });
  await expect(result).toContainText(
    'Revoked 4 refresh tokens of 2 users on 4 devices and ended 3 sessions of 2 users, with the refresh tokens issued in them.',
  );
  await expect(result).toBeFocused();
  await expect(incident.getByTestId('incident-counts')).toHaveText(
    'Found 0 tokens · 0 users · 0 devices and 0 sessions · 0 users.',
  );
  await axe();
  await shot('screen-contain-result');

  // The server agrees: every token refused at /oauth/token, no session left at the address; home still works.
  await expect.poll(() => customer.exchanges(browser.refreshToken)).toBe(false);
  await expect.poll(() => customer.exchanges(app)).toBe(false);
  await expect.poll(() => secondCustomer.exchanges(other.refreshToken)).toBe(false);
  await expect.poll(() => secondCustomer.exchanges(late.refreshToken)).toBe(false);
  await expect
    .poll(async () => (await (await callApi(page, 'GET', `/api/search/sessions?ip=${HOSTILE}`)).json()).totals.sessions)
    .toBe(0);
  expect(await secondCustomer.exchanges(home.refreshToken)).toBe(true);

  // One audit entry, every token and session id in it.
  await result.getByRole('link', { name: 'See this action in the audit log' }).click();
  const entry = page.getByRole('table', { name: 'Audit entries, newest first' }).locator('tr[aria-current="true"]');
  await expect(entry).toContainText('Address contained');
  await expect(entry).toContainText('success');
  const audit = (await (await callApi(page, 'GET', '/api/audit?action=search.contain&result=success')).json()) as {
    entries: { target: string; detail: string }[];
  };
  const detail = audit.entries.find(
    (e) => e.target === `refresh tokens and sessions matching address ${HOSTILE}`,
  )!.detail;
  expect(/token ids: ([^;]*)/.exec(detail)![1]!.split(' ')).toHaveLength(4);
  expect(/session ids: ([^;]*)/.exec(detail)![1]!.split(' ').sort()).toEqual(
    [browser.sessionId, other.sessionId, late.sessionId].sort(),
  );
  await axe();
});
