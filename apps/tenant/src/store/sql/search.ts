import { networkSpan } from '@rtc/ip-intel';
import type { RefreshTokenSearch } from '../contract/refresh-tokens.ts';
import type { SessionSearch } from '../contract/sessions.ts';
import { LIVENESS } from '../../domain/liveness.ts';
import { liveConditions } from './liveness.ts';

/**
 * The SQL of search across users (the tenant's extension, not Auth0's), the same text for both stores: each passes its
 * `LIVE` clause and a function that binds a value and answers its placeholder.
 *
 * An address or an ASN matches a token's initial OR its last one. Each column has a partial
 * index of live tokens in id order within one value: the ASN, the address, or the address's
 * network (an IPv4 /24, an IPv6 /48: `networkKey` of @rtc/ip-intel) with the address checked
 * in the index. By one ASN, one address or one network up to that size, a walk of each index from the
 * checkpoint comes in id order, so a page is the union of two walks each stopped by the LIMIT
 * (at most twice a page read), then the first `limit` of them by id. A larger network is a
 * range of address keys: each walk gathers its matches from the index and keeps the first
 * `limit` by id (reading each match's row for liveness: a /16 of 84,000 tokens, seconds at 1M
 * tokens). A walk of all tokens in id
 * order, filtered, would stop sooner on a dense network, but only while its tokens are spread
 * over the id order: the tokens of an address that turned hostile yesterday are the newest,
 * and that walk would read every older token first. Totals visit every match anyway.
 */
export interface SearchSql {
  /** `LIVE` of the store, its `now` already bound. */
  live: string;
  bind: (value: unknown) => string;
  /** SQLite's LIKE is case-insensitive for ASCII already; PostgreSQL's ILIKE is. */
  like: 'LIKE' | 'ILIKE';
  /**
   * Keeps the planner off a column's index (SQLite's unary `+`): walking by address or ASN, the
   * application's index (client_id, id) would walk all of its tokens (SQLite has no statistics).
   */
  noIndex?: (column: string) => string;
}

/** `%text%` with LIKE's wildcards taken literally (ESCAPE '\'). */
export function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** The conditions on one token besides the pair searched by (`either`), and that pair. */
function conditions(filter: RefreshTokenSearch, sql: SearchSql) {
  const { bind, like } = sql;
  const pairs: [string, string][] = [];
  if (filter.ip?.from.equals(filter.ip.to)) {
    // One address: its own index, (ip_key, id), not its network's.
    const key = bind(filter.ip.from);
    pairs.push([`initial_ip_key = ${key}`, `last_ip_key = ${key}`]);
  } else if (filter.ip && networkSpan(filter.ip).one) {
    // One network up to a /24 (IPv6: /48): its network's index, the address range checked in it.
    const network = bind(networkSpan(filter.ip).from);
    const from = bind(filter.ip.from);
    const to = bind(filter.ip.to);
    pairs.push([
      `initial_net_key = ${network} AND initial_ip_key BETWEEN ${from} AND ${to}`,
      `last_net_key = ${network} AND last_ip_key BETWEEN ${from} AND ${to}`,
    ]);
  } else if (filter.ip) {
    // A larger network: a range of the address indexes, gathered and sorted.
    const from = bind(filter.ip.from);
    const to = bind(filter.ip.to);
    pairs.push([`initial_ip_key BETWEEN ${from} AND ${to}`, `last_ip_key BETWEEN ${from} AND ${to}`]);
  }
  if (filter.asn !== undefined) {
    const asn = bind(filter.asn);
    pairs.push([`initial_asn = ${asn}`, `last_asn = ${asn}`]);
  }
  const rest = [sql.live];
  if (filter.user_agent !== undefined) {
    // No index serves a substring: a filter, never a walk.
    const ua = bind(containing(filter.user_agent));
    rest.push(`(initial_user_agent ${like} ${ua} ESCAPE '\\' OR last_user_agent ${like} ${ua} ESCAPE '\\')`);
  }
  const walked = filter.ip !== undefined || filter.asn !== undefined;
  if (filter.client_id !== undefined)
    rest.push(`${walked && sql.noIndex ? sql.noIndex('client_id') : 'client_id'} = ${bind(filter.client_id)}`);
  if (filter.device_name !== undefined)
    rest.push(`device_name ${like} ${bind(containing(filter.device_name))} ESCAPE '\\'`);
  if (filter.last_used_from !== undefined)
    rest.push(`coalesce(last_exchanged_at, created_at) >= ${bind(filter.last_used_from)}`);
  if (filter.last_used_to !== undefined)
    rest.push(`coalesce(last_exchanged_at, created_at) < ${bind(filter.last_used_to)}`);
  // A filter on the row, never a walk: no index on dpop_jkt, and none needed beside the others.
  if (filter.dpop !== undefined) rest.push(filter.dpop === 'bound' ? 'dpop_jkt IS NOT NULL' : 'dpop_jkt IS NULL');
  // The address, else the ASN, is walked (an address is the more selective); the other filters.
  const [either, ...others] = pairs;
  for (const [a, b] of others) rest.push(`(${a} OR ${b})`);
  return { either, rest };
}

