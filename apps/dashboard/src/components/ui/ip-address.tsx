import type { IpPlace } from '@rtc/contracts';
import { describePlace } from '../../lib/ip-place';

/**
 * An address kept on one line: a table cell breaking "2001:db8:85a3::8a2e" after a colon, or
 * "203.0.113.25" after a dot, reads as two addresses.
 */
export function IpAddress({ ip }: { ip: string }) {
  return <span className="ip-address">{ip}</span>;
}

/** "9.9.9.9 · Quad9 (AS19281), United States", as ipWithPlace words it, with the address unbroken. */
export function IpWithPlace({
  ip,
  place,
  asn,
  unknown = '—',
}: {
  ip: string | null | undefined;
  place: IpPlace | null | undefined;
  asn?: string | null | undefined;
  unknown?: string;
}) {
  if (!ip) return <>{unknown}</>;
  const described = describePlace(place);
  return (
    <>
      <IpAddress ip={ip} />
      {described ? ` · ${described}` : ''}
      {!place && asn ? ` (${asn})` : ''}
    </>
  );
}
