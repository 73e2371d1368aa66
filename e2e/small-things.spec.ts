import { expect, openUser, STAFF_STATE, test } from './fixtures.ts';

test.use({ storageState: STAFF_STATE('viewer') });

test('each page has its own title; ?page=1 is the first page; "1 user"; a viewer deep-linking to /audit is told it is not allowed', async ({
  page,
  customer,
  axe,
}) => {
  await page.goto('/users?page=1');
  await expect(page.getByRole('navigation', { name: 'User pages' })).toContainText('Page 1 of');
  await expect(page).toHaveTitle('Users · Refresh Token Console');

  await page.getByRole('searchbox', { name: 'Search users' }).fill(customer.email);
  await page.getByRole('searchbox', { name: 'Search users' }).press('Enter');
  await expect(page.getByRole('navigation', { name: 'User pages' })).toContainText('1 user');
  await expect(page.getByRole('navigation', { name: 'User pages' })).not.toContainText('1 users');

  await page.goto('/audit');
  await expect(page.getByText('Your role (viewer) may not read the audit log.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Export CSV' })).toHaveCount(0);
  await expect(page).toHaveTitle('Audit log · Refresh Token Console');
  await axe();
});

test('a failing list says "Retrying…" at once, keeps retrying, and shows the list when the server answers', async ({
  page,
}) => {
  // The network between the browser and the console drops for the users search only.
  const usersSearch = (url: URL) => url.pathname === '/api/users';
  await page.route(usersSearch, (route) => route.abort('connectionreset'));
  await page.goto('/users');
  const retrying = page.getByRole('status').filter({ hasText: 'Retrying…' });
  // The retries take about 3 s before the error; the note is there well before the first retry.
  await expect(retrying).toBeVisible({ timeout: 900 });
  await expect(retrying).toContainText('Could not load users');
  await expect(retrying).toContainText('cannot reach its server');
  await page.unroute(usersSearch);
  const results = page.getByRole('table', { name: 'Users matching the search' });
  await expect(results.getByRole('link').first()).toBeVisible();
  await expect(retrying).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('the exact time behind "3 days ago" is reachable with the keyboard, shown and announced', async ({
  page,
  customer,
  axe,
}) => {
  await customer.login('Clock Phone');
  await openUser(page, customer);
  await page.getByRole('navigation', { name: 'User sections' }).getByRole('link', { name: 'Details' }).focus();
  let tabs = 0;
  while (!(await page.evaluate(() => document.activeElement?.tagName === 'TIME')) && tabs++ < 20)
    await page.keyboard.press('Tab');
  const focused = page.locator('time:focus');
  await expect(focused).toHaveCount(1);
  const tooltip = page.getByRole('tooltip');
  await expect(tooltip).toBeVisible();
  // The exact time, in the browser's locale and zone, of the element's datetime.
  const dateTime = (await focused.getAttribute('datetime'))!;
  const exact = await page.evaluate(
    (iso) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'long' }).format(new Date(iso)),
    dateTime,
  );
  await expect(tooltip).toHaveText(exact);
  await expect(focused).toHaveAccessibleDescription(exact);
  await axe();
  await page.keyboard.press('Escape');
  await expect(tooltip).toBeHidden();
});

test('staff accounts are marked "Staff" with their role in the users list and on their page; end users are not', async ({
  page,
  customer,
}) => {
  await page.goto('/users?q=console.test');
  const results = page.getByRole('table', { name: 'Users matching the search' });
  await expect(results).toHaveAttribute('aria-busy', 'false');
  const row = (name: string) => results.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
  await expect(row('Ada Admin')).toContainText('Staff · admin');
  await expect(row('Sam Support')).toContainText('Staff · support');
  await expect(row('Vic Viewer')).toContainText('Staff · viewer');
  await row('Ada Admin').getByRole('link', { name: 'Ada Admin' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Ada Admin' })).toBeVisible();
  await expect(page.locator('.user-header')).toContainText('Staff · admin');

  await openUser(page, customer);
  await expect(page.locator('.user-header')).not.toContainText('Staff');
});

test('the reuse alert on the user header states the network and country of the address, or why there is none', async ({
  page,
  customer,
}) => {
  const app = customer.app();
  const first = await customer.login('Alert Phone');
  expect((await app.refresh(first)).status).toBe(200);
  expect((await app.refresh(first)).status).toBe(403); // a rotated token used again: reuse
  await openUser(page, customer);
  const alerts = page.getByRole('region', { name: 'Security alerts' });
  // The end-to-end tenant sees this machine: a loopback address has no network or country to show.
  await expect(alerts).toContainText('from 127.0.0.1 (loopback address: no public network or country)');
});
