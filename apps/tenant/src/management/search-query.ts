import { addressRange, formatAsn, networkSpan, parseAsn } from '@rtc/ip-intel';
import { invalidQuery } from '../errors/management-error.ts';
import type { RefreshTokenStore } from '../store/contract/refresh-tokens.ts';
import { z } from 'zod';
import { schemas } from './validation.ts';

/**
 * The query parameters shared by the tenant's search extensions (NOT Auth0's):
 * GET /api/v2/refresh-tokens/search and GET /api/v2/sessions/search. Each parses to what the
 * store searches by, so a bad value is a 400 `invalid_query_string` here, never an error below.
 */

/** ISO 8601 instant with a time zone: "2026-01-01T00:00:00Z", "2026-01-01T01:00:00.5+01:00". */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A day that exists: Date.parse takes "2026-02-30" and rolls it over to 2 March. */
function isCalendarDay(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const instant = z
  .string()
  .max(40)
  .refine(
    (v) => ISO_INSTANT.test(v) && isCalendarDay(v) && !Number.isNaN(Date.parse(v)),
    'Expected an ISO 8601 date and time with a time zone',
  )
  .transform((v) => Date.parse(v));

export const searchFilters = {
  /** An address or a CIDR, as the inclusive range of address keys it covers. */
  ip: z
    .string()
    .max(64)
    .transform((v, ctx) => {
      const range = addressRange(v);
      if (!range) ctx.addIssue({ code: 'custom', message: 'Expected an IPv4 or IPv6 address or CIDR' });
      return range ?? z.NEVER;
    })
    .optional(),
  /** "AS64500" or "64500", as the tenant writes it: "AS64500". */
  asn: z
    .string()
    .max(12)
    .transform((v, ctx) => {
      const n = /^(AS)?\d+$/i.test(v) ? parseAsn(v) : null;
      if (n === null) ctx.addIssue({ code: 'custom', message: 'Expected an AS number such as AS64500' });
      return n === null ? z.NEVER : formatAsn(n);
    })
    .optional(),
  user_agent: z.string().min(1).max(256).optional(),
  last_used_from: instant.optional(),
  last_used_to: instant.optional(),
  from: schemas.id.optional(),
  take: schemas.int(1, 100).optional(),
  include_totals: schemas.bool.optional(),
};

/**
 * `include_totals` counts no further than this: a filter matching the whole tenant costs this
 * many rows, not every token (`totals.limited` then says "at least"). The console revokes at
 * most this many at once, so it needs to know no more.
 */
export const SEARCH_TOTALS_LIMIT = 10_000;

/**
 * A range larger than one network (an IPv4 /24, an IPv6 /48) is searched only while it holds
 * at most this many live tokens: its page gathers and sorts every match (a /16 of 84,000
 * tokens took seconds at 1M tokens, the event loop and SQLite's reader busy all along). Past
 * it the search is refused with what to ask instead, checked from the address indexes alone.
 */
export const WIDE_RANGE_LIMIT = 10_000;

/** Refuses a search without any condition: it would list the whole tenant. */
export const needsOneOf =
  (names: string[]) =>
  <T extends Record<string, unknown>>(schema: z.ZodType<T>) =>
    schema.refine((q) => names.some((name) => q[name] !== undefined), `Provide at least one of ${names.join(', ')}`);

/** Refuses (400) a range wider than one network that holds more than WIDE_RANGE_LIMIT live tokens. */
export async function refuseWideRange(
  store: Pick<RefreshTokenStore, 'countAddressCandidates'>,
  ip: { from: Buffer; to: Buffer } | undefined,
): Promise<void> {
  if (!ip || ip.from.equals(ip.to) || networkSpan(ip).one) return;
  if ((await store.countAddressCandidates(ip, WIDE_RANGE_LIMIT)) <= WIDE_RANGE_LIMIT) return;
  throw invalidQuery(
    `Query validation error: ip: this range holds more than ${WIDE_RANGE_LIMIT.toLocaleString('en-US')} live refresh tokens. ` +
      'Search a network within it (an IPv4 /24 or an IPv6 /48) or its AS number (asn).',
  );
}