/**
 * How many live tokens were issued or last used in an address range, counting no further than
 * `limit` + 1: a walk of each address index that reads no row (the index holds the key and the
 * id, and only unrevoked rows; expiry is not checked, so expired tokens count), so it costs at
 * most 2 x (`limit` + 1) index entries however wide the range. The route asks it before searching a range larger than one network, whose
 * page must gather and sort every match (a /16 of 84,000 tokens: seconds at 1M tokens).
 */
export function addressCandidatesSql(
  range: { from: Buffer; to: Buffer },
  bind: (value: unknown) => string,
  limit: number,
): string {
  const [from, to, bound] = [bind(range.from), bind(range.to), bind(limit + 1)];
  const walk = (column: string) =>
    `SELECT id FROM (SELECT id FROM refresh_tokens WHERE ${column} BETWEEN ${from} AND ${to}
      AND revoked_at IS NULL AND ${column} IS NOT NULL LIMIT ${bound}) AS w`;
  return `SELECT count(*) AS candidates FROM (SELECT id FROM (${walk('initial_ip_key')} UNION ${walk('last_ip_key')}) AS u LIMIT ${bound}) AS c`;
}

/** One page of matches in id order after `from`: the columns given, at most `limit` rows. */
export function searchPageSql(
  filter: RefreshTokenSearch,
  sql: SearchSql,
  columns: string,
  from: string | undefined,
  limit: number,
): string {
  const { either, rest } = conditions(filter, sql);
  const after = from !== undefined ? [`id > ${sql.bind(from)}`] : [];
  const lim = sql.bind(limit);
  if (!either)
    return `SELECT ${columns} FROM refresh_tokens WHERE ${[...rest, ...after].join(' AND ')} ORDER BY id LIMIT ${lim}`;
  const walk = (condition: string) =>
    `SELECT id FROM (SELECT id FROM refresh_tokens WHERE ${[condition, ...rest, ...after].join(' AND ')} ORDER BY id LIMIT ${lim}) AS w`;
  return `SELECT ${columns} FROM refresh_tokens WHERE id IN (${walk(either[0])} UNION ${walk(either[1])}) ORDER BY id LIMIT ${lim}`;
}

/**
 * The matches counted, up to `limit` + 1 of them: tokens, users, and devices as the summary
 * counts them (a user's device name; a user's unnamed tokens are one device; the length prefix
 * keeps the pair unambiguous). Past `limit` the count stops, so a filter matching the whole
 * tenant (`ip=::/0`, `user_agent=a`) costs `limit` rows, not a million (seconds, with SQLite's
 * one writer waiting): the store answers `limited` and the counts of those rows, "at least".
 * By address or ASN, the matches are the union of the two index walks, each stopped at the same
 * bound: SQLite does not split an OR of two columns over their indexes and would read every
 * live token (5 s at 1M tokens).
 */
export function searchCountSql(filter: RefreshTokenSearch, sql: SearchSql, limit: number): string {
  const { either, rest } = conditions(filter, sql);
  const bound = sql.bind(limit + 1);
  const walk = (condition: string) =>
    `SELECT id FROM (SELECT id FROM refresh_tokens WHERE ${[condition, ...rest].join(' AND ')} LIMIT ${bound}) AS w`;
  const where = either ? `id IN (${walk(either[0])} UNION ${walk(either[1])})` : rest.join(' AND ');
  return `SELECT count(*) AS tokens, count(DISTINCT user_id) AS users,
            count(DISTINCT length(user_id) || ':' || user_id || ':' || coalesce(device_name, '')) AS devices
          FROM (SELECT user_id, device_name FROM refresh_tokens WHERE ${where} LIMIT ${bound}) AS matched`;
}

/**
 * How a store reads a session's fields: sessions keep their record as JSON, so each store
 * names the expression that extracts a field (`device.last_ip`, `expires_at`) as text or as a
 * number, and its function from address text to key (`ip_key`, `rtc_ip_key`).
 */
