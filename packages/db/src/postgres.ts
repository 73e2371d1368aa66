import pg from 'pg';
import { historyAndFresh, type Migrations } from './migrations.ts';

export type { Migrations };

// BIGINT columns hold milliseconds since the epoch: numbers, well within 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Queryable = Pick<pg.PoolClient, 'query'>;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A pool on `url`, optionally confined to `schema` (tests give each tenant its own, so suites
 * run side by side on one database).
 */
export function createPool(url: string, schema?: string, max = 10): pg.Pool {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`Invalid schema name: ${schema}`);
  return new pg.Pool({ connectionString: url, max, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
}

/**
 * Applies the migrations not yet applied, each in its own transaction, holding an advisory
 * lock so that instances starting together apply each one once.
 */
export async function runMigrations(
  pool: pg.Pool,
  migrations: string[] | Migrations,
  options: { schema?: string; table: string },
): Promise<void> {
  const { history, fresh } = historyAndFresh(migrations);
  const client = await pool.connect();
  try {
    const lockKey = `${options.schema ?? 'public'}.${options.table}`;
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    try {
      if (options.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${options.table} (version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
      );
      const { rows } = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${options.table}`);
      const applied = rows[0]?.v ?? 0;
      // Nothing applied: the whole schema at once, recorded as the last migration.
      if (applied === 0 && fresh !== undefined) await inTransaction(client, fresh, history.length, options.table);
      else
        for (let version = applied; version < history.length; version++)
          await inTransaction(client, history[version]!, version + 1, options.table);
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
    }
  } finally {
    client.release();
  }
}

/** Runs `sql` and records `version` as applied, in one transaction. */
async function inTransaction(client: pg.PoolClient, sql: string, version: number, table: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(sql);
    await client.query(`INSERT INTO ${table} (version) VALUES ($1)`, [version]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}

const RETRYABLE = new Set(['40001', '40P01']); // serialization failure, deadlock

/** Runs `fn` in a transaction, retrying the few times PostgreSQL asks for it. */
export async function transaction<T>(pool: pg.Pool, fn: (db: Queryable) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      if (attempt < 4 && RETRYABLE.has((err as { code?: string }).code ?? '')) continue;
      throw err;
    } finally {
      client.release();
    }
  }
}

/** `$n` placeholders built as values are added. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Drops a schema and everything in it (tests give each tenant its own). */
export async function dropSchema(url: string, schema: string): Promise<void> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`Invalid schema name: ${schema}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
