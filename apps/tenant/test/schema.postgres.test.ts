import { createPool, runMigrations, type Migrations } from '@rtc/db/postgres';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { POSTGRES_MIGRATIONS } from '../src/store/postgres/migrations.ts';
import { openPostgresStore } from '../src/store/postgres/postgres-store.ts';
import { dropSchema, postgresForTests } from './postgres.ts';

/**
 * A new schema is created from src/store/sql/schema.ts in one transaction; an existing one
 * upgrades through the migrations. Both must end the same: tables, columns, constraints,
 * indexes, functions, sequences, rows.
 */
const postgres = await postgresForTests();
const TABLE = 'tenant_schema_migrations';
const made: string[] = [];
afterAll(async () => {
  for (const schema of made) await dropSchema(postgres.url, schema);
});

async function migrated(migrations: string[] | Migrations, before?: string[]): Promise<string> {
  const schema = postgres.schema();
  made.push(schema);
  const pool = createPool(postgres.url, schema);
  try {
    if (before) await runMigrations(pool, before, { schema, table: TABLE });
    await runMigrations(pool, migrations, { schema, table: TABLE });
  } finally {
    await pool.end();
  }
  return schema;
}

/**
 * Everything the catalog says of `schema`, keyed by name so that a difference names its table,
 * column, constraint or index, with the schema's own name taken out of definitions. The
 * migrations' own table is left out (a migrated schema lists each version; a created one, the last).
 */
async function introspect(schema: string) {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    const query = async (sql: string) => (await client.query(sql, [schema])).rows as Record<string, unknown>[];
    const unqualified = (text: unknown) => String(text).replaceAll(`${schema}.`, '');
    const keyed = (rows: Record<string, unknown>[], key: (row: Record<string, unknown>) => string) =>
      Object.fromEntries(rows.map((row) => [key(row), row]));

    const tables = (
      await query(
        `SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = $1 AND table_name <> '${TABLE}' ORDER BY 1`,
      )
    ).map((t) => t.table_name as string);
    const columns = await query(
      `SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default,
              character_maximum_length, numeric_precision, collation_name, is_identity
         FROM information_schema.columns WHERE table_schema = $1 AND table_name <> '${TABLE}'`,
    );
    const constraints = await query(
      `SELECT t.relname AS table_name, c.conname, c.contype, pg_get_constraintdef(c.oid) AS definition
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = $1 AND t.relname <> '${TABLE}'`,
    );
    const indexes = await query(
      `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename <> '${TABLE}'`,
    );
    const functions = await query(
      `SELECT p.proname, pg_get_functiondef(p.oid) AS definition FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1`,
    );
    const sequences = await query(
      `SELECT sequence_name, data_type, start_value, minimum_value, maximum_value, increment, cycle_option
         FROM information_schema.sequences WHERE sequence_schema = $1`,
    );
    const rows: Record<string, unknown> = {};
    for (const table of tables) rows[table] = (await client.query(`SELECT * FROM ${schema}.${table} ORDER BY 1`)).rows;
    const versions = (await client.query(`SELECT max(version) AS version FROM ${schema}.${TABLE}`)).rows[0]!
      .version as number;

    return {
      tables,
      columns: keyed(
        columns.map((c) => ({
          ...c,
          column_default: c.column_default === null ? null : unqualified(c.column_default),
        })),
        (c) => `${c.table_name}.${c.column_name}`,
      ),
      constraints: keyed(
        constraints.map((c) => ({ ...c, definition: unqualified(c.definition) })),
        (c) => `${c.table_name} ${c.conname}`,
      ),
      indexes: keyed(
        indexes.map((i) => ({ ...i, indexdef: unqualified(i.indexdef) })),
        (i) => `${i.tablename} ${i.indexname}`,
      ),
      functions: keyed(
        functions.map((f) => ({ ...f, definition: unqualified(f.definition) })),
        (f) => String(f.proname),
      ),
      sequences: keyed(sequences, (s) => String(s.sequence_name)),
      rows,
      version: versions,
    };
  } finally {
    await client.end();
  }
}

describe.skipIf(!!postgres.skip)(
  'PostgreSQL: created from sql/schema.ts or migrated through the history, the same schema',
  () => {
    const { history } = POSTGRES_MIGRATIONS;

    it('a new schema migrated through the whole history equals one created from the schema', async () => {
      const throughHistory = await introspect(await migrated(history));
      const created = await introspect(await migrated(POSTGRES_MIGRATIONS));
      expect(created).toEqual(throughHistory);
      expect(created.version).toBe(history.length);
      // Not vacuous: the tables are there.
      expect(created.tables).toContain('refresh_tokens');
    });

    it('a schema at the previous version, upgraded by the last migration, equals one created from the schema', async () => {
      const upgraded = await introspect(await migrated(POSTGRES_MIGRATIONS, history.slice(0, -1)));
      expect(upgraded).toEqual(await introspect(await migrated(POSTGRES_MIGRATIONS)));
    });

    it("the large-tenant generator's bulk load leaves the schema as it found it, also when the load fails", async () => {
      const schema = await migrated(POSTGRES_MIGRATIONS);
      const before = await introspect(schema);
      const store = await openPostgresStore(postgres.url, { schema });
      try {
        let during: Awaited<ReturnType<typeof introspect>> | undefined;
        await store.bulkLoad(async () => {
          during = await introspect(schema);
        });
        // Not vacuous: the load ran with the constraints' indexes only.
        expect(
          Object.keys(during!.indexes)
            .filter((name) => name.startsWith('refresh_tokens '))
            .sort(),
        ).toEqual(['refresh_tokens refresh_tokens_pkey', 'refresh_tokens refresh_tokens_seq_key']);
        expect(await introspect(schema)).toEqual(before);
        await expect(
          store.bulkLoad(async () => {
            throw new Error('the generator failed');
          }),
        ).rejects.toThrow('the generator failed');
        expect(await introspect(schema)).toEqual(before);
      } finally {
        await store.close();
      }
    });
  },
);
