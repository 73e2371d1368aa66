import type { Page, Route } from '@playwright/test';
import { expect, openUser, STAFF_STATE, test } from './fixtures.ts';

test.use({ storageState: STAFF_STATE('support') });

/**
 * Revocation by ids is marked at the tenant at once (not journaled, so the stack's
 * `revocationLagMs` does not apply), and the listing fetched right after the action may already
 * agree: "Revoked" then lasts a few milliseconds and a check can miss it, and did on a loaded CI
 * machine. To see the state a lagging listing shows, the tab's listing requests wait
 * (sent on unchanged to the BFF) until `release`.
 */
async function holdListings(page: Page) {
  const listing = /\/api\/users\/[^/]+\/refresh-tokens(\/page)?(\?.*)?$/;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const handler = async (route: Route) => {
    if (route.request().method() === 'GET') await released;
    await route.continue().catch(() => undefined); // the page may have moved on meanwhile
  };
  await page.route(listing, handler);
  return async () => {
    release();
    await page.unroute(listing, handler);
  };
}

test('refresh tokens tab: revoke one, then all; each shows "Revoked" until the listing agrees', async ({
  page,
  customer,
  shot,
}) => {
  const first = await customer.login('Old Phone', 'mobile');
  const second = await customer.login('New Phone', 'mobile');
  const third = await customer.login('Laptop', 'web');

  await openUser(page, customer, 'Refresh Tokens');
  const table = page.getByRole('table', { name: 'Refresh tokens of this user' });
  const oldPhone = table.getByRole('row', { name: /Old Phone/ });
  await expect(oldPhone).toContainText('Live · rotating');
  const details = oldPhone.getByRole('button', { name: /^Details/ });
  await details.click();
  await expect(details).toHaveAttribute('aria-expanded', 'true');
  await expect(table.getByText('Initial user agent')).toBeVisible();
  await shot('screen-refresh-tokens');
  await details.click();
  await expect(table.getByText('Initial user agent')).toHaveCount(0);

  await oldPhone.getByRole('button', { name: /^Revoke/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke this refresh token?' });
  await expect(dialog.getByTestId('impact')).toContainText(
    'This revokes the refresh token of Acme Mobile on Old Phone.',
  );
  let releaseListings = await holdListings(page);
  await dialog.getByRole('button', { name: 'Revoke' }).click();
  await expect(oldPhone).toContainText('Revoked');
  await releaseListings();
  // Refused at once, whatever the listing says yet.
  expect(await customer.exchanges(first)).toBe(false);
  // It settles: the row goes, without flickering back to live.
  await expect(oldPhone).toHaveCount(0);
  expect(await customer.exchanges(second)).toBe(true);

  // Unfiltered, the bulk action names every row the table shows.
  const bulk = /^Revoke (these \d+ tokens|this token)$/;
  await page.getByRole('button', { name: bulk }).click();
  const all = page.getByRole('dialog', { name: /^Revoke (these \d+ tokens|this token)\?$/ });
  await expect(all.getByTestId('impact')).toContainText(/This revokes all \d+ refresh tokens/);
  // Past a few tokens, a typed confirmation.
  const word = all.getByRole('textbox', { name: 'Type REVOKE to confirm' });
  if (await word.count()) await word.fill('REVOKE');
  releaseListings = await holdListings(page);
  await all.getByRole('button', { name: bulk }).click();
  await expect(table.getByText('Revoked', { exact: true }).first()).toBeVisible();
  await releaseListings();
  await expect(page.getByText('No refresh tokens')).toBeVisible();
  expect(await customer.exchanges(second)).toBe(false);
  expect(await customer.exchanges(third, 'web')).toBe(false);
});

test('a rotating token reused after its leeway shows as a revoked family', async ({ page, customer, shot }) => {
  const app = customer.app('mobile');
  const original = await customer.login('Cloned Phone', 'mobile');
  const rotated = await app.refresh(original);
  expect(rotated.status).toBe(200);
  // An attacker replays the rotated-away token: reuse, the family is revoked.
  expect((await app.refresh(original)).status).toBe(403);
  expect((await app.refresh(rotated.refreshToken!)).status).toBe(403);

  await openUser(page, customer, 'Refresh Tokens');
  const families = page.getByRole('region', { name: 'Revoked token families' });
  await expect(families).toContainText('Reuse detected');
  await expect(families).toContainText('Acme Mobile on Cloned Phone');
  await expect(
    page.getByRole('table', { name: 'Refresh tokens of this user' }).getByRole('row', { name: /Cloned Phone/ }),
  ).toHaveCount(0);
  await shot('screen-revoked-family');
});

test('reuse detection shows on the user header and on the device row, with when, where from and which agent', async ({
  page,
  customer,
}) => {
  const app = customer.app('mobile');
  await customer.login('Reused Phone', 'web'); // keeps the device listed once the family is gone
  const original = await customer.login('Reused Phone', 'mobile');
  const rotated = await app.refresh(original);
  expect(rotated.status).toBe(200);
  expect((await app.refresh(original)).status).toBe(403);

  await openUser(page, customer, 'Devices');
  const header = page.getByRole('region', { name: 'Security alerts' });
  await expect(header).toContainText('Reuse detected');
  await expect(header).toContainText('Acme Mobile on Reused Phone');
  await expect(header).toContainText('from 127.0.0.1');
  await expect(header).toContainText('by node');
  const row = page.getByRole('table', { name: 'Devices of this user' }).getByRole('row', { name: /Reused Phone/ });
  await expect(row).toContainText('Reuse detected');
  await expect(row).toContainText(/from 127\.0\.0\.1.* by node/);
});
