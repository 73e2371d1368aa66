import { json, startTestStack, type StaffClient, type TestStack } from '@rtc/testkit';
import { DEMO } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Every address the console shows comes with its network and country, from the
 * offline IP database, whatever the tenant recorded as ASN; and a user's Locations.
 * The demo tenant's devices are on real networks' addresses.
 */
let stack: TestStack;
let viewer: StaffClient;
const USER = encodeURIComponent(DEMO.sampleUser.user_id);

beforeAll(async () => {
  stack = await startTestStack();
  viewer = await stack.signIn('viewer');
});
afterAll(() => stack.stop());

const place = {
  asn: expect.stringMatching(/^AS\d+$/),
  network: expect.any(String),
  country: expect.stringMatching(/^[A-Z]{2}$/),
  country_name: expect.any(String),
};

describe('IP enrichment in the BFF', () => {
  it('names the network and country of both addresses of every refresh token and session', async () => {
    const { tokens } = await json(await viewer.api('GET', `/api/users/${USER}/refresh-tokens`));
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) {
      expect(token.device.initial_place).toMatchObject(place);
      expect(token.device.last_place).toMatchObject(place);
      // The tenant's ASN and the BFF's network agree: both come from the same data.
      expect(token.device.last_place.asn).toBe(token.device.last_asn);
    }
    const { sessions } = await json(await viewer.api('GET', `/api/users/${USER}/sessions`));
    expect(sessions.length).toBeGreaterThan(0);
    for (const session of sessions) expect(session.device.last_place).toMatchObject(place);
  });

  it("shows on the user's Details the last address the tenant knows: the demo user's latest sign-in, with its network", async () => {
    const detail = await json(await viewer.api('GET', `/api/users/${USER}`));
    const { sessions } = await json(await viewer.api('GET', `/api/users/${USER}/sessions`));
    const latest = [...sessions].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)))[0];
    expect(detail.last_ip).toBe(latest.device.last_ip);
    expect(detail.last_place).toMatchObject(place);
  });

  it("names the network of each device's last address", async () => {
    const { devices } = await json(await viewer.api('GET', `/api/users/${USER}/devices`));
    expect(devices.length).toBeGreaterThan(0);
    for (const device of devices) expect(device.last_place).toMatchObject(place);
  });
});

describe('GET /api/users/:id/locations', () => {
  it("lists the places a user's tokens and sessions were used, with first and last seen and what was there", async () => {
    const res = await viewer.api('GET', `/api/users/${USER}/locations`);
    expect(res.status).toBe(200);
    const { locations } = await json(res);
    expect(locations.length).toBeGreaterThan(1);
    for (const location of locations) {
      expect(location).toMatchObject({
        ...place,
        ips: expect.any(Array),
        device_names: expect.any(Array),
        token_ids: expect.any(Array),
        session_ids: expect.any(Array),
      });
      expect(location.ips.length).toBeGreaterThan(0);
      expect(location.token_ids.length + location.session_ids.length).toBeGreaterThan(0);
      expect(Date.parse(location.first_seen_at)).toBeLessThanOrEqual(Date.parse(location.last_seen_at));
    }
    // Most recent first.
    const lastSeen = locations.map((l: { last_seen_at: string }) => l.last_seen_at);
    expect(lastSeen).toEqual([...lastSeen].sort().reverse());
    // Every token appears at its issuing place and at its last place.
    const { tokens } = await json(await viewer.api('GET', `/api/users/${USER}/refresh-tokens`));
    for (const token of tokens) {
      const at = (asn: string) =>
        locations.filter((l: { asn: string; token_ids: string[] }) => l.asn === asn && l.token_ids.includes(token.id));
      expect(at(token.device.initial_place.asn).length).toBeGreaterThan(0);
      expect(at(token.device.last_place.asn).length).toBeGreaterThan(0);
    }
  });

  it('answers 404 for an unknown user', async () => {
    expect((await viewer.api('GET', `/api/users/${encodeURIComponent('auth0|nobody')}/locations`)).status).toBe(404);
  });
});
