import type Database from 'better-sqlite3';
import { checkpointInBackground, openSqlite } from '@rtc/db/sqlite';
import { addressKey } from '@rtc/ip-intel';
import type { BulkImport, TenantStore } from '../types.ts';
import { SQLITE_MIGRATIONS } from './migrations.ts';
import { SqliteDirectoryCache } from './directory-cache.ts';
import { networkKeyOf, SqliteConnection } from './connection.ts';
import { SqliteTenantSettings } from './tenant-settings.ts';
import { SqliteDirectory } from './directory.ts';
import { SqliteSessions } from './sessions.ts';
import { SqliteAuthorizationCodes } from './authorization-codes.ts';
import { SqliteRefreshTokens } from './refresh-tokens.ts';
import { SqliteRevocationJournal } from './revocation-journal.ts';
import { SqliteRevocations } from './revocations.ts';
import { SqliteEvents } from './events.ts';
import { SqliteDpopProofs } from './dpop-proofs.ts';

/** The tenant's store on SQLite, with the raw handle for the large-tenant generator's bulk inserts. */
export interface SqliteTenantStore extends TenantStore {
  readonly dialect: 'sqlite';
  readonly raw: Database.Database;
}

/**
 * The tenant on SQLite (better-sqlite3): one part per aggregate of the contract, all on one
 * connection (connection.ts: transactions, locking and durability). An operation that writes
 * several aggregates (deleting a user, client or grant, ending a session with its tokens) runs
 * in one transaction of the part that owns it, which calls the other parts inside it.
 *
 * `path` is a file, or `:memory:` for tests.
 */
export function openSqliteStore(path: string): SqliteTenantStore {
  // ip_key, ip_network_key: the backfills of migrations 7 and 8, the functions the store writes with.
  const db = openSqlite(path, SQLITE_MIGRATIONS, {
    functions: {
      ip_key: (ip: string | null) => addressKey(ip),
      ip_network_key: (ip: string | null) => networkKeyOf(addressKey(ip)),
    },
  });
  const connection = new SqliteConnection(db);
  // The log is checkpointed by a thread of its own, not by whichever request's commit fills it.
  const stopCheckpointer = path !== ':memory:' ? checkpointInBackground(db, path) : undefined;
  const revocationJournal = new SqliteRevocationJournal(connection);
  const directoryCache = new SqliteDirectoryCache(connection);
  const settings = new SqliteTenantSettings(connection, path, directoryCache);
  const sessions = new SqliteSessions(connection, revocationJournal);
  const directory = new SqliteDirectory(connection, sessions, revocationJournal, directoryCache);
  const refreshTokens = new SqliteRefreshTokens(connection);

  return {
    dialect: 'sqlite',
    raw: db,
    settings,
    directory,
    sessions,
    authorizationCodes: new SqliteAuthorizationCodes(connection),
    refreshTokens,
    revocationJournal,
    revocations: new SqliteRevocations(connection, revocationJournal),
    events: new SqliteEvents(connection),
    dpopProofs: new SqliteDpopProofs(connection),

    async close() {
      await stopCheckpointer?.();
      if (db.open) db.close();
      settings.closeCounters();
    },

    async bulkLoad<T>(load: () => Promise<T>): Promise<T> {
      const indexes = db
        .prepare(
          "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'refresh_tokens' AND sql IS NOT NULL",
        )
        .all() as { name: string; sql: string }[];
      db.exec(indexes.map((index) => `DROP INDEX ${index.name};`).join('\n'));
      try {
        return await load();
      } finally {
        db.exec(indexes.map((index) => `${index.sql};`).join('\n'));
      }
    },

    /** One transaction, however large: users, grants and tokens through their parts. */
    async bulkImport(input: BulkImport) {
      // Generated data can be generated again: skip the fsync per commit while loading.
      db.pragma('synchronous = OFF');
      try {
        connection.tx(() => {
          for (const user of input.users) directory.writeUser(user);
          for (const grant of input.grants) directory.importGrant(grant);
          for (const token of input.tokens) refreshTokens.insertToken(token);
        });
      } finally {
        connection.q('PRAGMA synchronous = FULL').run();
      }
    },
  };
}
