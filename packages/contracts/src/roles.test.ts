import { describe, expect, it } from 'vitest';
import { ipNarrows, searchNarrows, searchRevokePermission } from './roles.ts';

describe('what narrows a search enough for support to revoke its result', () => {
  it('an address, or a network no wider than a /16 (IPv6 /32)', () => {
    expect(
      ['203.0.113.7', '203.0.0.0/16', '203.0.113.0/24', '2001:db8::1', '2001:db8::/32', '2001:db8:1::/48'].map(
        ipNarrows,
      ),
    ).toEqual([true, true, true, true, true, true]);
    expect(['0.0.0.0/0', '203.0.0.0/15', '::/0', '2001:db8::/31', '1.2.3.4/x'].map(ipNarrows)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('an IPv4-mapped IPv6 network counts as the IPv4 network it is: ::ffff:0:0/96 is every IPv4 address', () => {
    expect(ipNarrows('::ffff:0:0/96')).toBe(false);
    expect(ipNarrows('::FFFF:0.0.0.0/100')).toBe(false);
    expect(ipNarrows('::ffff:203.0.0.0/112')).toBe(true);
    expect(ipNarrows('::ffff:203.0.113.0/120')).toBe(true);
    // Any IPv6 network holding ::ffff:0:0/96 holds every IPv4 address, however it is written.
    for (const wide of ['::/80', '::/32', '0:0:0:0:0:ffff::/96', '::/0', '0::ffff:0:0/90'])
      expect(ipNarrows(wide), wide).toBe(false);
    expect(ipNarrows('2001:db8::/32')).toBe(true);
    expect(ipNarrows('64:ff9b::/96')).toBe(true);
  });

  it('an agent of 4 characters or more, an AS number or a device name; an application or a time range alone does not', () => {
    expect(searchNarrows({ user_agent: 'a' })).toBe(false);
    expect(searchNarrows({ user_agent: 'iPhone' })).toBe(true);
    expect(searchNarrows({ asn: 'AS64500' })).toBe(true);
    expect(searchNarrows({ device_name: 'Pixel' })).toBe(true);
    expect(searchRevokePermission({})).toBe('manageApplications');
    expect(searchRevokePermission({ ip: '::ffff:0:0/96', user_agent: 'a' })).toBe('manageApplications');
  });
});
