/** The three ways of running the rotation's statements (bench/query-builder.ts), on SQLite and on PostgreSQL. */
import type Database from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, SqliteDialect, type Compilable } from 'kysely';
import { createPool, transaction, type Queryable } from '@rtc/db/postgres';
import { openSqlite, whenWritable } from '@rtc/db/sqlite';
import { SQLITE_MIGRATIONS, toRefreshToken, type Row, type RotationPlanner } from '@rtc/tenant';
import { compilerOnly, type DB } from './kysely-schema.ts';
import { exchanged, presentedOf, rotateAsync, statements, type RotationOutcome } from './statements.ts';

export type Rotate = (secretHash: Buffer, now: number, planner: RotationPlanner) => Promise<RotationOutcome>;
export interface Way {
  name: string;
  rotate: Rotate;
}

/** B on SQLite: Kysely builds and compiles; better-sqlite3 runs it exactly as the store runs its own text. */
export function sqliteCompiled(db: Database.Database): Rotate {
  const qb = compilerOnly('sqlite');
  const s = statements('sqlite');
  const cache = new Map<string, Database.Statement>();
  const prepared = (text: string) => {
    let statement = cache.get(text);
    if (!statement) {
      statement = db.prepare(text);
      cache.set(text, statement);
    }
    return statement;
  };
  const get = (query: Compilable) => {
    const compiled = query.compile();
    return prepared(compiled.sql).get(...compiled.parameters) as Row | undefined;
  };
  const run = (query: Compilable) => {
    const compiled = query.compile();
    prepared(compiled.sql).run(...compiled.parameters);
  };
  // The store's walOnlyTx and tx: a WAL-only commit, BEGIN IMMEDIATE, whenWritable.
  const walOnlyTx = <T>(fn: () => T): T => {
    prepared('PRAGMA synchronous = NORMAL').run();
    try {
      const tx = db.transaction(fn);
      return db.inTransaction ? tx.immediate() : whenWritable(db, () => tx.immediate());
    } finally {
      prepared('PRAGMA synchronous = FULL').run();
    }
  };
  return async (secretHash, now, planner) =>
    walOnlyTx((): RotationOutcome => {
      const secret = get(s.secret(qb, secretHash));
      if (!secret) return { kind: 'unknown' };
      const row = get(s.tokenWithUser(qb, secret.token_id));
      if (!row) return { kind: 'unknown' };
      const token = toRefreshToken(row);
      const plan = planner({
        token,
        presented: presentedOf(secretHash, row),
        previous_valid_until: row.previous_valid_until,
        revoked_by_job: !!get(s.coveredByJob(qb, row))?.covered,
        user: row.user_state,
      });
      switch (plan.kind) {
        case 'reject':
          return { kind: 'rejected', token };
        case 'revoke-family':
          run(s.revokeFamily(qb, token.id, now, plan.reason));
          return { kind: 'reuse-detected', token: { ...token, revoked_at: now, revoked_reason: plan.reason } };
        case 'exchange': {
          if (plan.newSecretHash) run(s.insertSecret(qb, plan.newSecretHash, token.id));
          const rotated = plan.newSecretHash !== null && !plan.replacesCurrent;
          const moved =
            plan.lastIp !== token.device.last_ip ||
            plan.lastAsn !== token.device.last_asn ||
            plan.lastUserAgent !== token.device.last_user_agent;
          run(s.rotate(qb, token.id, plan, rotated, moved));
          return exchanged(token, plan);
        }
      }
    });
}

/** C on SQLite: Kysely's SqliteDialect on its own connection to the file (opened as the store opens its own). */
export function sqliteKysely(path: string): { rotate: Rotate; close: () => Promise<void> } {
  const connection = openSqlite(path, SQLITE_MIGRATIONS);
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: connection }) });
  return {
    rotate: async (secretHash, now, planner) => {
      await sql`PRAGMA synchronous = NORMAL`.execute(db);
      try {
        return await db.transaction().execute((trx) =>
          rotateAsync(
            'sqlite',
            trx,
            async (q) => (await trx.executeQuery<Row>(q.compile())).rows[0],
            (q) => trx.executeQuery(q.compile()),
            secretHash,
            now,
            planner,
          ),
        );
      } finally {
        await sql`PRAGMA synchronous = FULL`.execute(db);
      }
    },
    close: () => db.destroy(),
  };
}

/** B on PostgreSQL: Kysely builds and compiles; the store's pool settings and transaction helper run it. */
export function postgresCompiled(url: string, schema: string): { rotate: Rotate; close: () => Promise<void> } {
  const pool = createPool(url, schema);
  const qb = compilerOnly('postgres');
  const query = (db: Queryable, q: Compilable) => {
    const compiled = q.compile();
    return db.query(compiled.sql, compiled.parameters as unknown[]);
  };
  return {
    rotate: (secretHash, now, planner) =>
      transaction(pool, (db) =>
        rotateAsync(
          'postgres',
          qb,
          async (q) => (await query(db, q)).rows[0],
          (q) => query(db, q),
          secretHash,
          now,
          planner,
        ),
      ),
    close: () => pool.end(),
  };
}

/** C on PostgreSQL: Kysely's PostgresDialect over a pool made as the store makes its own. */
export function postgresKysely(url: string, schema: string): { rotate: Rotate; close: () => Promise<void> } {
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: createPool(url, schema) }) });
  return {
    rotate: (secretHash, now, planner) =>
      db.transaction().execute((trx) =>
        rotateAsync(
          'postgres',
          trx,
          async (q) => (await trx.executeQuery<Row>(q.compile())).rows[0],
          (q) => trx.executeQuery(q.compile()),
          secretHash,
          now,
          planner,
        ),
      ),
    close: () => db.destroy(),
  };
}
