import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isLive } from '../../domain/liveness.ts';
import { liveConditions, liveTokenSql } from './liveness.ts';

const NOW = 1_800_000_000_000;
const values = [null, NOW - 1, NOW, NOW + 1];
/** Every combination of ended (or not), absolute expiry and idle expiry: before, at and after now, or none. */
const rows = [null, NOW - 5].flatMap((revoked_at) =>
  values.flatMap((expires_at) => values.map((idle_expires_at) => ({ revoked_at, expires_at, idle_expires_at }))),
);

describe("the stores' liveness SQL, rendered from the domain's rule", () => {
  it.each(['columns', "a session's JSON record"] as const)(
    'agrees with isLive on every combination, read from %s',
    (from) => {
      const db = new Database(':memory:');
      db.exec('CREATE TABLE t (revoked_at INTEGER, expires_at INTEGER, idle_expires_at INTEGER, json TEXT)');
      const insert = db.prepare('INSERT INTO t VALUES (@revoked_at, @expires_at, @idle_expires_at, @json)');
      for (const row of rows) insert.run({ ...row, json: JSON.stringify(row) });
      const field =
        from === 'columns'
          ? undefined
          : (name: string) => (name === 'revoked_at' ? name : `json_extract(json, '$.${name}')`);
      const live = db
        .prepare(
          `SELECT revoked_at, expires_at, idle_expires_at FROM t WHERE ${liveConditions('@now', field).join(' AND ')}`,
        )
        .all({ now: NOW });
      expect(live).toEqual(rows.filter((row) => isLive(row, NOW)));
      expect(live.length).toBeGreaterThan(0);
      db.close();
    },
  );

  it("keeps `revoked_at IS NULL` as the partial indexes of live tokens declare it, and the journal's check", () => {
    const sql = liveTokenSql('@now', 'rowid');
    expect(sql.startsWith('revoked_at IS NULL AND ')).toBe(true);
    expect(sql).toContain(
      'NOT EXISTS (SELECT 1 FROM revocation_jobs WHERE revocation_jobs.cutoff >= refresh_tokens.rowid',
    );
  });
});