export interface SessionFields {
  text: (path: string) => string;
  number: (path: string) => string;
  ipKey: (expression: string) => string;
}

/**
 * Live sessions matching `filter` (see SessionSearch): not ended, and not expired as the
 * domain's liveness says (an expiry of null is none). No index: sessions are searched
 * by a walk of the table in id order, filtered.
 */
function sessionConditions(
  filter: SessionSearch,
  sql: Omit<SearchSql, 'live'>,
  f: SessionFields,
  now: string,
): string[] {
  const { bind, like } = sql;
  const where = liveSessionConditions(f, now);
  if (filter.ip) {
    const from = bind(filter.ip.from);
    const to = bind(filter.ip.to);
    where.push(
      `(${f.ipKey(f.text('device.initial_ip'))} BETWEEN ${from} AND ${to} OR ${f.ipKey(f.text('device.last_ip'))} BETWEEN ${from} AND ${to})`,
    );
  }
  if (filter.asn !== undefined) {
    const asn = bind(filter.asn);
    where.push(`(${f.text('device.initial_asn')} = ${asn} OR ${f.text('device.last_asn')} = ${asn})`);
  }
  if (filter.user_agent !== undefined) {
    const ua = bind(containing(filter.user_agent));
    where.push(
      `(${f.text('device.initial_user_agent')} ${like} ${ua} ESCAPE '\\' OR ${f.text('device.last_user_agent')} ${like} ${ua} ESCAPE '\\')`,
    );
  }
  if (filter.last_used_from !== undefined)
    where.push(`${f.number('last_interacted_at')} >= ${bind(filter.last_used_from)}`);
  if (filter.last_used_to !== undefined) where.push(`${f.number('last_interacted_at')} < ${bind(filter.last_used_to)}`);
  return where;
}

/** A live session (store/sql/liveness.ts): `revoked_at` is a column of its row, its expiries are in its JSON record. */
function liveSessionConditions(f: SessionFields, now: string): string[] {
  return liveConditions(now, (name) => (name === LIVENESS.ended ? name : f.number(name)));
}

/**
 * One page of a user's live sessions in id order after `from` (`json, revoked_at`), at most
 * `limit` (the index on user_id, id). Liveness is decided in the query, not after the LIMIT: a
 * page filtered afterwards ended the listing at the first expired session on its boundary.
 */
export function userSessionsPageSql(
  userId: string,
  bind: SearchSql['bind'],
  f: SessionFields,
  now: string,
  from: string | undefined,
  limit: number,
): string {
  const where = [`user_id = ${bind(userId)}`, ...liveSessionConditions(f, now)];
  if (from !== undefined) where.push(`id > ${bind(from)}`);
  return `SELECT json, revoked_at FROM sessions WHERE ${where.join(' AND ')} ORDER BY id LIMIT ${bind(limit)}`;
}

/** One page of matching sessions in id order after `from` (`json, revoked_at`), at most `limit`. */
export function sessionSearchPageSql(
  filter: SessionSearch,
  sql: Omit<SearchSql, 'live'>,
  f: SessionFields,
  now: string,
  from: string | undefined,
  limit: number,
): string {
  const where = sessionConditions(filter, sql, f, now);
  if (from !== undefined) where.push(`id > ${sql.bind(from)}`);
  return `SELECT json, revoked_at FROM sessions WHERE ${where.join(' AND ')} ORDER BY id LIMIT ${sql.bind(limit)}`;
}

/** The matching sessions counted up to `limit` + 1, as for tokens (`searchCountSql`). */
export function sessionSearchCountSql(
  filter: SessionSearch,
  sql: Omit<SearchSql, 'live'>,
  f: SessionFields,
  now: string,
  limit: number,
): string {
  return `SELECT count(*) AS sessions, count(DISTINCT user_id) AS users
          FROM (SELECT user_id FROM sessions WHERE ${sessionConditions(filter, sql, f, now).join(' AND ')} LIMIT ${sql.bind(limit + 1)}) AS matched`;
}

/** Counts taken up to `limit` + 1 rows, as the search routes answer them: past `limit`, `limited` and "at least". */
export function limitedCounts<T extends Record<string, number>>(
  counted: T,
  key: keyof T,
  limit: number,
): T & { limited: boolean } {
  const limited = counted[key]! > limit;
  return { ...counted, [key]: Math.min(counted[key]!, limit), limited };
}
