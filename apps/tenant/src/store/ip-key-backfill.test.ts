import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, runMigrations } from '@rtc/db/postgres';
import { openSqlite } from '@rtc/db/sqlite';
import { addressRange } from '@rtc/ip-intel';
import { describe, expect, it } from 'vitest';
import { postgresForTests } from '../../test/postgres.ts';
import { POSTGRES_MIGRATIONS } from './postgres/migrations.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { SQLITE_MIGRATIONS } from './sqlite/migrations.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { TenantStore } from './types.ts';

/**
 * Tokens written before the address keys existed are found by address once the
 * migration that adds the keys has run: it backfills them for live tokens.
 */
const postgres = await postgresForTests();
const T0 = Date.UTC(2026, 0, 1);
const INSERT = `INSERT INTO refresh_tokens (id, user_id, client_id, audience, scope, resource_servers, rotating, leeway, created_at,
    initial_ip, initial_asn, initial_user_agent, last_ip, last_asn, last_user_agent, current_hash, revoked_at)
  VALUES ($id, 'u1', 'app', 'https://api/', 'offline_access', '[]', $rotating, 0, ${T0}, $initial, 'AS64500', 'A', $last, 'AS64500', 'A', $hash, $revoked)`;
const ROWS = [
  { id: 'rt_initial', initial: '203.0.113.7', last: '198.51.100.1', revoked: null },
  { id: 'rt_last', initial: '198.51.100.2', last: '::ffff:203.0.113.8', revoked: null },
  { id: 'rt_v6', initial: '2001:db8::1', last: '2001:db8::1', revoked: null },
  { id: 'rt_garbage', initial: 'not-an-address', last: null, revoked: null },
  { id: 'rt_revoked', initial: '203.0.113.9', last: '203.0.113.9', revoked: T0 },
];

async function expectFound(store: TenantStore) {
  const found = async (ip: string) =>
    (await store.refreshTokens.searchRefreshTokens({ ip: addressRange(ip)! }, T0 + 1, undefined, 10)).items
      .map((t) => t.id)
      .sort();
  expect(await found('203.0.113.0/24')).toEqual(['rt_initial', 'rt_last']);
  expect(await found('2001:db8::/32')).toEqual(['rt_v6']);
  expect((await store.refreshTokens.searchRefreshTokens({ asn: 'AS64500' }, T0 + 1, undefined, 10)).items).toHaveLength(
    4,
  );
}

describe('address keys of tokens stored before them are backfilled by the migration', () => {
  it('on SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ip-key-'));
    try {
      const file = join(dir, 'tenant.sqlite');
      const old = openSqlite(file, SQLITE_MIGRATIONS.history.slice(0, 6));
      const insert = old.prepare(INSERT.replace(/\$(\w+)/g, '@$1'));
      for (const row of ROWS) insert.run({ ...row, rotating: 1, hash: Buffer.from(row.id) });
      old.close();
      const store = openSqliteStore(file);
      try {
        await expectFound(store);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!!postgres.skip)('on PostgreSQL', async () => {
    const schema = postgres.schema();
    const pool = createPool(postgres.url, schema);
    try {
      await runMigrations(pool, POSTGRES_MIGRATIONS.history.slice(0, 1), { schema, table: 'tenant_schema_migrations' });
      const names = ['id', 'rotating', 'initial', 'last', 'hash', 'revoked'];
      const text = INSERT.replace(/\$(\w+)/g, (_, name: string) => `$${names.indexOf(name) + 1}`);
      for (const row of ROWS)
        await pool.query(text, [row.id, true, row.initial, row.last, Buffer.from(row.id), row.revoked]);
    } finally {
      await pool.end();
    }
    const store = postgres.track(await openPostgresStore(postgres.url, { schema }));
    try {
      await expectFound(store);
    } finally {
      await store.close();
    }
  });
});
