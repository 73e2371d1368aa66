import { DEMO } from '@rtc/tenant';
import { callApi, expect, STAFF_STATE, test } from './fixtures.ts';

test.use({ storageState: STAFF_STATE('support') });

/** A documentation range (RFC 5737): no demo token was issued there, so what is found is this journey's. */
const HOSTILE = '203.0.113.45';
const HOME = '198.51.100.45';

/**
 * An attacker's address shows up in the logs. Support searches by it, finds the
 * accounts used from it (two users, three devices, two applications), previews "Revoke these
 * tokens", and a token issued from there while the dialog is open makes the confirmation fail
 * with nothing revoked and the new preview shown. Confirmed again, every token found is refused
 * at the tenant; a token of one of those users from another address keeps working; the audit
 * log has the entry. Each app names its address through the tenant's trusted proxy hop.
 */
test('an address is hostile: find every account used from it, revoke those tokens', async ({
  page,
  customer,
  secondCustomer,
  shot,
  axe,
}) => {
  const phone = await customer.login('Hostile Phone', 'mobile', { from: HOSTILE });
  const laptop = await customer.login('Hostile Laptop', 'web', { from: HOSTILE });
  const tablet = await secondCustomer.login('Hostile Tablet', 'mobile', { from: HOSTILE });
  const home = await secondCustomer.login('Home Phone', 'mobile', { from: HOME });

  await page.goto('/users');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Search', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Search' })).toBeVisible();
  const form = page.getByRole('search', { name: 'Search across users' });
  await form.getByRole('textbox', { name: 'IP address or range' }).fill(HOSTILE);
  await form.getByRole('button', { name: 'Search', exact: true }).click();
  // The filter is in the URL: the page can be shared and reloaded.
  await expect(page).toHaveURL(
    (url) => url.pathname === '/search/refresh-tokens' && url.searchParams.get('ip') === HOSTILE,
  );
  await page.reload();

  await expect(page.getByTestId('search-counts')).toHaveText('3 tokens · 2 users · 3 devices');
  const results = page.getByRole('table', { name: `Refresh tokens matching address ${HOSTILE}` });
  await expect(results).toHaveAttribute('aria-busy', 'false');
  await expect(results.getByRole('row')).toHaveCount(4);
  for (const device of ['Hostile Phone', 'Hostile Laptop', 'Hostile Tablet'])
    await expect(results.getByRole('row', { name: new RegExp(device) })).toContainText(HOSTILE);
  await expect(results.getByRole('row', { name: /Hostile Laptop/ })).toContainText('Acme Web');
  // Each row names its user and links to the user's tokens.
  await expect(results.getByRole('link', { name: customer.name })).toHaveCount(2);
  await expect(results.getByRole('link', { name: secondCustomer.name })).toHaveAttribute(
    'href',
    `/users/${encodeURIComponent(secondCustomer.user_id)}/refresh-tokens`,
  );
  await axe();
  await shot('screen-search-tokens');

  // The Sessions tab keeps the address (these apps signed in without a browser: no session).
  await page.getByRole('navigation', { name: 'Search results' }).getByRole('link', { name: 'Sessions' }).click();
  await expect(page).toHaveURL((url) => url.pathname === '/search/sessions' && url.searchParams.get('ip') === HOSTILE);
  await expect(page.getByTestId('search-counts')).toHaveText('0 sessions · 0 users');
  await axe();
  await page.getByRole('navigation', { name: 'Search results' }).getByRole('link', { name: 'Refresh tokens' }).click();
  await expect(page.getByTestId('search-counts')).toHaveText('3 tokens · 2 users · 3 devices');

  await page.getByRole('button', { name: 'Revoke these 3 tokens' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke the tokens this search found' });
  await expect(dialog.getByTestId('impact')).toContainText('3 refresh tokens of 2 users on 3 devices');
  const affected = dialog.getByRole('list', { name: 'Users affected' });
  await expect(affected).toContainText(`${customer.email} (2 tokens)`);
  await expect(affected).toContainText(`${secondCustomer.email} (1 token)`);
  const confirm = dialog.getByRole('button', { name: 'Revoke these tokens' });
  await expect(confirm).toBeDisabled();
  await dialog.getByRole('textbox', { name: 'Type REVOKE to confirm' }).fill('REVOKE');
  await axe();
  await shot('screen-search-revoke-dialog');

  // Another token from the address while the dialog is open: the confirmation is refused.
  const watch = await secondCustomer.login('Hostile Watch', 'mobile', { from: HOSTILE });
  await confirm.click();
  await expect(dialog.getByTestId('impact-changed')).toContainText('tokens: 3 previewed, 4 now');
  // Nothing was revoked: the new preview still finds the three, and the new one.
  await expect(dialog.getByTestId('impact')).toContainText('4 refresh tokens of 2 users on 4 devices');
  await axe();
  await dialog.getByRole('button', { name: 'Revoke these tokens now' }).click();
  await expect(dialog).toBeHidden();

  const result = page.getByRole('status').filter({ hasText: 'Done.' });
  await expect(result).toContainText('Revoked 4 refresh tokens of 2 users on 4 devices');
  await expect(result).toBeFocused();
  await expect(page.getByTestId('search-counts')).toHaveText('0 tokens · 0 users · 0 devices');
  await axe();

  // Refused at the tenant, every one of them; the other address's token still works.
  await expect.poll(() => customer.exchanges(phone, 'mobile')).toBe(false);
  await expect.poll(() => customer.exchanges(laptop, 'web')).toBe(false);
  await expect.poll(() => secondCustomer.exchanges(tablet, 'mobile')).toBe(false);
  await expect.poll(() => secondCustomer.exchanges(watch, 'mobile')).toBe(false);
  expect(await secondCustomer.exchanges(home, 'mobile')).toBe(true);

  // The audit entry, from the result's link.
  await result.getByRole('link', { name: 'See this action in the audit log' }).click();
  await expect(page).toHaveURL(
    (url) => url.pathname === '/audit' && url.searchParams.get('action') === 'search.revoke_tokens',
  );
  const entry = page.locator('tr[aria-current="true"]');
  await expect(entry).toContainText(`refresh tokens matching address ${HOSTILE}`);
  await expect(entry).toContainText('matched 4 refresh tokens of 2 users on 4 devices');
  await expect(entry).toContainText('success');
  await axe();
});

