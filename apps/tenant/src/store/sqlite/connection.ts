import type Database from 'better-sqlite3';
import { walSyncer, whenWritable } from '@rtc/db/sqlite';
import { networkKey } from '@rtc/ip-intel';

/**
 * The one connection every part of the SQLite store works on (see openSqliteStore), with the
 * statement cache and the transactions they share. Every method of the store is one
 * synchronous transaction, so within a process nothing interleaves; BEGIN IMMEDIATE takes
 * the write lock up front so several processes on one file serialise instead of failing to
 * upgrade a read lock.
 *
 * Durability follows the consequence of losing a commit. Every commit is in the WAL before
 * the answer, so a crashed or killed process loses nothing. Most commits are also fsynced
 * (synchronous=FULL), so a power cut loses nothing either; that includes every revocation.
 * Refresh-token rotation alone commits without its own fsync (`walOnlyTx`): a power cut
 * could undo the last moments' rotations, so a client's newest token would be unknown and
 * its previous one current again, but it can never undo a revocation, because a revoking
 * commit's fsync also syncs every WAL frame before it. Concurrent revocations share one
 * fsync (`SqliteRevocations` commits in groups), and that fsync runs on libuv's thread pool
 * (`syncWal`), so the event loop goes on while the disk works; each revocation is answered
 * only once it is on disk.
 */
export class SqliteConnection {
  private readonly statements = new Map<string, Database.Statement>();
  /** Resolves once every commit made before the call is on disk (an fsync of the WAL, shared). */
  readonly syncWal: () => Promise<void>;

  constructor(readonly db: Database.Database) {
    this.syncWal = db.memory ? () => Promise.resolve() : walSyncer(db.name);
  }

  /** Prepared statements are cached by their text. */
  q(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  tx<T>(fn: () => T): T {
    const transaction = this.db.transaction(fn);
    // In a transaction already (nested): a savepoint, no lock to wait for.
    return this.db.inTransaction ? transaction.immediate() : whenWritable(this.db, () => transaction.immediate());
  }

  /**
   * `fn` in a savepoint of the transaction under way: undone alone if it throws. When the error
   * is one that ended the whole transaction (SQLite rolls everything back on some I/O, disk-full
   * or memory errors), or a busy lock the caller's `whenWritable` must retry, it is thrown on as
   * it is, for the caller to give up the whole transaction: it must not go on outside one.
   */
  savepoint<T>(fn: () => T): { value: T } | { error: unknown } {
    if (!this.db.inTransaction) throw new Error('savepoint() outside a transaction');
    try {
      return { value: this.db.transaction(fn)() };
    } catch (error) {
      if (!this.db.inTransaction || (error as { code?: string }).code === 'SQLITE_BUSY') throw error;
      return { error };
    }
  }

  /** A transaction committed to the WAL without an fsync of its own (see the class comment). */
  walOnlyTx<T>(fn: () => T): T {
    this.q('PRAGMA synchronous = NORMAL').run();
    try {
      return this.tx(fn);
    } finally {
      this.q('PRAGMA synchronous = FULL').run();
    }
  }
}

/** The network key of an address key, or null. */
export const networkKeyOf = (key: Buffer | null) => (key ? networkKey(key) : null);

/** SQL built with positional names (@p1, @p2, ...) and the values they bind: one text per shape. */
export function bound(build: (bind: (value: unknown) => string) => string): {
  sql: string;
  params: Record<string, unknown>;
} {
  const params: Record<string, unknown> = {};
  let n = 0;
  const sql = build((value) => {
    const name = `p${++n}`;
    params[name] = value;
    return `@${name}`;
  });
  return { sql, params };
}

/** `WHERE a = @a AND b = @b` over the filter's defined keys (keys come from a fixed list). */
export function whereOf(filter: object, columns: readonly string[], extra: string[] = []) {
  const clauses = [...extra];
  const params: Record<string, unknown> = {};
  // One user's tokens are few; one application's may be millions. Without statistics SQLite
  // may pick the application's index and walk all of them: with a user in the filter, the
  // unary `+` keeps every other column off the index choice.
  const hasUser = (filter as Record<string, unknown>).user_id !== undefined;
  for (const column of columns) {
    const value = (filter as Record<string, unknown>)[column];
    if (value !== undefined) {
      clauses.push(`${hasUser && column !== 'user_id' ? '+' : ''}${column} = @${column}`);
      params[column] = value;
    }
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}
