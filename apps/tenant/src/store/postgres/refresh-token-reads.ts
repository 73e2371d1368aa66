import { Params } from '@rtc/db/postgres';
import {
  checkpoint,
  REFRESH_TOKEN_SUMMARY_COLUMNS,
  SEARCH_HIT_DEVICE_NAME,
  toRefreshToken,
  toRefreshTokenSummary,
} from '../sql/rows.ts';
import { addressCandidatesSql, limitedCounts, searchCountSql, searchPageSql } from '../sql/search.ts';
import { liveTokenSql } from '../sql/liveness.ts';
import type { RefreshTokenRecord } from '../../domain/model.ts';
import type { RefreshTokenFilter, RefreshTokenSearch, RefreshTokenSearchHit } from '../contract/refresh-tokens.ts';
import { whereOf, type PostgresConnection } from './connection.ts';

/** A live token (store/sql/liveness.ts); each use puts its placeholder for `now` in `$NOW`'s place. */
export const LIVE = liveTokenSql('$NOW', 'seq');
const TOKEN_FILTER_COLUMNS = [
  'user_id',
  'client_id',
  'audience',
  'session_id',
  'device_name',
  'grant_id',
  'rotating',
] as const;

/**
 * The read side of the PostgreSQL refresh-token part: a token by id, listings, pages, summaries,
 * search and counts. Every read treats a token a journaled revocation covers as revoked already.
 */
export class PostgresRefreshTokenReads {
  constructor(protected readonly connection: PostgresConnection) {}

  async getRefreshToken(id: string): Promise<RefreshTokenRecord | undefined> {
    const row = await this.connection.one('SELECT * FROM refresh_tokens WHERE id = $1', [id]);
    return row ? toRefreshToken(row) : undefined;
  }

  async listRefreshTokens(filter: RefreshTokenFilter, now: number, from: string | undefined, take: number) {
    const params = new Params();
    const nowParam = params.add(now);
    const where = whereOf(filter, TOKEN_FILTER_COLUMNS, params, [
      LIVE.replaceAll('$NOW', nowParam),
      `(${params.add(from ?? null)}::text IS NULL OR id > $${params.values.length})`,
    ]);
    const rows = await this.connection.all(
      `SELECT * FROM refresh_tokens ${where} ORDER BY id LIMIT ${params.add(take + 1)}`,
      params.values,
    );
    return checkpoint(rows.map(toRefreshToken), take, (t) => t.id);
  }

  async listRefreshTokenSummaries(
    filter: { user_id: string; client_id?: string },
    now: number,
    from: string | undefined,
    take: number,
    options: { userMustExist?: boolean } = {},
  ) {
    // One statement text per shape, prepared once per connection under its own name; the walk
    // is rt_user_live (user_id, id) over unrevoked rows in id order, and a checkpoint a seek.
    const params = new Params();
    const userParam = params.add(filter.user_id);
    const clauses = [`user_id = ${userParam}`, LIVE.replaceAll('$NOW', params.add(now))];
    if (filter.client_id !== undefined) clauses.push(`client_id = ${params.add(filter.client_id)}`);
    if (from !== undefined) clauses.push(`id > ${params.add(from)}`);
    if (options.userMustExist) clauses.push(`EXISTS (SELECT 1 FROM users WHERE user_id = ${userParam})`);
    const shape = `${filter.client_id !== undefined ? 'c' : ''}${from !== undefined ? 'f' : ''}${options.userMustExist ? 'u' : ''}`;
    const { rows } = await this.connection.pool.query({
      name: `rt_summaries_${shape}`,
      text: `SELECT ${REFRESH_TOKEN_SUMMARY_COLUMNS} FROM refresh_tokens WHERE ${clauses.join(' AND ')} ORDER BY id LIMIT ${params.add(take + 1)}`,
      values: params.values,
      rowMode: 'array',
    });
    return checkpoint(rows.map(toRefreshTokenSummary), take, (t) => t.id);
  }

  async pageRefreshTokens(filter: RefreshTokenFilter, now: number, page: number, perPage: number) {
    const params = new Params();
    const where = whereOf(filter, TOKEN_FILTER_COLUMNS, params, [LIVE.replaceAll('$NOW', params.add(now))]);
    const filterParams = [...params.values];
    const rows = await this.connection.all(
      `SELECT * FROM refresh_tokens ${where} ORDER BY id LIMIT ${params.add(perPage)} OFFSET ${params.add(page * perPage)}`,
      params.values,
    );
    const total = Number(
      (await this.connection.one(`SELECT count(*) AS n FROM refresh_tokens ${where}`, filterParams))!.n,
    );
    return { items: rows.map(toRefreshToken), total };
  }

