import { z } from 'zod';
import { intFromQuery } from './common.ts';

/** The search's filter fields and their checks, shared by the search, its revocations and the containment. */

/** The address formats the search takes: one address, or a CIDR range. */
const IP_FORMATS = [z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()];
/** An optional text filter: surrounding blanks dropped, and an empty one (a cleared field) is no filter. */
const textFilter = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : undefined));

/**
 * An ISO 8601 instant with a time zone, as the tenant takes it: at most 9 fractional-second
 * digits (nanoseconds), so a longer one is the console's 400 naming the field, not the tenant's.
 */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATETIME = z.iso.datetime({ offset: true });
const instant = z
  .string()
  .max(40)
  .refine(
    (v) => ISO_INSTANT.test(v) && ISO_DATETIME.safeParse(v).success,
    'must be an ISO 8601 date and time with a time zone (+hh:mm or Z), at most 9 fractional-second digits',
  );

export const searchFields = {
  /** An IPv4/IPv6 address or CIDR range: matches a token (session) first or last seen in it. */
  ip: textFilter(64).refine(
    (v) => v === undefined || IP_FORMATS.some((f) => f.safeParse(v).success),
    'must be an IPv4 or IPv6 address, or a CIDR range such as 203.0.113.0/24',
  ),
  /** "AS64500" or "64500": the network first or last seen on. */
  asn: textFilter(12).refine(
    (v) => v === undefined || (/^(AS)?\d{1,10}$/i.test(v) && Number(v.replace(/^AS/i, '')) <= 4_294_967_295),
    'must be an AS number such as AS64500',
  ),
  /** Part of the user agent first or last seen, any case. */
  user_agent: textFilter(256),
  /** Part of the device name, any case. */
  device_name: textFilter(255),
  client_id: textFilter(255),
  /** "Last used between": from (inclusive) and to (exclusive), ISO 8601 instants. */
  last_used_from: instant.optional(),
  last_used_to: instant.optional(),
  /** Only tokens bound to a DPoP key, or only bearer ones: narrows the others, no condition of its own. */
  dpop: z.enum(['bound', 'bearer']).optional(),
};
const { client_id: _clientId, device_name: _deviceName, dpop: _dpop, ...sessionFields } = searchFields;
/** A session has no application, device name or binding of its own to search by. */
export const sessionSearchFields = sessionFields;

type FilterShape = {
  ip?: string;
  asn?: string;
  user_agent?: string;
  device_name?: string;
  client_id?: string;
  last_used_from?: string;
  last_used_to?: string;
  dpop?: string;
};
const FILTER_KEYS = ['ip', 'asn', 'user_agent', 'device_name', 'client_id', 'last_used_from', 'last_used_to'] as const;
/** A search names at least one condition (the tenant refuses a search of everything), and a time range that is one. */
export const checkFilter = (f: FilterShape, ctx: z.RefinementCtx) => {
  if (!FILTER_KEYS.some((k) => f[k] !== undefined))
    ctx.addIssue({
      code: 'custom',
      path: ['filter'],
      message: 'Give at least one of ip, asn, user_agent, device_name, client_id, last_used_from, last_used_to.',
    });
  if (f.last_used_from && f.last_used_to && Date.parse(f.last_used_from) >= Date.parse(f.last_used_to))
    ctx.addIssue({ code: 'custom', path: ['last_used_to'], message: 'must be after last_used_from' });
};
/** `from`: the tenant's cursor, at most 255 characters there too. */
export const paging = { take: intFromQuery(1, 100, 50), from: z.string().min(1).max(255).optional() };
