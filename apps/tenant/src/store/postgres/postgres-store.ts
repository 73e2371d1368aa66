import { createPool, runMigrations } from '@rtc/db/postgres';
import type { BulkImport, TenantStore } from '../types.ts';
import { POSTGRES_MIGRATIONS } from './migrations.ts';
import { indexStatements } from '../sql/schema-ddl.ts';
import { TENANT_SCHEMA } from '../sql/schema.ts';

/** refresh_tokens' secondary indexes as schema.ts declares them: what a bulk load drops. */
const TOKEN_INDEXES = indexStatements(TENANT_SCHEMA, 'refresh_tokens', 'postgres');
import { PostgresConnection } from './connection.ts';
import { PostgresTenantSettings } from './tenant-settings.ts';
import { PostgresDirectory } from './directory.ts';
import { PostgresSessions } from './sessions.ts';
import { PostgresAuthorizationCodes } from './authorization-codes.ts';
import { PostgresRefreshTokens } from './refresh-tokens.ts';
import { PostgresRevocationJournal } from './revocation-journal.ts';
import { PostgresRevocations } from './revocations.ts';
import { PostgresEvents } from './events.ts';
import { PostgresDpopProofs } from './dpop-proofs.ts';

/**
 * The tenant on PostgreSQL, for several instances on one database. Rotation writes only if
 * the token's row is still as it read it (and locks the row after a few lost races), so
 * concurrent exchanges on any instances have one winner; revocation jobs are leased to one
 * instance and batches skip locked rows. The hot path's statements are prepared once per
 * connection (`prepared`, connection.ts).
 *
 * One part per aggregate (the files beside this one), all on one pool, migrated before the
 * store is returned. A part whose writes reach another aggregate (deleting a user ends their
 * sessions and journals their tokens' revocation) is given that part and calls it with its
 * transaction's client: still one transaction.
 */
export async function openPostgresStore(url: string, options: { schema?: string } = {}): Promise<TenantStore> {
  const pool = createPool(url, options.schema);
  await runMigrations(pool, POSTGRES_MIGRATIONS, {
    ...(options.schema ? { schema: options.schema } : {}),
    table: 'tenant_schema_migrations',
  });
  const connection = new PostgresConnection(pool);
  const revocationJournal = new PostgresRevocationJournal(connection);
  const sessions = new PostgresSessions(connection, revocationJournal);
  const directory = new PostgresDirectory(connection, sessions, revocationJournal);
  const refreshTokens = new PostgresRefreshTokens(connection);

  return {
    dialect: 'postgres',
    settings: new PostgresTenantSettings(connection),
    directory,
    sessions,
    authorizationCodes: new PostgresAuthorizationCodes(connection),
    refreshTokens,
    revocationJournal,
    revocations: new PostgresRevocations(connection, revocationJournal),
    events: new PostgresEvents(connection),
    dpopProofs: new PostgresDpopProofs(connection),

    async close() {
      await pool.end();
    },

    async bulkLoad<T>(load: () => Promise<T>): Promise<T> {
      let outcome: { value: T } | { error: unknown };
      try {
        await connection.tx(async (db) => {
          for (const index of TOKEN_INDEXES) await db.query(`DROP INDEX IF EXISTS ${index.name}`);
        });
        outcome = { value: await load() };
      } catch (error) {
        outcome = { error };
      }
      // Each on its own, so that one failing leaves the others built; every failure thrown, after the load's own.
      const errors: unknown[] = [];
      for (const index of TOKEN_INDEXES) await pool.query(index.sql).catch((err: unknown) => errors.push(err));
      if (errors.length)
        throw new AggregateError(
          'error' in outcome ? [outcome.error, ...errors] : errors,
          "refresh_tokens' indexes not built",
        );
      if ('error' in outcome) throw outcome.error;
      return outcome.value;
    },

    /** Users, their grants and their tokens in one transaction. */
    async bulkImport(input: BulkImport) {
      await connection.tx(async (db) => {
        for (const user of input.users) await directory.putUser(user, db);
        for (const grant of input.grants) await directory.importGrant(db, grant);
        for (const token of input.tokens) await refreshTokens.insertToken(db, token);
      });
    },
  };
}
