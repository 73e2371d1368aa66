import { createPool, dropSchema, runMigrations } from '@rtc/db/postgres';
import { openSqlite } from '@rtc/db/sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BffStore } from '../src/store/bff-store.ts';
import { PostgresBffStore } from '../src/store/postgres-bff-store.ts';
import { SqliteBffStore } from '../src/store/sqlite-bff-store.ts';

/** The audit log as the first release created it: actor_role NOT NULL, no action index. */
const FIRST_SCHEMA = `CREATE TABLE audit_log (
     id TEXT PRIMARY KEY, at BIGINT NOT NULL, actor_sub TEXT NOT NULL, actor_name TEXT NOT NULL, actor_role TEXT NOT NULL,
     action TEXT NOT NULL, target_user_id TEXT, target TEXT NOT NULL, result TEXT NOT NULL, detail TEXT NOT NULL, request_id TEXT NOT NULL
   );
   CREATE INDEX audit_at ON audit_log (at DESC);
   CREATE INDEX audit_user ON audit_log (target_user_id, at DESC);
   CREATE INDEX audit_actor ON audit_log (actor_sub, at DESC);
   CREATE TABLE ended_sessions (sid TEXT PRIMARY KEY, expires_at BIGINT NOT NULL);`;
const OLD_ROW = `INSERT INTO audit_log VALUES ('old-1', 1700000000000, 'auth0|staff-support', 'Sam Support', 'support',
  'device.unlink', 'auth0|jane', 'device "Phone"', 'success', 'revoked 1 refresh token', 'req-1')`;

/** An existing audit log upgrades: its entries stay, and a refused sign-in (no console role) can be recorded. */
async function upgradesKeepingEntries(store: BffStore) {
  const { entries } = await store.listAudit({ page: 0, per_page: 10 });
  expect(entries).toEqual([
    expect.objectContaining({
      id: 'old-1',
      action: 'device.unlink',
      kind: 'change',
      actor: { sub: 'auth0|staff-support', name: 'Sam Support', role: 'support' },
    }),
  ]);
  await store.recordAudit(
    {
      actor: { sub: 'auth0|outsider', name: 'Outsider', role: null },
      action: 'staff.sign_in',
      target_user_id: 'auth0|outsider',
      target: 'Outsider',
      result: 'refused',
      detail: 'no console role',
      request_id: 'req-2',
    },
    1700000001000,
  );
  const refused = await store.listAudit({ page: 0, per_page: 10, kind: 'sign_in', result: 'refused' });
  expect(refused.entries).toEqual([
    expect.objectContaining({ actor: { sub: 'auth0|outsider', name: 'Outsider', role: null }, kind: 'sign_in' }),
  ]);
}

describe('the audit log of an earlier release', () => {
  it.runIf(process.env.TEST_STORE !== 'postgres')('upgrades on SQLite, keeping its entries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-audit-upgrade-'));
    try {
      const path = join(dir, 'bff.sqlite');
      const old = openSqlite(path, [FIRST_SCHEMA]);
      old.exec(OLD_ROW);
      old.close();
      const store = new SqliteBffStore(path);
      try {
        await upgradesKeepingEntries(store);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(process.env.TEST_STORE === 'postgres')('upgrades on PostgreSQL, keeping its entries', async () => {
    const url = process.env.TEST_DATABASE_URL!;
    const schema = `s_upgrade_${process.pid}_${Date.now().toString(36)}`;
    const pool = createPool(url, schema, 1);
    try {
      await runMigrations(pool, [FIRST_SCHEMA], { schema, table: 'bff_schema_migrations' });
      await pool.query(OLD_ROW);
    } finally {
      await pool.end();
    }
    const store = await PostgresBffStore.open(url, { schema });
    try {
      await upgradesKeepingEntries(store);
    } finally {
      await store.close();
      await dropSchema(url, schema);
    }
  });
});
