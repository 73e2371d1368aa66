import { callApi, expect, openUser, STAFF_STATE, test } from './fixtures.ts';

test.use({ storageState: STAFF_STATE('viewer') });

test('a viewer sees no destructive control, and the BFF answers 403 when the call is forced', async ({
  page,
  customer,
}) => {
  const token = await customer.login('Viewer Test Phone', 'mobile');
  await openUser(page, customer, 'Devices');
  await expect(page.getByRole('row', { name: /Viewer Test Phone/ })).toBeVisible();
  for (const tab of ['Devices', 'Authorized Applications', 'Refresh Tokens', 'Sessions']) {
    await page.getByRole('navigation', { name: 'User sections' }).getByRole('link', { name: tab }).click();
    await expect(page.getByRole('heading', { level: 2, name: tab })).toBeVisible();
    await expect(page.getByRole('button', { name: /Unlink|Revoke/ })).toHaveCount(0);
  }
  await page.getByRole('link', { name: 'Tenant Settings' }).click();
  await expect(page.getByRole('switch', { name: 'Refresh Token Revocation Deletes Grant' })).toBeDisabled();
  await expect(page.getByText('Only admins can change this.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Audit log' })).toHaveCount(0);

  const user = encodeURIComponent(customer.user_id);
  for (const [method, path, body] of [
    ['POST', `/api/users/${user}/devices/unlink`, { device_name: 'Viewer Test Phone' }],
    ['POST', `/api/users/${user}/refresh-tokens/revoke-all`, {}],
    ['PATCH', '/api/settings', { revoke_refresh_token_grant: true }],
  ] as const) {
    const res = await callApi(page, method, path, body);
    expect(res.status(), `${method} ${path}`).toBe(403);
  }
  expect(await customer.exchanges(token)).toBe(true);
});
