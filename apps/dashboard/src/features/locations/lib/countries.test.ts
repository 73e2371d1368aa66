import type { Location } from '@rtc/contracts';
import { describe, expect, it } from 'vitest';
import { countriesOf } from './countries';

const location = (key: string, country: string | null, last: string): Location => ({
  key,
  asn: null,
  network: null,
  country,
  country_name: country === 'GB' ? 'United Kingdom' : country,
  ips: ['198.51.100.1'],
  first_seen_at: last,
  last_seen_at: last,
  device_names: [],
  token_ids: [],
  session_ids: [],
});

describe('countriesOf', () => {
  it('counts places per country, most recently seen first, and skips places without a country', () => {
    const countries = countriesOf([
      location('a', 'GB', '2026-01-01'),
      location('b', 'FR', '2026-01-03'),
      location('c', 'GB', '2026-01-02'),
      location('d', null, '2026-01-04'),
    ]);
    expect(countries).toEqual([
      { country: 'FR', name: 'FR', places: 1, last_seen_at: '2026-01-03' },
      { country: 'GB', name: 'United Kingdom', places: 2, last_seen_at: '2026-01-02' },
    ]);
  });
});
