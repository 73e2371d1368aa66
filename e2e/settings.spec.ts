import type { Page } from '@playwright/test';
import { expect, STAFF_STATE, test } from './fixtures.ts';

test.use({ storageState: STAFF_STATE('admin') });

async function setDeletesGrant(page: Page, on: boolean) {
  await page.goto('/settings/advanced');
  const toggle = page.getByRole('switch', { name: 'Refresh Token Revocation Deletes Grant' });
  await expect(toggle).toBeEnabled();
  if ((await toggle.getAttribute('aria-checked')) === String(on)) return;
  await toggle.click();
  const dialog = page.getByRole('dialog', {
    name: `Turn Refresh Token Revocation Deletes Grant ${on ? 'on' : 'off'}?`,
  });
  await dialog.getByRole('button', { name: on ? 'Turn on' : 'Turn off' }).click();
  await expect(dialog).toBeHidden();
  await expect(toggle).toHaveAttribute('aria-checked', String(on));
  await expect(toggle).toBeFocused();
}

test('with "Refresh Token Revocation Deletes Grant" on, /oauth/revoke of one token kills the grant on every device; off, it does not', async ({
  page,
  customer,
  shot,
}) => {
  const app = customer.app('mobile');
  try {
    await setDeletesGrant(page, true);
    await shot('screen-settings');
    const phone = await customer.login('Phone A', 'mobile');
    const tablet = await customer.login('Tablet A', 'mobile');
    expect((await app.revoke(phone)).status).toBe(200);
    await expect.poll(() => customer.exchanges(tablet)).toBe(false);

    await setDeletesGrant(page, false);
    const phoneB = await customer.login('Phone B', 'mobile');
    const tabletB = await customer.login('Tablet B', 'mobile');
    expect((await app.revoke(phoneB)).status).toBe(200);
    expect(await customer.exchanges(phoneB)).toBe(false);
    expect(await customer.exchanges(tabletB)).toBe(true);
  } finally {
    await setDeletesGrant(page, false);
  }
});
