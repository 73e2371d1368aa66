import type { DeviceList, LocationList } from '@rtc/contracts';
import { callApi, expect, STAFF_STATE, test } from './fixtures.ts';

test.use({ storageState: STAFF_STATE('support') });

test("Locations: where a user's tokens were issued and used, on an offline map and in a table, named by the IP database; axe clean", async ({
  page,
  customer,
  shot,
  axe,
}) => {
  // A sign-in now (from this machine: an address no network announces) beside the demo
  // tenant's devices on real networks' addresses.
  await customer.login('Locations Phone', 'mobile');
  // And one from a real network's address (as the trusted proxy reports it), so the test does
  // not depend on this user's demo devices surviving the journeys before it: an application-wide
  // revocation there can take every demo device of the user this test is handed.
  await customer.login('Locations Laptop', 'web', { from: '81.2.69.160' });
  // As openUser does, but waiting for the search's one result before clicking it (the
  // unfiltered first page can hold the same name and be replaced under the click).
  await page.goto('/users');
  await page.getByRole('searchbox', { name: 'Search users' }).fill(customer.email);
  const results = page.getByRole('table', { name: 'Users matching the search' });
  await expect(results.getByRole('row')).toHaveCount(2);
  await results.getByRole('link', { name: customer.name }).click();
  await expect(page.getByRole('heading', { level: 1, name: customer.name })).toBeVisible();
  await page.getByRole('navigation', { name: 'User sections' }).getByRole('link', { name: 'Locations' }).click();
  await expect(page).toHaveURL(/\/locations$/);
  await expect(page.getByRole('heading', { level: 2, name: 'Locations' })).toBeVisible();

  const res = await callApi(page, 'GET', `/api/users/${encodeURIComponent(customer.user_id)}/locations`);
  expect(res.status()).toBe(200);
  const { locations } = (await res.json()) as LocationList;
  const named = locations.filter((l) => l.network && l.country_name);
  expect(named.length, 'the demo devices are on real networks').toBeGreaterThan(0);

  const table = page.getByRole('table', { name: /Networks and countries/ });
  for (const location of named) {
    const row = table
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${escapeRegExp(location.network!)}`) }) })
      .filter({ hasText: location.country_name! });
    await expect(row.first()).toBeVisible();
  }
  // This sign-in's address: shown, with no network invented for it, read as what it is (as the alerts say it).
  await expect(table.getByRole('row').filter({ hasText: '127.0.0.1' }).getByRole('rowheader')).toHaveText(
    'Loopback address',
  );
  await expect(table.getByRole('row').filter({ hasText: '127.0.0.1' })).toContainText(
    'None: not on the public internet',
  );
  await expect(table.getByRole('row').filter({ hasText: '127.0.0.1' })).toContainText('Locations Phone');

  // The map: drawn in the page from bundled shapes, with the visited countries named.
  const map = page.getByRole('img', { name: /Countries where this user's tokens and sessions were used/ });
  await expect(map).toBeVisible();
  await expect(map.locator('path.country')).not.toHaveCount(0);
  await expect(map.locator('path.country.latest')).toHaveCount(1);
  for (const country of new Set(named.map((l) => l.country_name!)))
    await expect(map.locator('desc')).toContainText(country);

  await expect(page.getByRole('status', { name: /Loading/ })).toHaveCount(0);
  await axe();
  await shot('screen-locations');

  // The same names on the other tabs: a device's last address with its network.
  await page.getByRole('navigation', { name: 'User sections' }).getByRole('link', { name: 'Devices' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Devices' })).toBeVisible();
  const { devices } = (await (
    await callApi(page, 'GET', `/api/users/${encodeURIComponent(customer.user_id)}/devices`)
  ).json()) as DeviceList;
  const onNetwork = devices.find((d) => d.last_place?.network)!;
  expect(onNetwork, 'a demo device last used on a real network').toBeTruthy();
  await expect(
    page
      .getByText(
        new RegExp(
          `${escapeRegExp(onNetwork.last_ip!)} · ${escapeRegExp(onNetwork.last_place!.network!)} \\(${onNetwork.last_place!.asn}\\)`,
        ),
      )
      .first(),
  ).toBeVisible();

  // The data's licence: credit with a link back, on every page.
  await expect(page.getByRole('contentinfo').getByRole('link', { name: 'IP Geolocation by DB-IP' })).toHaveAttribute(
    'href',
    'https://db-ip.com',
  );
});

test('the map loads only with the Locations tab: no map code on the users page', async ({ page }) => {
  const scripts: string[] = [];
  page.on('response', (r) => {
    if (r.request().resourceType() === 'script') scripts.push(r.url());
  });
  await page.goto('/users');
  await expect(page.getByRole('searchbox', { name: 'Search users' })).toBeVisible();
  expect(scripts.some((url) => /world-map/.test(url))).toBe(false);
});

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
