import { ipDatabase } from '@rtc/ip-intel';
import { describe, expect, it } from 'vitest';
import { DEVICES } from './names.ts';

describe('demo devices', () => {
  const db = ipDatabase();

  it('use public addresses of real networks, so the console shows real names out of the box', () => {
    for (const device of DEVICES)
      for (const ip of device.ips) {
        const info = db.lookup(ip);
        expect(info, `${device.name} ${ip}`).not.toBeNull();
        expect(info!.asn, `${device.name} ${ip}`).toBeGreaterThan(0);
        expect(info!.network, `${device.name} ${ip}`).toBeTruthy();
        expect(info!.country, `${device.name} ${ip}`).toMatch(/^[A-Z]{2}$/);
      }
  });

  it('include IPv6 as well as IPv4 addresses, as real devices do', () => {
    const all = DEVICES.flatMap((d) => d.ips);
    expect(all.some((ip) => ip.includes(':'))).toBe(true);
    expect(all.some((ip) => !ip.includes(':'))).toBe(true);
  });

  it('span networks in more than one country (what the Locations view shows)', () => {
    const countries = new Set(DEVICES.flatMap((d) => d.ips).map((ip) => db.lookup(ip)?.country));
    expect(countries.size).toBeGreaterThanOrEqual(3);
    expect(DEVICES.every((d) => d.ips.length >= 2)).toBe(true);
  });
});
