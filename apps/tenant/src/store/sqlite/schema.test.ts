import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '@rtc/db/sqlite';
import { addressKey, networkKey } from '@rtc/ip-intel';
import type Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { COUNTER_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations.ts';
import { openSqliteStore } from './sqlite-store.ts';

/**
 * A new file is created from sql/schema.ts in one step; an existing one upgrades through the
 * migrations. Both must end the same: tables, columns, indexes, constraints, rows.
 */

// Migrations 7 and 8 backfill with these (openSqliteStore registers the same on its connection).
const BACKFILL_FUNCTIONS = {
  ip_key: (ip: string | null) => addressKey(ip),
  ip_network_key: (ip: string | null) => {
    const key = addressKey(ip);
    return key ? networkKey(key) : null;
  },
};

const dir = mkdtempSync(join(tmpdir(), 'schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Whitespace aside (ALTER TABLE ADD COLUMN splices its text into the stored CREATE TABLE). */
const normalised = (sql: string | null) =>
  sql
    ?.replace(/\s+/g, ' ')
    .replace(/\s*([(),])\s*/g, '$1')
    .trim() ?? null;

/**
 * Everything SQLite knows of the file's schema, keyed by name so that a difference names its
 * table, column or index: each object's stored CREATE (normalised), each table's columns
 * (pragma table_xinfo: type, NOT NULL, default, key position), indexes (pragma index_list:
 * unique, origin, partial; pragma index_xinfo: each key's column or expression, order and
 * collation) and rows, and the version.
 */
function introspect(db: Database.Database) {
  const objects = db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all() as {
    type: string;
    name: string;
    tbl_name: string;
    sql: string | null;
  }[];
  const tables: Record<string, unknown> = {};
  for (const { name } of objects.filter((o) => o.type === 'table')) {
    const indexes: Record<string, unknown> = {};
    for (const index of db.pragma(`index_list(${name})`) as {
      name: string;
      unique: number;
      origin: string;
      partial: number;
    }[]) {
      indexes[index.name] = {
        unique: index.unique,
        origin: index.origin,
        partial: index.partial,
        keys: db.pragma(`index_xinfo(${index.name})`),
      };
    }
    tables[name] = {
      columns: Object.fromEntries(
        (db.pragma(`table_xinfo(${name})`) as { name: string }[]).map((column) => [column.name, column]),
      ),
      indexes,
      rows: db.prepare(`SELECT * FROM ${name} ORDER BY 1`).all(),
    };
  }
  return {
    objects: Object.fromEntries(
      objects.map((o) => [`${o.type} ${o.name}`, { table: o.tbl_name, sql: normalised(o.sql) }]),
    ),
    tables,
    version: db.pragma('user_version', { simple: true }),
  };
}

function openedAndIntrospected(path: string, migrations: Parameters<typeof openSqlite>[1]) {
  const db = openSqlite(path, migrations, { functions: BACKFILL_FUNCTIONS });
  try {
    return introspect(db);
  } finally {
    db.close();
  }
}

describe.each([
  { file: 'the tenant file', migrations: SQLITE_MIGRATIONS },
  { file: 'the counters file', migrations: COUNTER_MIGRATIONS },
])('$file: created from sql/schema.ts or migrated through the history, the same schema', ({ migrations }) => {
  it('a new file migrated through the whole history equals one created from the schema', () => {
    const migrated = openedAndIntrospected(':memory:', migrations.history);
    const created = openedAndIntrospected(':memory:', migrations);
    expect(created).toEqual(migrated);
    expect(created.version).toBe(migrations.history.length);
    // Not vacuous: the tables are there.
    expect(Object.keys(created.tables).length).toBeGreaterThan(0);
  });

  it('a file at the previous version, upgraded by the last migration, equals one created from the schema', () => {
    const path = join(dir, `previous-${migrations.history.length}-${Math.random().toString(36).slice(2)}.sqlite`);
    openSqlite(path, migrations.history.slice(0, -1), { functions: BACKFILL_FUNCTIONS }).close();
    // Opened as the store opens it: the file has a version, so the history goes on from there.
    const upgraded = openedAndIntrospected(path, migrations);
    expect(upgraded).toEqual(
      openedAndIntrospected(join(dir, `new-${Math.random().toString(36).slice(2)}.sqlite`), migrations),
    );
  });

  it('a new file is created in one step, without the history (which needs the backfill functions)', () => {
    const db = openSqlite(':memory:', migrations);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(migrations.history.length);
    } finally {
      db.close();
    }
  });
});

describe("the large-tenant generator's bulk load (openSqliteStore's bulkLoad)", () => {
  it('leaves the schema as it found it: indexes dropped for the load are built again, also when the load fails', async () => {
    const store = openSqliteStore(join(dir, `bulk-${Math.random().toString(36).slice(2)}.sqlite`));
    try {
      const before = introspect(store.raw);
      let during: string[] = [];
      const indexesNow = () =>
        store.raw
          .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'refresh_tokens'")
          .pluck()
          .all() as string[];
      await store.bulkLoad(async () => {
        during = indexesNow();
      });
      // Not vacuous: the load ran without the secondary indexes (the primary key's stays).
      expect(during).toEqual(['sqlite_autoindex_refresh_tokens_1']);
      expect(introspect(store.raw)).toEqual(before);
      await expect(
        store.bulkLoad(async () => {
          throw new Error('the generator failed');
        }),
      ).rejects.toThrow('the generator failed');
      expect(introspect(store.raw)).toEqual(before);
    } finally {
      await store.close();
    }
  });

  it('builds the indexes a killed bulk load left missing when the store opens again', async () => {
    const path = join(dir, `killed-${Math.random().toString(36).slice(2)}.sqlite`);
    const first = openSqliteStore(path);
    const before = introspect(first.raw);
    // What a generator killed during its load leaves: the tokens' secondary indexes dropped.
    const dropped = first.raw
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'refresh_tokens' AND sql IS NOT NULL",
      )
      .pluck()
      .all() as string[];
    expect(dropped.length).toBeGreaterThan(10);
    for (const name of dropped) first.raw.exec(`DROP INDEX ${name}`);
    await first.close();
    const again = openSqliteStore(path);
    try {
      expect(introspect(again.raw)).toEqual(before);
    } finally {
      await again.close();
    }
  });
});