test('the sessions opened from the address: end them, and the tokens issued in them go too', async ({
  page,
  customer,
  secondCustomer,
  axe,
}) => {
  const THERE = '203.0.113.47';
  const agent =
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
  const first = await customer
    .app('mobile')
    .loginWithBrowser(customer.email, 'Hostile Browser', { from: THERE, userAgent: agent });
  const second = await secondCustomer
    .app('mobile')
    .loginWithBrowser(secondCustomer.email, 'Hostile Browser', { from: THERE, userAgent: agent });
  const home = await secondCustomer
    .app('mobile')
    .loginWithBrowser(secondCustomer.email, 'Home Browser', { from: HOME, userAgent: agent });

  await page.goto(`/search/sessions?ip=${THERE}`);
  await expect(page.getByTestId('search-counts')).toHaveText('2 sessions · 2 users');
  const results = page.getByRole('table', { name: `Sessions matching address ${THERE}` });
  await expect(results.getByRole('row', { name: new RegExp(customer.name) })).toContainText('Chrome 126 on Windows');
  await page.getByRole('button', { name: 'End these 2 sessions' }).click();
  const dialog = page.getByRole('dialog', { name: 'End the sessions this search found' });
  await expect(dialog.getByTestId('impact')).toContainText('2 sessions of 2 users');
  await expect(dialog.getByTestId('impact')).toContainText('and revokes every refresh token issued in them');
  await dialog.getByRole('textbox', { name: 'Type REVOKE to confirm' }).fill('REVOKE');
  await axe();
  await dialog.getByRole('button', { name: 'End these sessions' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Done.' })).toContainText(
    'Ended 2 sessions of 2 users, and revoked every refresh token issued in them',
  );
  await expect(page.getByTestId('search-counts')).toHaveText('0 sessions · 0 users');

  await expect.poll(() => customer.exchanges(first.refreshToken, 'mobile')).toBe(false);
  await expect.poll(() => secondCustomer.exchanges(second.refreshToken, 'mobile')).toBe(false);
  expect(await secondCustomer.exchanges(home.refreshToken, 'mobile')).toBe(true);
  await axe();
});

test('results are paged on the server, Next and Previous; a bad address is refused beside its field', async ({
  page,
  customer,
  axe,
}) => {
  const MANY = '203.0.113.46';
  for (let i = 0; i < 52; i++)
    await customer.login(`Paged Device ${String(i).padStart(2, '0')}`, 'web', { from: MANY });

  await page.goto(`/search/refresh-tokens?ip=${MANY}`);
  await expect(page.getByTestId('search-counts')).toHaveText('52 tokens · 1 user · 52 devices');
  const results = page.getByRole('table', { name: `Refresh tokens matching address ${MANY}` });
  const pager = page.getByRole('navigation', { name: 'Search result pages' });
  await expect(results.getByRole('row')).toHaveCount(51);
  await expect(pager).toContainText('Page 1');
  await expect(pager.getByRole('button', { name: 'Previous' })).toBeDisabled();
  await pager.getByRole('button', { name: 'Next' }).click();
  await expect(pager).toContainText('Page 2 (the last)');
  await expect(results).toHaveAttribute('aria-busy', 'false');
  await expect(results.getByRole('row')).toHaveCount(3);
  // Counted once, on the first page: the counts stay while paging.
  await expect(page.getByTestId('search-counts')).toHaveText('52 tokens · 1 user · 52 devices');
  await expect(pager.getByRole('button', { name: 'Next' })).toBeDisabled();
  await pager.getByRole('button', { name: 'Previous' }).click();
  await expect(pager).toContainText('Page 1');
  await expect(results.getByRole('row')).toHaveCount(51);

  const form = page.getByRole('search', { name: 'Search across users' });
  await form.getByRole('textbox', { name: 'IP address or range' }).fill('203.0.113.300');
  await form.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(form.getByRole('alert')).toContainText('must be an IPv4 or IPv6 address, or a CIDR range');
  await expect(form.getByRole('textbox', { name: 'IP address or range' })).toHaveAttribute('aria-invalid', 'true');
  await axe();
});

test('support may search by an application and a time only, but revoking such a result is for admin: the button says why, disabled', async ({
  page,
  customer,
  axe,
}) => {
  await customer.login('Wide Laptop', 'web', { from: '203.0.113.48' });
  await page.goto(`/search/refresh-tokens?client_id=${encodeURIComponent(DEMO.clients.web.client_id)}`);
  await expect(page.getByTestId('search-counts')).toContainText('tokens');
  const button = page.getByRole('button', { name: /^Revoke th/ });
  await expect(button).toBeDisabled();
  await expect(page.getByTestId('revoke-reason')).toContainText(
    'Only an admin may revoke a result found without an address or a network no wider than a /16',
  );
  // With an address added, it is support's to revoke.
  await page.goto(`/search/refresh-tokens?client_id=${encodeURIComponent(DEMO.clients.web.client_id)}&ip=203.0.113.48`);
  await expect(page.getByTestId('search-counts')).toHaveText('1 token · 1 user · 1 device');
  await expect(page.getByRole('button', { name: 'Revoke this token' })).toBeEnabled();
  await expect(page.getByTestId('revoke-reason')).toHaveCount(0);
  await axe();
});

test('a viewer has no Search', async ({ browser }) => {
  const context = await browser.newContext({ storageState: STAFF_STATE('viewer') });
  const page = await context.newPage();
  await page.goto('/users');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toBeVisible();
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Search', exact: true }),
  ).toHaveCount(0);
  expect((await callApi(page, 'GET', `/api/search/refresh-tokens?ip=${HOSTILE}`)).status()).toBe(403);
  await page.goto(`/search/refresh-tokens?ip=${HOSTILE}`);
  await expect(page.getByText('may not search across users')).toBeVisible();
  await context.close();
});
