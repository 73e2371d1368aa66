import type { RefreshTokenRecord } from '../../domain/model.ts';
import type { RefreshTokenFilter, RefreshTokenSearch, RefreshTokenSearchHit } from '../contract/refresh-tokens.ts';
import {
  checkpoint,
  REFRESH_TOKEN_SUMMARY_COLUMNS,
  SEARCH_HIT_DEVICE_NAME,
  toRefreshToken,
  toRefreshTokenSummary,
  type Row,
} from '../sql/rows.ts';
import { addressCandidatesSql, limitedCounts, searchCountSql, searchPageSql } from '../sql/search.ts';
import { liveTokenSql } from '../sql/liveness.ts';
import { bound, whereOf, type SqliteConnection } from './connection.ts';

/**
 * The read side of the SQLite refresh-token part: a token by id, listings, pages, summaries, search
 * and counts. Every read treats a token a journaled revocation covers as revoked already.
 */
export class SqliteRefreshTokenReads {
  constructor(protected readonly connection: SqliteConnection) {}

  async getRefreshToken(id: string): Promise<RefreshTokenRecord | undefined> {
    const row = this.connection.q('SELECT * FROM refresh_tokens WHERE id = ?').get(id) as Row | undefined;
    return row ? toRefreshToken(row) : undefined;
  }

  async listRefreshTokens(filter: RefreshTokenFilter, now: number, from: string | undefined, take: number) {
    const { where, params } = whereOf(toColumns(filter), TOKEN_FILTER_COLUMNS, [
      ...LIVE,
      '(@from IS NULL OR id > @from)',
    ]);
    const rows = this.connection.q(`SELECT * FROM refresh_tokens ${where} ORDER BY id LIMIT @limit`).all({
      ...params,
      now,
      from: from ?? null,
      limit: take + 1,
    }) as Row[];
    return checkpoint(rows.map(toRefreshToken), take, (t) => t.id);
  }

  async listRefreshTokenSummaries(
    filter: { user_id: string; client_id?: string },
    now: number,
    from: string | undefined,
    take: number,
    options: { userMustExist?: boolean } = {},
  ) {
    // One statement text per shape, each prepared once (`q`). The walk is rt_user_live
    // (user_id, id) over unrevoked rows, in id order: no sort, LIMIT stops it, and a checkpoint
    // is a seek (`id > @from`), not an OR the planner cannot seek on. `+client_id` keeps the
    // planner off rt_client_live (client_id, id), where it walked every live token of the
    // application looking for the user's: 2.8 s at 1M tokens for a user with none of that client.
    const clauses = ['user_id = @user_id', ...LIVE];
    if (filter.client_id !== undefined) clauses.push('+client_id = @client_id');
    if (from !== undefined) clauses.push('id > @from');
    // Uncorrelated: SQLite evaluates it once per execution, one probe of the users' key.
    if (options.userMustExist) clauses.push('EXISTS (SELECT 1 FROM users WHERE user_id = @user_id)');
    // Raw: each row an array in the order of the columns (the statement's text is this method's alone).
    const rows = this.connection
      .q(
        `SELECT ${REFRESH_TOKEN_SUMMARY_COLUMNS} FROM refresh_tokens WHERE ${clauses.join(' AND ')} ORDER BY id LIMIT @limit`,
      )
      .raw(true)
      .all({
        user_id: filter.user_id,
        now,
        limit: take + 1,
        ...(filter.client_id !== undefined ? { client_id: filter.client_id } : {}),
        ...(from !== undefined ? { from } : {}),
      }) as unknown[][];
    return checkpoint(rows.map(toRefreshTokenSummary), take, (t) => t.id);
  }

  async pageRefreshTokens(filter: RefreshTokenFilter, now: number, page: number, perPage: number) {
    const { where, params } = whereOf(toColumns(filter), TOKEN_FILTER_COLUMNS, LIVE);
    const rows = this.connection
      .q(`SELECT * FROM refresh_tokens ${where} ORDER BY id LIMIT @limit OFFSET @offset`)
      .all({
        ...params,
        now,
        limit: perPage,
        offset: page * perPage,
      }) as Row[];
    const total = (
      this.connection.q(`SELECT count(*) AS n FROM refresh_tokens ${where}`).get({ ...params, now }) as Row
    ).n as number;
    return { items: rows.map(toRefreshToken), total };
  }

  async listRefreshTokensHistory(filter: RefreshTokenFilter, page: number, perPage: number) {
    const { where, params } = whereOf(toColumns(filter), TOKEN_FILTER_COLUMNS);
    const rows = this.connection
      .q(`SELECT * FROM refresh_tokens ${where} ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset`)
      .all({
        ...params,
        limit: perPage,
        offset: page * perPage,
      }) as Row[];
    const total = (this.connection.q(`SELECT count(*) AS n FROM refresh_tokens ${where}`).get(params) as Row)
      .n as number;
    return { items: rows.map(toRefreshToken), total };
  }

