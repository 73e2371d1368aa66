import type { Page } from '@playwright/test';
import { DEMO } from '@rtc/tenant';
import { expect, openUser, STAFF_STATE, test, type Customer } from './fixtures.ts';
import { layoutProblems, tableProblems } from './layout-problems.ts';

test.use({ storageState: STAFF_STATE('admin') });

/** A phone held upright (iPhone 12 to 15), and the desktop the other specs use. */
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 860 };

/** Documentation addresses (RFC 5737, RFC 3849): no demo token was issued from them. */
const FROM_V4 = '198.51.100.77';
// A long IPv6 address: addresses do not wrap, so it is the widest thing a row can hold.
const FROM_V6 = '2001:db8:85a3:8d3:1319:8a2e:370:7348';

/** Waits for the screen to settle: no skeleton, nothing busy. */
async function settled(page: Page) {
  await expect(page.locator('.skeleton:visible')).toHaveCount(0);
  await expect(page.locator('main [aria-busy="true"]:visible')).toHaveCount(0);
}

type Check = (screen: string) => Promise<void>;

function checker(page: Page, axe: () => Promise<void>, shot: (name: string) => Promise<void>, narrow: boolean): Check {
  return async (screen) => {
    await settled(page);
    // Soft: one run lists every screen that does not fit, not just the first.
    expect.soft(await layoutProblems(page), `layout of ${screen} at ${page.viewportSize()?.width}px`).toEqual([]);
    if (narrow) expect.soft(await tableProblems(page), `tables of ${screen} at 390px`).toEqual([]);
    // Each page is one landmark "main" (the skip link's target holds it).
    await expect.soft(page.getByRole('main'), `the <main> of ${screen}`).toHaveCount(1);
    await axe();
    await shot(`${narrow ? 'narrow' : 'wide'}-${screen}`);
  };
}

/** Opens a dialog, checks it while open, and closes it with Escape, changing nothing. */
async function inDialog(page: Page, check: Check, screen: string, opener: ReturnType<Page['getByRole']>) {
  await opener.click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByText(/Counting|Loading|Working/)).toHaveCount(0);
  await check(screen);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
}

async function customerWithEverything(customer: Customer) {
  // Tokens from two addresses (one a long IPv6), a browser session, grants of both apps.
  await customer
    .app('mobile')
    .loginWithBrowser(customer.email, 'Narrow Phone With A Rather Long Device Name', { from: FROM_V6 });
  await customer.login('Narrow Laptop', 'web', { from: FROM_V4 });
  await customer.login('Narrow Tablet', 'mobile', { from: FROM_V4 });
}

/** Every screen of the console, each user tab and the dialogs of the actions, checked by `check`. */
async function walkEveryScreen(page: Page, customer: Customer, check: Check) {
  await page.goto('/users');
  await expect(page.getByRole('table', { name: 'Users matching the search' }).getByRole('row').nth(5)).toBeVisible();
  await check('users');

  await openUser(page, customer);
  const tabs = page.getByRole('navigation', { name: 'User sections' }).getByRole('link');
  const labels = await tabs.allTextContents();
  expect(labels.length).toBeGreaterThan(4);
  for (const label of labels) {
    await tabs.filter({ hasText: label }).first().click();
    await expect(tabs.filter({ hasText: label }).first()).toHaveAttribute('aria-current', 'page');
    await expect(page.locator('.tab-panel').getByRole('heading', { level: 2 }).first()).toBeVisible();
    await check(`user-${label.toLowerCase().replace(/\W+/g, '-')}`);
  }

  await inDialog(page, check, 'dialog-sign-out-everywhere', page.getByRole('button', { name: 'Sign out everywhere' }));
  await tabs.filter({ hasText: 'Devices' }).click();
  await inDialog(page, check, 'dialog-unlink-device', page.getByRole('button', { name: 'Unlink Narrow Laptop' }));
  await inDialog(
    page,
    check,
    'dialog-lost-device',
    page.getByRole('button', { name: 'Lost or stolen: Narrow Tablet' }),
  );
  await tabs.filter({ hasText: 'Authorized Applications' }).click();
  await inDialog(
    page,
    check,
    'dialog-revoke-grant',
    page.getByRole('button', { name: new RegExp(`^Revoke ${DEMO.clients.web.name} for`) }),
  );
  await tabs.filter({ hasText: 'Sessions' }).click();
  await inDialog(
    page,
    check,
    'dialog-revoke-session',
    page.getByRole('button', { name: /^Revoke session on/ }).first(),
  );
  await tabs.filter({ hasText: 'Refresh Tokens' }).click();
  const tokens = page.getByRole('table', { name: 'Refresh tokens of this user' });
  await tokens
    .getByRole('button', { name: /^Details/ })
    .first()
    .click();
  await check('user-refresh-token-details');
  await inDialog(
    page,
    check,
    'dialog-revoke-all-tokens',
    page.getByRole('button', { name: /^Revoke these \d+ tokens$/ }),
  );

  await page.goto(`/search/refresh-tokens?ip=${FROM_V4}`);
  await expect(
    page.getByRole('table', { name: new RegExp(`matching address ${FROM_V4}`) }).getByRole('row'),
  ).not.toHaveCount(1);
  await check('search-refresh-tokens');
  await inDialog(page, check, 'dialog-search-revoke', page.getByRole('button', { name: /^Revoke th/ }));
  await page.goto(`/search/sessions?ip=${encodeURIComponent(FROM_V6)}`);
  await expect(page.getByRole('table', { name: /Sessions matching/ }).getByRole('row')).not.toHaveCount(1);
  await check('search-sessions');

  await page.goto('/applications');
  await expect(page.getByRole('heading', { level: 1, name: 'Applications' })).toBeVisible();
  await check('applications');
  await inDialog(
    page,
    check,
    'dialog-revoke-application',
    page.getByRole('button', { name: `Revoke all tokens of ${DEMO.clients.web.name}` }),
  );

  await page.goto('/settings/advanced');
  const toggle = page.getByRole('switch', { name: 'Refresh Token Revocation Deletes Grant' });
  await expect(toggle).toBeEnabled();
  await check('settings');
  await inDialog(page, check, 'dialog-settings-flag', toggle);

  await page.goto('/audit');
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  await check('audit');

  // The pages that say something went wrong: a bad deep link, a user who does not exist, no such page.
  await page.goto('/audit?from=garbage');
  await expect(page.getByText('Part of this link could not be used')).toBeVisible();
  await check('audit-bad-link');
  await page.goto('/users/auth0%7Cno-such-user-anywhere');
  await expect(page.getByText('No such user')).toBeVisible();
  await check('user-not-found');
  await page.goto('/no-such-page');
  await check('not-found');
}

