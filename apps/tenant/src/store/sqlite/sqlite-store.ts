import type Database from 'better-sqlite3';
import { checkpointInBackground, openSqlite } from '@rtc/db/sqlite';
import { addressKey } from '@rtc/ip-intel';
import type { BulkImport, TenantStore } from '../types.ts';
import { SQLITE_MIGRATIONS } from './migrations.ts';
import { indexStatements } from '../sql/schema-ddl.ts';
import { TENANT_SCHEMA } from '../sql/schema.ts';
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

/** refresh_tokens' secondary indexes as schema.ts declares them: what a bulk load drops. */
const TOKEN_INDEXES = indexStatements(TENANT_SCHEMA, 'refresh_tokens', 'sqlite');

/**
 * Builds those of the tokens' indexes that are missing (none, unless a bulk load dropped them),
 * each on its own so one failing leaves the others built. Throws every failure at the end,
 * after `failed` (the bulk load's own error) when there is one.
 */
function buildTokenIndexes(db: Database.Database, failed?: unknown): void {
  const present = new Set(
    db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'refresh_tokens'").pluck().all(),
  );
  const errors: unknown[] = [];
  for (const index of TOKEN_INDEXES.filter((i) => !present.has(i.name))) {
    try {
      db.exec(index.sql);
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length)
    throw new AggregateError(failed === undefined ? errors : [failed, ...errors], "refresh_tokens' indexes not built");
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
  // A bulk load killed before it built the tokens' indexes again (TenantStore.bulkLoad) left them missing.
  buildTokenIndexes(db);
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
      let outcome: { value: T } | { error: unknown };
      try {
        connection.tx(() => {
          for (const index of TOKEN_INDEXES) db.exec(`DROP INDEX IF EXISTS ${index.name}`);
        });
        outcome = { value: await load() };
      } catch (error) {
        outcome = { error };
      }
      buildTokenIndexes(db, 'error' in outcome ? outcome.error : undefined);
      if ('error' in outcome) throw outcome.error;
      return outcome.value;
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
