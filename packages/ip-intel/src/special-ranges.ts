import { parseIPv4, parseIPv6 } from './address.ts';

/**
 * Why no network or country is known for an address that is not on the public internet: the
 * special-purpose ranges of RFC 6890 (IANA's registries) a console is likely to see. A fact of
 * the address itself, so the console can say "private network" instead of nothing, and never
 * has to guess. Null for any other address, and for text that is not one.
 */
export function specialRange(ip: string | null | undefined): string | null {
  if (!ip || ip.length > 45) return null;
  const v4 = parseIPv4(ip);
  if (v4 !== null) return specialV4(v4);
  const w = new Uint32Array(4);
  if (!parseIPv6(ip, w)) return null;
  // IPv4-mapped (::ffff:a.b.c.d): the IPv4 address's range.
  if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) return specialV4(w[3]!);
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 1) return 'loopback address';
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0) return 'unspecified address';
  const top = w[0]! >>> 16;
  if ((top & 0xfe00) === 0xfc00) return 'private network'; // fc00::/7, unique local (RFC 4193)
  if ((top & 0xffc0) === 0xfe80) return 'link-local address'; // fe80::/10
  if (w[0] === 0x20010db8) return 'documentation range'; // 2001:db8::/32 (RFC 3849)
  return null;
}

const V4: [base: number, bits: number, name: string][] = [
  [0x7f000000, 8, 'loopback address'], // 127.0.0.0/8
  [0x0a000000, 8, 'private network'], // 10.0.0.0/8 (RFC 1918)
  [0xac100000, 12, 'private network'], // 172.16.0.0/12
  [0xc0a80000, 16, 'private network'], // 192.168.0.0/16
  [0x64400000, 10, 'carrier-grade NAT'], // 100.64.0.0/10 (RFC 6598)
  [0xa9fe0000, 16, 'link-local address'], // 169.254.0.0/16
  [0x00000000, 8, 'unspecified address'], // 0.0.0.0/8
  [0xc0000200, 24, 'documentation range'], // 192.0.2.0/24 (RFC 5737)
  [0xc6336400, 24, 'documentation range'], // 198.51.100.0/24
  [0xcb007100, 24, 'documentation range'], // 203.0.113.0/24
];

function specialV4(address: number): string | null {
  for (const [base, bits, name] of V4) {
    if (address >>> (32 - bits) === base >>> (32 - bits)) return name;
  }
  return null;
}