  async listRefreshTokensHistory(filter: RefreshTokenFilter, page: number, perPage: number) {
    const params = new Params();
    const where = whereOf(filter, TOKEN_FILTER_COLUMNS, params);
    const filterParams = [...params.values];
    const rows = await this.connection.all(
      `SELECT * FROM refresh_tokens ${where} ORDER BY created_at DESC, id DESC LIMIT ${params.add(perPage)} OFFSET ${params.add(page * perPage)}`,
      params.values,
    );
    const total = Number(
      (await this.connection.one(`SELECT count(*) AS n FROM refresh_tokens ${where}`, filterParams))!.n,
    );
    return { items: rows.map(toRefreshToken), total };
  }

  async listRevokedRefreshTokens(userId: string, since: number, limit: number) {
    const rows = await this.connection.all(
      'SELECT * FROM refresh_tokens WHERE user_id = $1 AND revoked_at >= $2 ORDER BY revoked_at DESC, id DESC LIMIT $3',
      [userId, since, limit],
    );
    return rows.map(toRefreshToken);
  }

  async countLiveRefreshTokens(filter: RefreshTokenFilter, now: number): Promise<number> {
    const params = new Params();
    const where = whereOf(filter, TOKEN_FILTER_COLUMNS, params, [LIVE.replaceAll('$NOW', params.add(now))]);
    return Number((await this.connection.one(`SELECT count(*) AS n FROM refresh_tokens ${where}`, params.values))!.n);
  }

  async summarizeRefreshTokensByClient(now: number, clientId?: string) {
    const params = new Params();
    const where = whereOf(clientId === undefined ? {} : { client_id: clientId }, TOKEN_FILTER_COLUMNS, params, [
      LIVE.replaceAll('$NOW', params.add(now)),
    ]);
    const rows = await this.connection.all(
      `SELECT client_id, count(*) AS tokens, count(DISTINCT user_id) AS users,
         count(DISTINCT (user_id, coalesce(device_name, ''))) AS devices, count(dpop_jkt) AS bound, max(seq) AS issued_through
         FROM refresh_tokens ${where} GROUP BY client_id ORDER BY client_id COLLATE "C"`,
      params.values,
    );
    return rows.map((r) => ({
      client_id: r.client_id as string,
      tokens: Number(r.tokens),
      users: Number(r.users),
      devices: Number(r.devices),
      bound: Number(r.bound),
      issued_through: Number(r.issued_through),
    }));
  }

  async listRefreshTokenUsersOfClient(clientId: string, now: number, limit: number) {
    const params = new Params();
    const where = whereOf({ client_id: clientId }, TOKEN_FILTER_COLUMNS, params, [
      LIVE.replaceAll('$NOW', params.add(now)),
    ]);
    const rows = await this.connection.all(
      `SELECT user_id, count(*) AS tokens FROM refresh_tokens ${where} GROUP BY user_id ORDER BY count(*) DESC, user_id COLLATE "C" LIMIT ${params.add(limit)}`,
      params.values,
    );
    return rows.map((r) => ({ user_id: r.user_id as string, tokens: Number(r.tokens) }));
  }

  async searchRefreshTokens(filter: RefreshTokenSearch, now: number, from: string | undefined, take: number) {
    const params = new Params();
    const bind = (value: unknown) => params.add(value);
    const text = searchPageSql(
      filter,
      { live: LIVE.replaceAll('$NOW', bind(now)), bind, like: 'ILIKE' },
      `${REFRESH_TOKEN_SUMMARY_COLUMNS}, device_name`,
      from,
      take + 1,
    );
    const { rows } = await this.connection.pool.query({ text, values: params.values, rowMode: 'array' });
    const hits = rows.map(
      (values: unknown[]): RefreshTokenSearchHit => ({
        ...toRefreshTokenSummary(values),
        device_name: values[SEARCH_HIT_DEVICE_NAME] as string | null,
      }),
    );
    return checkpoint(hits, take, (t) => t.id);
  }

  async countAddressCandidates(range: { from: Buffer; to: Buffer }, limit: number) {
    const params = new Params();
    const row = (await this.connection.one(
      addressCandidatesSql(range, (value) => params.add(value), limit),
      params.values,
    ))!;
    return Number(row.candidates);
  }

  async countRefreshTokenSearch(filter: RefreshTokenSearch, now: number, limit: number) {
    const params = new Params();
    const bind = (value: unknown) => params.add(value);
    const row = (await this.connection.one(
      searchCountSql(filter, { live: LIVE.replaceAll('$NOW', bind(now)), bind, like: 'ILIKE' }, limit),
      params.values,
    ))!;
    return limitedCounts(
      { tokens: Number(row.tokens), users: Number(row.users), devices: Number(row.devices) },
      'tokens',
      limit,
    );
  }
}
