import type { IpPlace } from '@rtc/contracts';

/** "Quad9 (AS19281), United States": the network and country the BFF found for an address. */
export function describePlace(place: IpPlace | null | undefined): string | null {
  if (!place) return null;
  const network = place.network ? `${place.network}${place.asn ? ` (${place.asn})` : ''}` : place.asn;
  const country = place.country_name ?? place.country;
  return [network, country].filter(Boolean).join(', ') || null;
}

/** "9.9.9.9 · Quad9 (AS19281), United States", or the address alone when nothing is known of it. */
export function ipWithPlace(ip: string | null | undefined, place: IpPlace | null | undefined, unknown = '—'): string {
  if (!ip) return unknown;
  const described = describePlace(place);
  return described ? `${ip} · ${described}` : ip;
}