  async listRevokedRefreshTokens(userId: string, since: number, limit: number) {
    const rows = this.connection
      .q('SELECT * FROM refresh_tokens WHERE user_id = ? AND revoked_at >= ? ORDER BY revoked_at DESC, id DESC LIMIT ?')
      .all(userId, since, limit) as Row[];
    return rows.map(toRefreshToken);
  }

  async countLiveRefreshTokens(filter: RefreshTokenFilter, now: number): Promise<number> {
    const { where, params } = whereOf(toColumns(filter), TOKEN_FILTER_COLUMNS, LIVE);
    return (this.connection.q(`SELECT count(*) AS n FROM refresh_tokens ${where}`).get({ ...params, now }) as Row)
      .n as number;
  }

  async summarizeRefreshTokensByClient(now: number, clientId?: string) {
    const { where, params } = whereOf(
      clientId === undefined ? {} : { client_id: clientId },
      TOKEN_FILTER_COLUMNS,
      LIVE,
    );
    const rows = this.connection
      .q(
        `SELECT t.client_id, t.tokens, t.users, d.devices, t.bound, t.issued_through
         FROM (SELECT client_id, count(*) AS tokens, count(DISTINCT user_id) AS users, count(dpop_jkt) AS bound,
                 max(rowid) AS issued_through FROM refresh_tokens ${where} GROUP BY client_id) t
         JOIN (SELECT client_id, count(*) AS devices
                 FROM (SELECT DISTINCT client_id, user_id, coalesce(device_name, '') FROM refresh_tokens ${where})
                GROUP BY client_id) d ON d.client_id = t.client_id
        ORDER BY t.client_id`,
      )
      .all({ ...params, now }) as Row[];
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
    const { where, params } = whereOf({ client_id: clientId }, TOKEN_FILTER_COLUMNS, LIVE);
    const rows = this.connection
      .q(
        `SELECT user_id, count(*) AS tokens FROM refresh_tokens ${where} GROUP BY user_id ORDER BY tokens DESC, user_id LIMIT @limit`,
      )
      .all({ ...params, now, limit }) as Row[];
    return rows.map((r) => ({ user_id: r.user_id as string, tokens: Number(r.tokens) }));
  }

  async searchRefreshTokens(filter: RefreshTokenSearch, now: number, from: string | undefined, take: number) {
    const { sql, params } = bound((bind) =>
      searchPageSql(
        filter,
        { live: liveAt(bind(now)), bind, like: 'LIKE', noIndex: (column) => `+${column}` },
        `${REFRESH_TOKEN_SUMMARY_COLUMNS}, device_name`,
        from,
        take + 1,
      ),
    );
    const rows = this.connection.q(sql).raw(true).all(params) as unknown[][];
    const hits = rows.map(
      (values): RefreshTokenSearchHit => ({
        ...toRefreshTokenSummary(values),
        device_name: values[SEARCH_HIT_DEVICE_NAME] as string | null,
      }),
    );
    return checkpoint(hits, take, (t) => t.id);
  }

  async countAddressCandidates(range: { from: Buffer; to: Buffer }, limit: number) {
    const { sql, params } = bound((bind) => addressCandidatesSql(range, bind, limit));
    return Number((this.connection.q(sql).get(params) as Row).candidates);
  }

  async countRefreshTokenSearch(filter: RefreshTokenSearch, now: number, limit: number) {
    const { sql, params } = bound((bind) =>
      searchCountSql(filter, { live: liveAt(bind(now)), bind, like: 'LIKE', noIndex: (column) => `+${column}` }, limit),
    );
    const row = this.connection.q(sql).get(params) as Row;
    return limitedCounts(
      { tokens: Number(row.tokens), users: Number(row.users), devices: Number(row.devices) },
      'tokens',
      limit,
    );
  }
}

const TOKEN_FILTER_COLUMNS = [
  'user_id',
  'client_id',
  'audience',
  'session_id',
  'device_name',
  'grant_id',
  'rotating',
] as const;

/** A live token (store/sql/liveness.ts), `now` bound to the given placeholder. */
export const liveAt = (now: string) => liveTokenSql(now, 'rowid');

/** Live, `now` at `@now`: the statements' texts are the same on every call, each prepared once. */
const LIVE = [liveAt('@now')];

/** SQLite keeps booleans as integers. */
const toColumns = (filter: RefreshTokenFilter) =>
  filter.rotating === undefined ? filter : { ...filter, rotating: filter.rotating ? 1 : 0 };
