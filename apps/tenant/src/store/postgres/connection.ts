import type pg from 'pg';
import { type Params, transaction, type Queryable } from '@rtc/db/postgres';
import type { Row } from '../sql/rows.ts';

/**
 * The handle every aggregate's part of the PostgreSQL store shares: one pool, and the query
 * helpers that run on it or, given a transaction's client, inside that transaction. A part
 * that writes another aggregate in its own transaction passes its client on, so the writes
 * commit together.
 */
export class PostgresConnection {
  constructor(readonly pool: pg.Pool) {}

  async one(sql: string | PreparedSql, params: unknown[] = [], db: Queryable = this.pool): Promise<Row | undefined> {
    return (await db.query(toQuery(sql, params))).rows[0];
  }

  async all(sql: string | PreparedSql, params: unknown[] = [], db: Queryable = this.pool): Promise<Row[]> {
    return (await db.query(toQuery(sql, params))).rows;
  }

  /** `fn` in one transaction on one client of the pool (retried on a serialization failure or deadlock). */
  tx<T>(fn: (db: Queryable) => Promise<T>): Promise<T> {
    return transaction(this.pool, fn);
  }
}

/**
 * A statement PostgreSQL parses and plans once per connection, then only binds and runs (a
 * named prepared statement): for the fixed statements every exchange and revocation runs.
 * PostgreSQL's CPU fell from 563 to 312 us per exchange and from 1,125 to 694 us per
 * revocation (with the optimistic rotation; BENCHMARKS.md). Its result names its columns, never `*`: a prepared `SELECT *`
 * fails on every connection that prepared it once a migration adds a column ("cached plan must
 * not change result type"), and instances of two versions share the database during a deploy.
 */
export interface PreparedSql {
  readonly name: string;
  readonly text: string;
}

const preparedNames = new Set<string>();

/** A prepared statement named `name`, unique in the process (pg keeps one per name per connection). */
export function prepared(name: string, text: string): PreparedSql {
  if (preparedNames.has(name)) throw new Error(`Two prepared statements are named ${name}`);
  if (/\w\.\*|\b(SELECT|RETURNING)(\s+(DISTINCT|ALL))?\s+\*/i.test(text))
    throw new Error(`The prepared statement ${name} must name its columns, not *`);
  preparedNames.add(name);
  return { name, text };
}

/** The query pg runs: named (prepared) when `sql` is a prepared statement. */
export const toQuery = (sql: string | PreparedSql, values: unknown[]): pg.QueryConfig =>
  typeof sql === 'string' ? { text: sql, values } : { name: sql.name, text: sql.text, values };

/** `WHERE a = $1 AND b = $2` over the filter's defined keys (keys come from a fixed list). */
export function whereOf(filter: object, columns: readonly string[], params: Params, extra: string[] = []): string {
  const clauses = [...extra];
  for (const column of columns) {
    const value = (filter as Record<string, unknown>)[column];
    if (value !== undefined) clauses.push(`${column} = ${params.add(value)}`);
  }
  return clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
}
