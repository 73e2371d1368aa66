/**
 * `npm run bench:query-builder [-- --tokens N] [-- --rounds R] [-- --sqlite-per-round N]
 * [-- --postgres-per-round N] [-- --no-postgres] [-- --json FILE]`
 *
 * What Kysely would cost on the exchange path (a query builder such as Kysely is welcome if
 * the bench shows no loss on the exchange path). The store's part of a
 * refresh exchange (rotateRefreshToken: look the secret up, lock the token's row, ask the
 * planner, insert the new secret, update the row) is timed three ways on a generated tenant,
 * the same statements in the same transaction each time:
 *
 *   A  today's code: the real store's rotateRefreshToken;
 *   B  the same statements built with Kysely's query builder on every call and compiled, then
 *      run by the store's own means: on SQLite better-sqlite3 statements prepared once and
 *      cached by the compiled text, inside the same synchronous BEGIN IMMEDIATE transaction
 *      with the same WAL-only commit; on PostgreSQL the same pool settings and transaction
 *      helper (@rtc/db/postgres) the store uses;
 *   C  Kysely executing through its own dialect (SqliteDialect, PostgresDialect): its own
 *      connection or pool and its own transaction API (`db.transaction().execute`).
 *
 * Rounds alternate the three (each round starts with the next one), the first round is a
 * warm-up and is discarded. Every timed call must answer `exchanged`, and before timing one
 * token is exchanged each way with identical inputs and the rows compared, so B and C are
 * known to do what A does.
 *
 * Exchanges present each token's current secret and move it on (the next exchange of that
 * token presents the secret the previous one minted), over a shuffled sample of the mobile
 * application's rotating tokens spread over the whole table, from an address other than the
 * token's last one, so every exchange writes the address columns, as every exchange of
 * `npm run bench` does (its load comes from 127.0.0.1).
 *
 * The parts, in bench/query-builder/: the tables for Kysely (kysely-schema.ts), the statements
 * and the rotation over them (statements.ts), the three ways (ways.ts), and the timing (timing.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createPool, dropSchema } from '@rtc/db/postgres';
import { generateTenant, openPostgresStore, openSqliteStore, type Row } from '@rtc/tenant';
import { compilerOnly } from './query-builder/kysely-schema.ts';
import { statements, type ExchangePlan } from './query-builder/statements.ts';
import { exchangeSample, measure, progress, round1, sameEffect, SEED, type Summary } from './query-builder/timing.ts';
import { must } from './must.ts';
import { postgresCompiled, postgresKysely, sqliteCompiled, sqliteKysely, type Way } from './query-builder/ways.ts';

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '120000' },
    users: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '7' },
    'sqlite-per-round': { type: 'string', default: '4000' },
    'postgres-per-round': { type: 'string', default: '800' },
    'no-postgres': { type: 'boolean' },
    'database-url': {
      type: 'string',
      default: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    },
    json: { type: 'string' },
    'print-sql': { type: 'boolean' },
  },
});
const TOKENS = Number(values.tokens);
const USERS = Number(values.users);
const ROUNDS = Number(values.rounds);

if (values['print-sql']) {
  // What Kysely compiles, beside the store's own text (sqlite-store.ts, postgres-store.ts), for reading.
  const row: Row = {
    seq: 1,
    id: 'rt_1',
    user_id: 'auth0|u',
    client_id: 'c',
    audience: 'a',
    grant_id: 'g',
    session_id: null,
    device_name: 'd',
  };
  const plan: ExchangePlan = {
    kind: 'exchange',
    newSecretHash: Buffer.alloc(32),
    replacesCurrent: false,
    previousValidUntil: 1,
    idleExpiresAt: 2,
    lastExchangedAt: 3,
    lastIp: '203.0.113.7',
    lastAsn: 'AS1',
    lastUserAgent: 'ua',
  };
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const qb = compilerOnly(dialect);
    const s = statements(dialect);
    for (const query of [
      s.secret(qb, Buffer.alloc(32)),
      s.tokenWithUser(qb, 'rt_1'),
      s.coveredByJob(qb, row),
      s.insertSecret(qb, Buffer.alloc(32), 'rt_1'),
      s.rotate(qb, 'rt_1', plan, true, true),
      s.rotate(qb, 'rt_1', plan, true, false),
    ]) {
      const compiled = query.compile();
      console.log(
        `${dialect}: ${compiled.sql}\n  ${JSON.stringify(compiled.parameters.map((p) => (Buffer.isBuffer(p) ? '<bytes>' : p)))}`,
      );
    }
  }
  process.exit(0);
}

const report: Record<string, unknown> = {
  machine: `${cpus().length} x ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  kysely: (
    JSON.parse(readFileSync(new URL('../node_modules/kysely/package.json', import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version,
  tokens: TOKENS,
  rounds: ROUNDS,
};
const results: Record<string, Summary[]> = {};

const dir = mkdtempSync(join(tmpdir(), 'rtc-query-builder-'));
try {
  progress(`SQLite: generating ${USERS} users and ${TOKENS} tokens`);
  await generateTenant({
    dataDir: dir,
    issuer: 'http://127.0.0.1:1/',
    users: USERS,
    tokens: TOKENS,
    heavyUserTokens: 0,
    seed: SEED,
    log: () => {},
  });
  const path = join(dir, 'tenant.sqlite');
  const store = openSqliteStore(path);
  const viaKysely = sqliteKysely(path);
  const ways: Way[] = [
    { name: 'A store', rotate: (h, n, p) => store.refreshTokens.rotateRefreshToken(h, n, p) },
    { name: 'B Kysely compiled, cached statements', rotate: sqliteCompiled(store.raw) },
    { name: 'C Kysely SqliteDialect', rotate: viaKysely.rotate },
  ];
  const readSqlite = async (id: string, newHash: Buffer, oldHash: Buffer) =>
    store.raw
      .prepare(
        `SELECT id, current_hash = ? AS current_is_new, previous_hash = ? AS previous_is_old, previous_valid_until - last_exchanged_at AS leeway_ms,
           idle_expires_at, last_ip, last_asn, last_user_agent, hex(last_ip_key) AS ip_key, hex(last_net_key) AS net_key, revoked_at,
           (SELECT count(*) FROM refresh_token_secrets WHERE token_id = refresh_tokens.id) AS secrets
         FROM refresh_tokens WHERE id = ?`,
      )
      .get(newHash, oldHash, id) as Row;
  const sqliteId = async (hash: Buffer) =>
    (store.raw.prepare('SELECT token_id FROM refresh_token_secrets WHERE hash = ?').get(hash) as Row)
      .token_id as string;
  // The check's tokens are the last three mobile ones, which the timed sample (drawn below them) never picks.
  const checkIndex = (w: number) => 2 * (Math.floor(TOKENS / 2) - 1 - w);
  await sameEffect(ways, readSqlite, checkIndex, sqliteId);
  progress('SQLite: the three ways leave the row the same');
  const sample = exchangeSample(TOKENS - 8);
  results.sqlite = await measure('SQLite', ways, ROUNDS, Number(values['sqlite-per-round']), sample);
  await viaKysely.close();
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (!values['no-postgres']) {
  const url = must(values['database-url'], '--database-url');
  const schema = `qb_bench_${process.pid}`;
  try {
    progress(`PostgreSQL (schema ${schema}): generating ${USERS} users and ${TOKENS} tokens`);
    await generateTenant({
      dataDir: url,
      schema,
      issuer: 'http://127.0.0.1:1/',
      users: USERS,
      tokens: TOKENS,
      heavyUserTokens: 0,
      seed: SEED,
      log: () => {},
    });
    const store = await openPostgresStore(url, { schema });
    const compiled = postgresCompiled(url, schema);
    const viaKysely = postgresKysely(url, schema);
    const ways: Way[] = [
      { name: 'A store', rotate: (h, n, p) => store.refreshTokens.rotateRefreshToken(h, n, p) },
      { name: 'B Kysely compiled, store transaction', rotate: compiled.rotate },
      { name: 'C Kysely PostgresDialect', rotate: viaKysely.rotate },
    ];
    const reader = createPool(url, schema, 1);
    const readPostgres = async (id: string, newHash: Buffer, oldHash: Buffer) =>
      (
        await reader.query(
          `SELECT id, current_hash = $1 AS current_is_new, previous_hash = $2 AS previous_is_old, previous_valid_until - last_exchanged_at AS leeway_ms,
             idle_expires_at, last_ip, last_asn, last_user_agent, encode(last_ip_key, 'hex') AS ip_key, encode(last_net_key, 'hex') AS net_key, revoked_at,
             (SELECT count(*) FROM refresh_token_secrets WHERE token_id = refresh_tokens.id)::int AS secrets
           FROM refresh_tokens WHERE id = $3`,
          [newHash, oldHash, id],
        )
      ).rows[0] as Row;
    const postgresId = async (hash: Buffer) =>
      (await reader.query('SELECT token_id FROM refresh_token_secrets WHERE hash = $1', [hash])).rows[0]
        .token_id as string;
    await sameEffect(ways, readPostgres, (w) => 2 * (Math.floor(TOKENS / 2) - 1 - w), postgresId);
    progress('PostgreSQL: the three ways leave the row the same');
    const sample = exchangeSample(TOKENS - 8);
    results.postgres = await measure('PostgreSQL', ways, ROUNDS, Number(values['postgres-per-round']), sample);
    await reader.end();
    await compiled.close();
    await viaKysely.close();
    await store.close();
  } finally {
    await dropSchema(url, schema);
  }
}

report.results = results;
for (const [dialect, summaries] of Object.entries(results)) {
  const base = must(summaries[0], 'way A');
  console.log(
    `\n${dialect} (${TOKENS} tokens, ${ROUNDS - 1} rounds kept of ${ROUNDS}; microseconds per exchange, store's part only)`,
  );
  console.log('| way | exchanges | median µs | p99 µs | exchanges/s | median vs A | per-round medians µs |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const s of summaries) {
    const delta =
      s === base
        ? ''
        : `${s.medianUs - base.medianUs >= 0 ? '+' : ''}${round1(s.medianUs - base.medianUs)} µs (${Math.round((s.medianUs / base.medianUs - 1) * 100)}%)`;
    console.log(
      `| ${s.way} | ${s.exchanges} | ${s.medianUs} | ${s.p99Us} | ${s.perSecond} | ${delta} | ${s.roundMediansUs.join(', ')} |`,
    );
  }
}
console.log(`\n${report.machine}, kysely ${report.kysely}`);
if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2));
