/**
 * The store's rotation statements built with Kysely, and rotateRefreshToken's decisions over
 * them, for the ways that run them asynchronously.
 */
import { sql, type Compilable, type ExpressionBuilder, type SqlBool } from 'kysely';
import { addressKey, networkKey } from '@rtc/ip-intel';
import {
  toRefreshToken,
  type Row,
  type RotationOutcome as StoreRotationOutcome,
  type RotationPlanner,
} from '@rtc/tenant';
import type { Builder, DB } from './kysely-schema.ts';

/**
 * Each builds, with Kysely, the statement the store writes by hand (same clauses, same
 * literals, same parameters); `dialect` picks what the two stores write differently.
 */
export const statements = (dialect: 'sqlite' | 'postgres') => ({
  secret: (db: Builder, hash: Buffer) =>
    db.selectFrom('refresh_token_secrets').select('token_id').where('hash', '=', hash),

  /** The row with its user's state, locked on PostgreSQL (the SQLite transaction holds the write lock). */
  tokenWithUser: (db: Builder, id: string) => {
    const query = db
      .selectFrom('refresh_tokens as t')
      .leftJoin('users as u', 'u.user_id', 't.user_id')
      .selectAll('t')
      .select((eb) => [
        // SQLite's sequence is the rowid; PostgreSQL's is a column, in t.*.
        ...(dialect === 'sqlite' ? [sql.ref<number>('t.rowid').as('seq')] : []),
        eb
          .case()
          .when('u.user_id', 'is', null)
          .then(sql.lit('missing'))
          .when(
            dialect === 'sqlite'
              ? eb.fn<SqlBool>('json_extract', ['u.json', sql.lit('$.blocked')])
              : sql<SqlBool>`(${eb.ref('u.json')}::json->>'blocked')::boolean`,
          )
          .then(sql.lit('blocked'))
          .else(sql.lit('active'))
          .end()
          .as('user_state'),
      ])
      .where('t.id', '=', id);
    return dialect === 'postgres' ? query.forUpdate('t') : query;
  },

  /** coveredByPendingRevocation (store/sql/pending-revocation.ts) of one row read. */
  coveredByJob: (db: Builder, row: Row) => {
    const typed = <T>(eb: ExpressionBuilder<DB, 'revocation_jobs'>, value: T, type: 'bigint' | 'text') =>
      dialect === 'postgres' ? eb.cast<T>(eb.val(value), type) : eb.val(value);
    return db.selectNoFrom((outer) =>
      outer
        .exists(
          db
            .selectFrom('revocation_jobs')
            .select(sql.lit(1).as('one'))
            .where((eb) => {
              const j = (column: keyof DB['revocation_jobs'], value: unknown) =>
                eb(`revocation_jobs.${column}`, '=', typed(eb, value, 'text') as never);
              const kind = (name: string) => eb('revocation_jobs.kind', '=', sql.lit(name));
              const anyOr = (column: 'client_id' | 'audience', value: unknown) =>
                eb.or([eb(`revocation_jobs.${column}`, 'is', null), j(column, value)]);
              return eb.and([
                eb('revocation_jobs.cutoff', '>=', typed(eb, row.seq, 'bigint') as never),
                eb.or([
                  eb.and([kind('token'), j('token_id', row.id)]),
                  eb.and([
                    kind('user'),
                    j('user_id', row.user_id),
                    anyOr('client_id', row.client_id),
                    anyOr('audience', row.audience),
                  ]),
                  eb.and([kind('grant'), j('grant_id', row.grant_id)]),
                  eb.and([kind('session'), j('session_id', row.session_id)]),
                  eb.and([kind('client'), j('client_id', row.client_id), anyOr('audience', row.audience)]),
                  eb.and([kind('device'), j('user_id', row.user_id), j('device_name', row.device_name)]),
                ]),
              ]);
            }),
        )
        .as('covered'),
    );
  },

  revokeFamily: (db: Builder, id: string, now: number, reason: string) =>
    db
      .updateTable('refresh_tokens')
      .set({ revoked_at: now, revoked_reason: reason })
      .where('id', '=', id)
      .where('revoked_at', 'is', null),

  insertSecret: (db: Builder, hash: Buffer, tokenId: string) =>
    db.insertInto('refresh_token_secrets').values({ hash, token_id: tokenId }),

  /**
   * SQLite writes the address columns only when they changed (they are indexed), PostgreSQL
   * always; `rotated` is 1/0 on SQLite (better-sqlite3 binds no booleans), a boolean on PostgreSQL.
   */
  rotate: (db: Builder, id: string, plan: ExchangePlan, rotated: boolean, moved: boolean) => {
    const lastIpKey = moved ? addressKey(plan.lastIp) : null;
    return db
      .updateTable('refresh_tokens')
      .set((eb) => {
        const when = eb.val(dialect === 'sqlite' ? (rotated ? 1 : 0) : rotated) as never;
        return {
          current_hash: eb.fn.coalesce(eb.val(plan.newSecretHash), 'current_hash') as never,
          previous_hash: eb.case().when(when).then(eb.ref('current_hash')).else(eb.ref('previous_hash')).end() as never,
          previous_valid_until: eb
            .case()
            .when(when)
            .then(
              dialect === 'postgres'
                ? eb.cast(eb.val(plan.previousValidUntil), 'bigint')
                : eb.val(plan.previousValidUntil),
            )
            .else(eb.ref('previous_valid_until'))
            .end() as never,
          idle_expires_at: plan.idleExpiresAt,
          last_exchanged_at: plan.lastExchangedAt,
          ...(moved
            ? {
                last_ip: plan.lastIp,
                last_asn: plan.lastAsn,
                last_user_agent: plan.lastUserAgent,
                last_ip_key: lastIpKey,
                last_net_key: lastIpKey ? networkKey(lastIpKey) : null,
              }
            : {}),
        };
      })
      .where('id', '=', id);
  },
});
export type ExchangePlan = Extract<ReturnType<RotationPlanner>, { kind: 'exchange' }>;
/** The store's outcome without the user its rotation reads now: these variants compare the rotation's statements only. */
export type RotationOutcome =
  | Exclude<StoreRotationOutcome, { kind: 'exchanged' }>
  | Omit<Extract<StoreRotationOutcome, { kind: 'exchanged' }>, 'user'>;

