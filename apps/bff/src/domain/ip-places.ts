import type { IpPlace, Location, RefreshToken, Session } from '@rtc/contracts';
import { formatAsn, ipDatabase, parseAsn, specialRange } from '@rtc/ip-intel';

/**
 * Network and country of every address the console shows, from the offline IP database
 * (packages/ip-intel), so the console is as informative against a real Auth0 tenant (which
 * returns addresses and ASNs) as against the embedded one. Pure lookups, no I/O.
 */

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

function countryName(code: string | null): string | null {
  if (!code) return null;
  try {
    return regionNames.of(code) ?? null;
  } catch {
    return null; // not a region code Intl knows
  }
}

/**
 * The place of an address. The address decides; the ASN the tenant recorded is used only
 * when the data has none for the address (e.g. a range announced after this data's release).
 */
export function placeOf(ip: string | null | undefined, recordedAsn?: string | null): IpPlace | null {
  const db = ipDatabase();
  const info = db.lookup(ip);
  const asn = info?.asn ?? parseAsn(recordedAsn);
  if (!info && asn === null) return null;
  return {
    asn: asn === null ? null : formatAsn(asn),
    network: info?.network ?? (asn === null ? null : db.nameOfAsn(asn)),
    country: info?.country ?? null,
    country_name: countryName(info?.country ?? null),
  };
}

interface Sighting {
  ip: string;
  place: IpPlace | null | undefined;
  at: string | null;
  device: string | null;
  tokenId?: string;
  sessionId?: string;
}

/**
 * Where a user's tokens and sessions were issued and last used, one entry per network and
 * country, most recently seen first: what Auth0's Locations tab shows, from the data the
 * other tabs already load.
 */
export function userLocations(tokens: RefreshToken[], sessions: Session[]): Location[] {
  const sightings: Sighting[] = [];
  for (const t of tokens) {
    const device = t.device_name ?? t.device.last_agent ?? null;
    if (t.device.initial_ip)
      sightings.push({
        ip: t.device.initial_ip,
        place: t.device.initial_place,
        at: t.created_at,
        device,
        tokenId: t.id,
      });
    if (t.device.last_ip)
      sightings.push({
        ip: t.device.last_ip,
        place: t.device.last_place,
        at: t.last_exchanged_at ?? t.created_at,
        device,
        tokenId: t.id,
      });
  }
  for (const s of sessions) {
    const device = s.device_names[0] ?? s.device.last_agent ?? null;
    if (s.device.initial_ip)
      sightings.push({
        ip: s.device.initial_ip,
        place: s.device.initial_place,
        at: s.created_at,
        device,
        sessionId: s.id,
      });
    if (s.device.last_ip)
      sightings.push({
        ip: s.device.last_ip,
        place: s.device.last_place,
        at: s.last_interacted_at ?? s.created_at,
        device,
        sessionId: s.id,
      });
  }

  const byKey = new Map<string, Location & { seen: Map<string, string> }>();
  for (const s of sightings) {
    const place = s.place ?? placeOf(s.ip);
    // An address no data covers (a private range) is a place of its own.
    const key = place?.asn || place?.country ? `${place.country ?? '-'}|${place.asn ?? '-'}` : `ip|${s.ip}`;
    let location = byKey.get(key);
    if (!location) {
      location = {
        key,
        asn: place?.asn ?? null,
        network: place?.network ?? null,
        country: place?.country ?? null,
        country_name: place?.country_name ?? null,
        ips: [],
        first_seen_at: null,
        last_seen_at: null,
        device_names: [],
        token_ids: [],
        session_ids: [],
        // Loopback and private addresses read as such, as the alerts say them (describeAddress).
        range: place?.asn || place?.country ? null : specialRange(s.ip),
        seen: new Map(),
      };
      byKey.set(key, location);
    }
    const at = s.at ?? '';
    if ((location.seen.get(s.ip) ?? '') <= at) location.seen.set(s.ip, at);
    if (s.at && (!location.first_seen_at || s.at < location.first_seen_at)) location.first_seen_at = s.at;
    if (s.at && (!location.last_seen_at || s.at > location.last_seen_at)) location.last_seen_at = s.at;
    if (s.device && !location.device_names.includes(s.device)) location.device_names.push(s.device);
    if (s.tokenId && !location.token_ids.includes(s.tokenId)) location.token_ids.push(s.tokenId);
    if (s.sessionId && !location.session_ids.includes(s.sessionId)) location.session_ids.push(s.sessionId);
  }
  return [...byKey.values()]
    .map(({ seen, ...location }) => ({
      ...location,
      ips: [...seen.entries()].sort((a, b) => b[1].localeCompare(a[1])).map(([ip]) => ip),
    }))
    .sort((a, b) => (b.last_seen_at ?? '').localeCompare(a.last_seen_at ?? '') || a.key.localeCompare(b.key));
}

/**
 * An address in words with what the IP data says of it, for alerts a support person reads
 * aloud: "1.1.1.1 on Cloudflare, Inc. (AS13335) in Australia". Where the data has nothing,
 * it says why when the address itself tells (a private network, loopback), or that the
 * network and country are unknown: never a guess.
 */
export function describeAddress(ip: string | null | undefined, place: IpPlace | null | undefined): string | null {
  if (!ip) return null;
  if (!place) {
    const range = specialRange(ip);
    return range ? `${ip} (${range}: no public network or country)` : `${ip} (network and country unknown)`;
  }
  const network = place.network
    ? `${place.network}${place.asn ? ` (${place.asn})` : ''}`
    : place.asn
      ? `network ${place.asn}`
      : 'an unknown network';
  return `${ip} on ${network} in ${place.country_name ?? place.country ?? 'an unknown country'}`;
}

const describeNetwork = (p: IpPlace) =>
  `${p.network ? `${p.network} (${p.asn})` : p.asn}${p.country_name ? ` in ${p.country_name}` : ''}`;

/**
 * The theft flag's network sentence from the IP database: a token last used on another
 * network, or in another country, than it was issued on. Null when neither changed;
 * undefined when the data places neither address, so the ASNs the tenant recorded decide.
 */
export function placeChange(d: RefreshToken['device']): string | null | undefined {
  const first = d.initial_place;
  const last = d.last_place;
  if (!first?.asn || !last?.asn) return undefined;
  if (first.asn !== last.asn)
    return `Last used from ${describeNetwork(last)}, but issued on ${describeNetwork(first)}.`;
  if (first.country && last.country && first.country !== last.country)
    return `Last used in ${last.country_name ?? last.country}, but issued in ${first.country_name ?? first.country}.`;
  return null;
}
