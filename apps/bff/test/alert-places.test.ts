import { DEMO, demoEndUser, json, startTestStack, type StaffClient, type TestStack } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Defects 4 and 5: reuse alerts and theft signals say where the token was used: the network
 * (AS holder) and the country the IP data gives for the address, or why it has none. The
 * tenant sits behind one trusted proxy, so an end user's app can come from a public address
 * (X-Forwarded-For), as on a real deployment.
 */

let stack: TestStack;
let viewer: StaffClient;
beforeAll(async () => {
  stack = await startTestStack({ tenant: { options: { trustProxy: 1 } } });
  viewer = await stack.signIn('viewer');
});
afterAll(() => stack.stop());

const QUAD9 = '9.9.9.9';
const CLOUDFLARE = '1.1.1.1';

/** The demo mobile app at /oauth/token, from `from` (the proxy's X-Forwarded-For), or from this machine. */
async function token(form: Record<string, string>, from?: string) {
  const res = await fetch(`${stack.tenantUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(from ? { 'x-forwarded-for': from } : {}) },
    body: new URLSearchParams({ client_id: DEMO.clients.mobile.client_id, ...form }),
  });
  return { status: res.status, body: await json(res) };
}
const login = async (email: string, device: string, from?: string) => {
  const res = await token(
    { grant_type: 'password', username: email, password: DEMO.endUserPassword, scope: 'openid offline_access', device },
    from,
  );
  expect(res.status).toBe(200);
  return res.body.refresh_token as string;
};
const refresh = (refreshToken: string, from?: string) =>
  token({ grant_type: 'refresh_token', refresh_token: refreshToken }, from);

/** A rotated token presented again from `from`: the tenant revokes its family and logs `ferrt`. */
async function reuseOn(email: string, device: string, from?: string) {
  const first = await login(email, device, QUAD9);
  expect((await refresh(first, QUAD9)).status).toBe(200);
  expect((await refresh(first, from)).status).toBe(403);
}

describe('reuse alerts name the network and country of the address', () => {
  it('a token reused from a public address: the event, the header alert and the device row say "on Cloudflare (AS13335) in <country>"', async () => {
    const user = demoEndUser(11);
    const path = `/api/users/${encodeURIComponent(user.user_id)}`;
    await login(user.email, 'Place Phone', QUAD9); // keeps the device listed after its other token's family goes
    await reuseOn(user.email, 'Place Phone', CLOUDFLARE);

    const { events } = await json(await viewer.api('GET', `${path}/security-events`));
    const reuse = events.find((e: { type: string }) => e.type === 'ferrt');
    expect(reuse.ip).toBe(CLOUDFLARE);
    expect(reuse.place).toMatchObject({
      asn: 'AS13335',
      network: 'Cloudflare, Inc.',
      country: expect.stringMatching(/^[A-Z]{2}$/),
    });
    expect(reuse.where).toBe(`${CLOUDFLARE} on Cloudflare, Inc. (AS13335) in ${reuse.place.country_name}`);

    const { devices } = await json(await viewer.api('GET', `${path}/devices`));
    const phone = devices.find((d: { name: string }) => d.name === 'Place Phone');
    expect(phone.reuse.map((e: { where: string }) => e.where)).toEqual([reuse.where]);
  });

  it('a token reused from this machine: the address is named a loopback address with no public network or country, nothing invented', async () => {
    const user = demoEndUser(12);
    await reuseOn(user.email, 'Loopback Phone');
    const { events } = await json(
      await viewer.api('GET', `/api/users/${encodeURIComponent(user.user_id)}/security-events`),
    );
    const reuse = events.find((e: { type: string }) => e.type === 'ferrt');
    expect(reuse.ip).toBe('127.0.0.1');
    expect(reuse.place).toBeNull();
    expect(reuse.where).toBe('127.0.0.1 (loopback address: no public network or country)');
  });

  it('a token reused from a private network behind the proxy is named so', async () => {
    const user = demoEndUser(13);
    await reuseOn(user.email, 'Office Phone', '10.20.30.40');
    const { events } = await json(
      await viewer.api('GET', `/api/users/${encodeURIComponent(user.user_id)}/security-events`),
    );
    expect(events.find((e: { type: string }) => e.type === 'ferrt').where).toBe(
      '10.20.30.40 (private network: no public network or country)',
    );
  });
});

describe('theft signals name the networks and countries', () => {
  it('a token issued on Quad9 and last used on Cloudflare is flagged with both networks and countries, on the token and its device', async () => {
    const user = demoEndUser(14);
    const path = `/api/users/${encodeURIComponent(user.user_id)}`;
    const moved = await login(user.email, 'Roaming Phone', QUAD9);
    expect((await refresh(moved, CLOUDFLARE)).status).toBe(200);
    const stayed = await login(user.email, 'Home Tablet', QUAD9);
    expect((await refresh(stayed, QUAD9)).status).toBe(200);

    const { tokens } = await json(await viewer.api('GET', `${path}/refresh-tokens`));
    const roaming = tokens.find((t: { device_name: string }) => t.device_name === 'Roaming Phone');
    const { initial_place: issued, last_place: used } = roaming.device;
    expect(issued).toMatchObject({ asn: 'AS19281', network: 'Quad9' });
    expect(used).toMatchObject({ asn: 'AS13335', network: 'Cloudflare, Inc.' });
    const signal = `Last used from Cloudflare, Inc. (AS13335) in ${used.country_name}, but issued on Quad9 (AS19281) in ${issued.country_name}.`;
    expect(roaming.signals).toEqual([signal]);
    expect(tokens.find((t: { device_name: string }) => t.device_name === 'Home Tablet').signals).toEqual([]);

    const { devices } = await json(await viewer.api('GET', `${path}/devices`));
    expect(devices.find((d: { name: string }) => d.name === 'Roaming Phone').signals).toEqual([signal]);
    expect(devices.find((d: { name: string }) => d.name === 'Home Tablet').signals).toEqual([]);
  });

  it('between two private addresses, the signal says which ranges they are in rather than leaving bare addresses', async () => {
    const user = demoEndUser(15);
    const moved = await login(user.email, 'Lan Laptop', '192.168.1.20');
    expect((await refresh(moved, '10.0.0.7')).status).toBe(200);
    const { tokens } = await json(
      await viewer.api('GET', `/api/users/${encodeURIComponent(user.user_id)}/refresh-tokens`),
    );
    expect(tokens.find((t: { device_name: string }) => t.device_name === 'Lan Laptop').signals).toEqual([
      'Last used from 10.0.0.7 (private network: no public network or country), but issued at 192.168.1.20 (private network: no public network or country).',
    ]);
  });
});
