import { DEMO } from '@rtc/tenant';
import { request } from '@playwright/test';
import { bffUrl, expect, test } from './fixtures.ts';

test('sign-out ends the session: the old cookie no longer works', async ({ page }) => {
  const staff = DEMO.staff.find((s) => s.role === 'support')!;
  await page.goto('/users');
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.getByLabel('Email address').fill(staff.email);
  await page.getByLabel('Password').fill(staff.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  const session = (await page.context().cookies(bffUrl())).find((c) => c.name === 'rtc_session')!;
  expect(session.httpOnly).toBe(true);
  expect(session.sameSite).toBe('Lax');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();

  const replay = await request.newContext({
    baseURL: bffUrl(),
    extraHTTPHeaders: { cookie: `rtc_session=${session.value}` },
  });
  expect((await replay.get('/api/me')).status()).toBe(401);
  await replay.dispose();
});
