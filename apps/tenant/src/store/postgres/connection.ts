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

  async one(sql: string, params: unknown[] = [], db: Queryable = this.pool): Promise<Row | undefined> {
    return (await db.query(sql, params)).rows[0];
  }

  async all(sql: string, params: unknown[] = [], db: Queryable = this.pool): Promise<Row[]> {
    return (await db.query(sql, params)).rows;
  }

  /** `fn` in one transaction on one client of the pool (retried on a serialization failure or deadlock). */
  tx<T>(fn: (db: Queryable) => Promise<T>): Promise<T> {
    return transaction(this.pool, fn);
  }
}

/** `WHERE a = $1 AND b = $2` over the filter's defined keys (keys come from a fixed list). */
export function whereOf(filter: object, columns: readonly string[], params: Params, extra: string[] = []): string {
  const clauses = [...extra];
  for (const column of columns) {
    const value = (filter as Record<string, unknown>)[column];
    if (value !== undefined) clauses.push(`${column} = ${params.add(value)}`);
  }
  return clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
}