export const presentedOf = (secretHash: Buffer, row: Row) =>
  secretHash.equals(row.current_hash)
    ? 'current'
    : row.previous_hash && secretHash.equals(row.previous_hash)
      ? 'previous'
      : 'stale';

export const exchanged = (token: ReturnType<typeof toRefreshToken>, plan: ExchangePlan): RotationOutcome => ({
  kind: 'exchanged',
  token: {
    ...token,
    idle_expires_at: plan.idleExpiresAt,
    last_exchanged_at: plan.lastExchangedAt,
    device: { ...token.device, last_ip: plan.lastIp, last_asn: plan.lastAsn, last_user_agent: plan.lastUserAgent },
  },
});

/**
 * rotateRefreshToken's decisions (the store's, line for line), over statements run by `first`
 * (one row) and `run` (no rows). Async: B on PostgreSQL and C on both.
 */
export async function rotateAsync(
  dialect: 'sqlite' | 'postgres',
  db: Builder,
  first: (query: Compilable) => Promise<Row | undefined>,
  run: (query: Compilable) => Promise<unknown>,
  secretHash: Buffer,
  now: number,
  planner: RotationPlanner,
): Promise<RotationOutcome> {
  const s = statements(dialect);
  const secret = await first(s.secret(db, secretHash));
  if (!secret) return { kind: 'unknown' };
  const row = await first(s.tokenWithUser(db, secret.token_id));
  if (!row) return { kind: 'unknown' };
  const token = toRefreshToken(row);
  const covered = await first(s.coveredByJob(db, row));
  const plan = planner({
    token,
    presented: presentedOf(secretHash, row),
    previous_valid_until: row.previous_valid_until,
    revoked_by_job: !!covered?.covered,
    user: row.user_state,
  });
  switch (plan.kind) {
    case 'reject':
      return { kind: 'rejected', token };
    case 'revoke-family':
      await run(s.revokeFamily(db, token.id, now, plan.reason));
      return { kind: 'reuse-detected', token: { ...token, revoked_at: now, revoked_reason: plan.reason } };
    case 'exchange': {
      if (plan.newSecretHash) await run(s.insertSecret(db, plan.newSecretHash, token.id));
      const rotated = plan.newSecretHash !== null && !plan.replacesCurrent;
      const moved =
        dialect === 'postgres' ||
        plan.lastIp !== token.device.last_ip ||
        plan.lastAsn !== token.device.last_asn ||
        plan.lastUserAgent !== token.device.last_user_agent;
      await run(s.rotate(db, token.id, plan, rotated, moved));
      return exchanged(token, plan);
    }
  }
}
