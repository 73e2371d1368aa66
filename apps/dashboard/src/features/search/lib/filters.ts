/**
 * The search's filters as the URL keeps them (shareable, back-button friendly) and as the
 * BFF takes them. "Last used between" is kept as the datetime-local fields show it (the
 * viewer's time zone) and sent as ISO instants.
 */

export const TOKEN_FILTER_KEYS = [
  'ip',
  'asn',
  'user_agent',
  'device_name',
  'client_id',
  'last_used_from',
  'last_used_to',
  'dpop',
] as const;
export type FilterKey = (typeof TOKEN_FILTER_KEYS)[number];
/** Sessions carry no application or device name of their own to search by. */
export const SESSION_FILTER_KEYS: readonly FilterKey[] = ['ip', 'asn', 'user_agent', 'last_used_from', 'last_used_to'];

export type SearchFilter = Partial<Record<FilterKey, string>>;

const isTime = (key: FilterKey) => key === 'last_used_from' || key === 'last_used_to';

/** The filters in the URL, those `keys` knows; blanks are no filter. */
export function filterFromParams(
  params: URLSearchParams,
  keys: readonly FilterKey[] = TOKEN_FILTER_KEYS,
): SearchFilter {
  const filter: SearchFilter = {};
  for (const key of keys) {
    const value = params.get(key)?.trim();
    if (value) filter[key] = value;
  }
  return filter;
}

/** No condition to search by: the DPoP binding (`dpop`) only narrows the others, as the tenant takes it. */
export const isEmpty = (filter: SearchFilter) => Object.keys(filter).every((key) => key === 'dpop');

/** The DPoP binding filter's choices, as the BFF and the tenant take them. */
export const DPOP_CHOICES = { bound: 'Bound to a key (DPoP)', bearer: 'Bearer' } as const;

/** datetime-local (viewer's time zone) to an ISO instant; anything else is sent as typed, for the BFF to judge. */
function toIso(local: string): string {
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? local : at.toISOString();
}

/** What the BFF is sent: the same filter, times as instants. */
export function filterForApi(filter: SearchFilter): SearchFilter {
  const out: SearchFilter = {};
  for (const [key, value] of Object.entries(filter) as [FilterKey, string][])
    out[key] = isTime(key) ? toIso(value) : value;
  return out;
}

/** The URL's query string for a filter, e.g. to switch tabs keeping it. */
export function filterSearch(filter: SearchFilter, keys: readonly FilterKey[] = TOKEN_FILTER_KEYS): string {
  const params = new URLSearchParams();
  for (const key of keys) if (filter[key]) params.set(key, filter[key]!);
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}

const LABELS: Record<FilterKey, string> = {
  ip: 'address',
  asn: 'network',
  user_agent: 'agent containing',
  device_name: 'device containing',
  client_id: 'application',
  last_used_from: 'last used from',
  last_used_to: 'last used before',
  dpop: 'binding',
};

/** The filter in words: `address 203.0.113.0/24, application Acme Mobile`. */
export function describeFilter(
  filter: SearchFilter,
  applicationName: (clientId: string) => string = (id) => id,
): string {
  return (Object.entries(filter) as [FilterKey, string][])
    .map(([key, value]) => {
      const shown =
        key === 'client_id'
          ? applicationName(value)
          : isTime(key)
            ? new Date(value).toLocaleString()
            : key === 'dpop'
              ? (DPOP_CHOICES[value as keyof typeof DPOP_CHOICES] ?? value)
              : value;
      return `${LABELS[key]} ${shown}`;
    })
    .join(', ');
}
