/**
 * A small built-in table of networks to autonomous systems, so the device columns
 * (initial_asn, last_asn) carry something believable without a GeoIP database.
 * Addresses outside the table get null, as Auth0 does when it cannot tell.
 */
const TABLE: [prefix: string, asn: string][] = [
  ['8.8.', 'AS15169'], // Google
  ['17.', 'AS714'], // Apple
  ['31.13.', 'AS32934'], // Meta
  ['52.', 'AS16509'], // Amazon
  ['54.', 'AS16509'],
  ['104.16.', 'AS13335'], // Cloudflare
  ['1.1.1.', 'AS13335'],
  ['24.', 'AS7922'], // Comcast
  ['73.', 'AS7922'],
  ['98.', 'AS7922'],
  ['66.249.', 'AS15169'],
  ['81.2.', 'AS20712'], // Andrews & Arnold
  ['82.132.', 'AS35228'], // O2 UK
  ['88.', 'AS3215'], // Orange
  ['90.', 'AS3215'],
  ['92.', 'AS3215'],
  ['151.', 'AS30722'], // Vodafone IT
  ['172.56.', 'AS21928'], // T-Mobile US
  ['174.', 'AS22394'], // Verizon Wireless
  ['203.0.113.', 'AS64500'], // documentation range
  ['198.51.100.', 'AS64501'],
  ['192.0.2.', 'AS64502'],
];

export function asnOf(ip: string | null | undefined): string | null {
  if (!ip) return null;
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  for (const [prefix, asn] of TABLE) if (v4.startsWith(prefix)) return asn;
  return null;
}
