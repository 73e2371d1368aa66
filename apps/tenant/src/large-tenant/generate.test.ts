import { ipDatabase } from '@rtc/ip-intel';
import { describe, expect, it } from 'vitest';
import { hostInNetwork } from './generate.ts';
import { DEVICES } from '../demo/names.ts';

describe('generated addresses', () => {
  const db = ipDatabase();

  it('stay in the listed address network: the lookup gives the same ASN and country', () => {
    for (const ip of DEVICES.flatMap((d) => d.ips))
      for (const index of [0, 1, 2, 999_999]) {
        const host = hostInNetwork(ip, index);
        expect(db.lookup(host)?.asn, `${ip} -> ${host}`).toBe(db.lookup(ip)?.asn);
        expect(db.lookup(host)?.country, `${ip} -> ${host}`).toBe(db.lookup(ip)?.country);
      }
  });

  it('spread over the network: every one of 254 IPv4 hosts is used, none by more than twice its share', () => {
    const counts = new Map<string, number>();
    // The generator draws one address per token; every other token (one client) here.
    for (let i = 0; i < 254_000; i += 2) {
      const host = hostInNetwork('172.56.21.14', i);
      counts.set(host, (counts.get(host) ?? 0) + 1);
    }
    expect(counts.size).toBe(254);
    expect(Math.max(...counts.values())).toBeLessThan((2 * 127_000) / 254);
    expect(hostInNetwork('2607:fb90:2c1e:8a1::1a', 5)).toMatch(/^2607:fb90:2c1e:8a1::[0-9a-f]{1,4}$/);
  });
});