test('at 390 x 844 no screen scrolls sideways, tables stack into labelled rows, dialogs fit, the header is one line; axe clean', async ({
  page,
  customer,
  axe,
  shot,
}) => {
  // Many screens and dialogs, each waited for and checked in full.
  test.setTimeout(180_000);
  await customerWithEverything(customer);
  await page.setViewportSize(PHONE);
  await walkEveryScreen(page, customer, checker(page, axe, shot, true));

  // The main navigation, folded into the one-line header, opens over the page and fits.
  await page.goto('/users');
  const menu = page.getByRole('button', { name: 'Menu' });
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Audit log' })).toBeVisible();
  await checker(page, axe, shot, true)('menu-open');
  // Escape from inside the menu closes it and gives focus back to its button.
  await nav.getByRole('link', { name: 'Users' }).focus();
  await page.keyboard.press('Escape');
  await expect(nav).toBeHidden();
  await expect(menu).toBeFocused();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  // A tap beside it closes it too.
  await menu.click();
  await expect(nav).toBeVisible();
  await page.mouse.click(PHONE.width / 2, PHONE.height - 40);
  await expect(nav).toBeHidden();
  await menu.press('Enter');
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await nav.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  await expect(nav).toBeHidden();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
});

test('at desktop width the same screens and dialogs fit, the header is one line; axe clean', async ({
  page,
  customer,
  axe,
  shot,
}) => {
  // Many screens and dialogs, each waited for and checked in full.
  test.setTimeout(180_000);
  await customerWithEverything(customer);
  await page.setViewportSize(DESKTOP);
  await walkEveryScreen(page, customer, checker(page, axe, shot, false));
  await expect(page.getByRole('button', { name: 'Menu' })).toBeHidden();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toBeVisible();
});

test.describe('signed out', () => {
  test.use({ storageState: { cookies: [], origins: [] } });
  for (const [width, viewport] of [
    ['390px', PHONE],
    ['desktop width', DESKTOP],
  ] as const) {
    test(`the sign-in screen fits at ${width}; axe clean`, async ({ page, axe }) => {
      await page.setViewportSize(viewport);
      await page.goto('/users');
      await expect(page.getByRole('heading', { name: 'Refresh Token Console' })).toBeVisible();
      expect(await layoutProblems(page)).toEqual([]);
      await expect(page.getByRole('main')).toHaveCount(1);
      await axe();
    });
  }
});

test('between the phone and the desktop the header stays one line and nothing scrolls sideways', async ({
  page,
  customer,
}) => {
  await customerWithEverything(customer);
  await openUser(page, customer, 'Refresh Tokens');
  const userPage = page.url().replace(/\/refresh-tokens$/, '');
  // The widest screens: the most columns, and the long IPv6 address, which does not wrap.
  for (const screen of ['/refresh-tokens', '/locations', '/sessions']) {
    await page.goto(`${userPage}${screen}`);
    await expect(page.getByRole('table')).toBeVisible();
    await checkEveryWidth(page, `the user's ${screen.slice(1)} tab`);
  }
  await page.goto(`/search/sessions?ip=${encodeURIComponent(FROM_V6)}`);
  await expect(page.getByRole('table', { name: /Sessions matching/ }).getByRole('row')).not.toHaveCount(1);
  await checkEveryWidth(page, 'the search for sessions');
  await page.goto('/audit');
  await checkEveryWidth(page, 'the audit log');
});

async function checkEveryWidth(page: Page, screen: string) {
  // Each side of the breakpoints (640, 900, 1279), and common phones, tablets and laptops.
  for (const width of [390, 640, 641, 768, 900, 901, 1024, 1180, 1279, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    await settled(page);
    expect.soft(await layoutProblems(page), `${screen} at ${width}px`).toEqual([]);
  }
}
