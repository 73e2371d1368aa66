import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { randomSecret, sha256 } from '../../crypto/secrets.ts';
import { planExchange } from '../../domain/refresh-tokens.ts';
import { T0, mint, userRecord } from '../contract/contract-harness.ts';
import { recordPrepared } from './record-prepared.ts';
import { openSqliteStore } from './sqlite-store.ts';

/**
 * Which indexes each write of the hot paths rewrites: SQLite updates an index only when the
 * UPDATE names one of its key columns or a column of its WHERE, and at 1,000,000 tokens every
 * index it updates is a random page of the WAL. An exchange from the same address writes no
 * index; one from a new address, the three `last_*` search indexes. A revocation (`/oauth/revoke`,
 * the reuse detection, the Management API's) takes the token out of every index partial on
 * liveness and of nothing else.
 *
 * The six address search indexes among them cost a revocation about a fifth of its CPU
 * (BENCHMARKS.md, "Address indexes without the liveness condition"), and stay partial: without
 * the condition, a search after a containment walks every revoked token of the address, and
 * the check of a wide range reads a row per entry (a /24 of 36,000 revoked tokens: p95 4.9 s
 * instead of 6 ms).
 */

const LIVENESS_INDEXES = [
  'rt_client_live',
  'rt_grant_live',
  'rt_initial_asn_live',
  'rt_initial_ip_live',
  'rt_initial_net_live',
  'rt_last_asn_live',
  'rt_last_ip_live',
  'rt_last_net_live',
  'rt_session_live',
  'rt_user_client_live',
  'rt_user_live',
];

const deviceAt = (ip: string) => ({
  initial_ip: ip,
  initial_asn: 'AS64500',
  initial_user_agent: 'okhttp/4',
  last_ip: ip,
  last_asn: 'AS64500',
  last_user_agent: 'okhttp/4',
});

/** The indexes of refresh_tokens a statement writes: IdxInsert or IdxDelete on a cursor its OpenWrite opened. */
function indexesWrittenBy(db: Database.Database, sql: string): string[] {
  const params = Object.fromEntries([...sql.matchAll(/@(\w+)/g)].map((m) => [m[1]!, null]));
  const positional = (sql.match(/\?/g) ?? []).map(() => null);
  const statement = db.prepare(`EXPLAIN ${sql}`);
  const program = (Object.keys(params).length ? statement.all(params) : statement.all(...positional)) as {
    opcode: string;
    p1: number;
    p2: number;
  }[];
  const rootOf = new Map(program.filter((op) => op.opcode === 'OpenWrite').map((op) => [op.p1, op.p2]));
  const roots = new Set(
    program.filter((op) => op.opcode === 'IdxInsert' || op.opcode === 'IdxDelete').map((op) => rootOf.get(op.p1)),
  );
  const indexes = db
    .prepare("SELECT name, rootpage FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'refresh_tokens'")
    .all() as { name: string; rootpage: number }[];
  return indexes
    .filter((index) => roots.has(index.rootpage))
    .map((index) => index.name)
    .sort();
}

describe('SQLite: the indexes a revocation and an exchange rewrite', () => {
  it('a revocation rewrites the indexes partial on liveness and no other', async () => {
    const store = openSqliteStore(':memory:');
    try {
      await store.directory.createUser(userRecord('u1', 'u1@example.test'));
      const { record } = mint('u1', T0);
      await store.refreshTokens.issueRefreshToken({ ...record, device: deviceAt('203.0.113.7') }, 1000);
      const { db, prepared, stop } = recordPrepared(store);
      await store.refreshTokens.revokeRefreshTokens([record.id], 'management_api', T0 + 1);
      stop();
      const updates = prepared.filter((sql) => /^\s*UPDATE refresh_tokens/.test(sql));
      expect(updates.length).toBeGreaterThan(0);
      for (const sql of updates) expect(indexesWrittenBy(db, sql), sql).toEqual(LIVENESS_INDEXES);
    } finally {
      await store.close();
    }
  });

  it('an exchange rewrites no index from the same address, the three last-address ones from a new one', async () => {
    const store = openSqliteStore(':memory:');
    try {
      await store.directory.createUser(userRecord('u1', 'u1@example.test'));
      const { value, record } = mint('u1', T0);
      await store.refreshTokens.issueRefreshToken({ ...record, device: deviceAt('203.0.113.7') }, 1000);
      const exchange = async (secret: Buffer, now: number, ip: string) => {
        const newSecretHash = sha256(randomSecret());
        const plan = planExchange({
          clientId: 'app',
          now,
          newSecretHash,
          ip,
          asn: 'AS64500',
          userAgent: 'okhttp/4',
          dpopJkt: null,
        });
        const { db, prepared, stop } = recordPrepared(store);
        expect((await store.refreshTokens.rotateRefreshToken(secret, now, plan)).kind).toBe('exchanged');
        stop();
        const [update] = prepared.filter((sql) => /^\s*UPDATE refresh_tokens/.test(sql));
        return { written: indexesWrittenBy(db, update!), newSecretHash };
      };
      const same = await exchange(sha256(value), T0 + 10, '203.0.113.7');
      expect(same.written).toEqual([]);
      const moved = await exchange(same.newSecretHash, T0 + 20, '198.51.100.9');
      expect(moved.written).toEqual(['rt_last_asn_live', 'rt_last_ip_live', 'rt_last_net_live']);
    } finally {
      await store.close();
    }
  });
});
