import type { RefreshToken } from '@rtc/contracts';
import { describe, expect, it } from 'vitest';
import { placeChange, placeOf, userLocations } from './ip-places.ts';
import { theftSignals } from './theft-signals.ts';

const token = (id: string, initial: string, last: string, created: string, exchanged: string | null): RefreshToken => ({
  id,
  client_id: 'app',
  client_name: 'App',
  device_name: `phone ${id}`,
  session_id: null,
  rotating: true,
  created_at: created,
  last_exchanged_at: exchanged,
  expires_at: null,
  idle_expires_at: null,
  device: {
    initial_ip: initial,
    initial_asn: null,
    initial_user_agent: null,
    last_ip: last,
    last_asn: null,
    last_user_agent: null,
    initial_agent: null,
    last_agent: null,
    initial_place: placeOf(initial),
    last_place: placeOf(last),
  },
  resource_servers: [],
  metadata: {},
  binding: null,
  signals: [],
});

describe('placeOf', () => {
  it('names network and country from the address', () => {
    expect(placeOf('9.9.9.9')).toMatchObject({
      asn: 'AS19281',
      network: 'Quad9',
      country: expect.stringMatching(/^[A-Z]{2}$/),
    });
    expect(placeOf('81.2.69.142')).toMatchObject({ country: 'GB', country_name: 'United Kingdom' });
  });

  it('falls back to the ASN the tenant recorded when the address is not in the data', () => {
    expect(placeOf('10.0.0.1', 'AS15169')).toEqual({
      asn: 'AS15169',
      network: 'Google LLC',
      country: null,
      country_name: null,
    });
    expect(placeOf('10.0.0.1', '15169')?.asn).toBe('AS15169');
  });

  it('answers null for what it cannot place', () => {
    expect(placeOf('10.0.0.1')).toBeNull();
    expect(placeOf(null)).toBeNull();
    expect(placeOf('not an ip', 'not an asn')).toBeNull();
  });
});

describe('userLocations', () => {
  it('groups issue and last use by network and country, with first and last seen, most recent first', () => {
    const locations = userLocations(
      [
        token('a', '9.9.9.9', '2001:4860:4860::8888', '2026-01-01T00:00:00Z', '2026-01-05T00:00:00Z'),
        token('b', '9.9.9.10', '9.9.9.10', '2026-01-02T00:00:00Z', null),
      ],
      [],
    );
    const quad9 = locations.find((l) => l.asn === 'AS19281')!;
    expect(quad9).toMatchObject({
      network: 'Quad9',
      first_seen_at: '2026-01-01T00:00:00Z',
      last_seen_at: '2026-01-02T00:00:00Z',
      token_ids: ['a', 'b'],
      device_names: ['phone a', 'phone b'],
    });
    expect(quad9.ips).toEqual(['9.9.9.10', '9.9.9.9']);
    expect(locations[0]).toMatchObject({ asn: 'AS15169', token_ids: ['a'], last_seen_at: '2026-01-05T00:00:00Z' });
  });

  it('keeps an address no data covers as a place of its own', () => {
    const [only] = userLocations([token('c', '10.1.1.1', '10.1.1.1', '2026-01-01T00:00:00Z', null)], []);
    expect(only).toMatchObject({
      key: 'ip|10.1.1.1',
      asn: null,
      network: null,
      country: null,
      ips: ['10.1.1.1'],
      token_ids: ['c'],
    });
  });

  it('says what a loopback or private address is, as the alerts do; a public address it cannot place stays unknown', () => {
    const locations = userLocations(
      [
        token('l', '127.0.0.1', '::1', '2026-01-01T00:00:00Z', null),
        token('p', '192.168.1.20', 'fd00::5', '2026-01-02T00:00:00Z', null),
      ],
      [],
    );
    const rangeOf = (ip: string) => locations.find((l) => l.ips.includes(ip))?.range;
    expect(rangeOf('127.0.0.1')).toBe('loopback address');
    expect(rangeOf('::1')).toBe('loopback address');
    expect(rangeOf('192.168.1.20')).toBe('private network');
    expect(rangeOf('fd00::5')).toBe('private network');
    const [placed] = userLocations([token('q', '9.9.9.9', '9.9.9.9', '2026-01-01T00:00:00Z', null)], []);
    expect(placed!.range).toBeNull();
  });
});

describe('placeChange (the theft flag: issued on one network or in one country, last used on another)', () => {
  const device = (initial: string, last: string) => token('x', initial, last, '2026-01-01T00:00:00Z', null).device;

  it('names both networks and countries when the network changed', () => {
    expect(placeChange(device('88.160.4.21', '73.162.40.8'))).toBe(
      'Last used from Comcast Cable Communications, LLC (AS7922) in United States, but issued on Free SAS (AS12322) in France.',
    );
  });

  it('says nothing when the network is the same, whatever the address', () => {
    expect(placeChange(device('73.162.40.8', '24.5.119.43'))).toBeNull();
  });

  it('is undefined when the data places neither address, so the recorded ASNs decide', () => {
    expect(placeChange(device('10.0.0.1', '10.0.0.2'))).toBeUndefined();
  });
});

describe('theftSignals with places', () => {
  it('flags a token issued in France and last used in the United States by name', () => {
    const d = token('y', '88.160.4.21', '73.162.40.8', '2026-01-01T00:00:00Z', null).device;
    expect(theftSignals({ ...d, initial_asn: 'AS12322', last_asn: 'AS7922' })).toContain(
      'Last used from Comcast Cable Communications, LLC (AS7922) in United States, but issued on Free SAS (AS12322) in France.',
    );
  });
});
