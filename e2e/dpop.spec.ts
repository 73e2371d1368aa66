import { dpopKey } from '@rtc/testkit';
import { callApi, expect, openUser, STAFF_STATE, test } from './fixtures.ts';

test.use({ storageState: STAFF_STATE('support') });

/**
 * A customer's app holds a DPoP-bound refresh token; a copy of it, without the app's
 * private key, is tried from another network and refused. The support person sees the token's
 * binding, the alert saying where the stolen copy came from, and revokes that token in one
 * click through its preview; the tenant then refuses it even with the key.
 */
test('a DPoP-bound token tried without its key: the binding, the alert with its place, and one-click revoke through the preview', async ({
  page,
  customer,
  axe,
  shot,
}) => {
  const key = await dpopKey();
  const app = customer.app('mobile');
  const token = await app.login(customer.email, 'Bound Pixel', { dpop: key });
  // The thief: the same refresh token, no proof, from Cloudflare's network.
  expect((await app.refresh(token, { from: '1.1.1.1', userAgent: 'curl/8.5.0' })).status).toBe(403);

  await openUser(page, customer, 'Refresh Tokens');
  const row = page
    .getByRole('table', { name: 'Refresh tokens of this user' })
    .getByRole('row', { name: /Bound Pixel/ });
  await expect(row).toContainText(`Bound to key ${key.jkt.slice(0, 8)}… (DPoP)`);

  const alerts = page.getByRole('region', { name: 'Security alerts' });
  await expect(alerts).toContainText(
    /A stolen copy of this token was tried without its key from 1\.1\.1\.1 on Cloudflare, Inc\. \(AS13335\)/,
  );
  await expect(alerts).toContainText('Acme Mobile on Bound Pixel');
  await axe();
  await shot('screen-dpop-theft-alert');

  await alerts.getByRole('button', { name: 'Revoke this token' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke this stolen refresh token?' });
  await expect(dialog.getByTestId('impact')).toContainText(
    'This revokes the refresh token of Acme Mobile on Bound Pixel.',
  );
  await expect(dialog.getByTestId('impact')).toContainText(`Binding: Bound to key ${key.jkt.slice(0, 8)}… (DPoP).`);
  await dialog.getByRole('button', { name: 'Revoke' }).click();
  await expect(dialog).toHaveCount(0);

  // The server agrees: the token is no longer the user's, and the app with its key is refused.
  await expect
    .poll(async () => {
      const res = await callApi(page, 'GET', `/api/users/${encodeURIComponent(customer.user_id)}/refresh-tokens`);
      const { tokens } = (await res.json()) as { tokens: { device_name: string | null }[] };
      return tokens.some((t) => t.device_name === 'Bound Pixel');
    })
    .toBe(false);
  expect((await app.refresh(token, { dpop: key })).status).toBe(403);
  await expect(alerts).toContainText('This token has since been revoked.');
  await expect(row).toHaveCount(0);
  await axe();
});
