import { describe, expect, it } from 'vitest';
import { describePlace, ipWithPlace } from './ip-place';

describe('ip places', () => {
  it('names network, AS number and country', () => {
    expect(describePlace({ asn: 'AS19281', network: 'Quad9', country: 'US', country_name: 'United States' })).toBe(
      'Quad9 (AS19281), United States',
    );
    expect(
      ipWithPlace('9.9.9.9', { asn: 'AS19281', network: 'Quad9', country: 'US', country_name: 'United States' }),
    ).toBe('9.9.9.9 · Quad9 (AS19281), United States');
  });

  it('shows what is known, and the bare address when nothing is', () => {
    expect(describePlace({ asn: 'AS64500', network: null, country: null, country_name: null })).toBe('AS64500');
    expect(describePlace({ asn: null, network: null, country: 'GB', country_name: null })).toBe('GB');
    expect(ipWithPlace('10.0.0.1', null)).toBe('10.0.0.1');
    expect(ipWithPlace(null, null)).toBe('—');
  });
});
