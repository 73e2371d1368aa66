/**
 * `npm run bench:query-builder [-- --tokens N] [-- --rounds R] [-- --sqlite-per-round N]
 * [-- --postgres-per-round N] [-- --no-postgres] [-- --json FILE]`
 *
 * What Kysely would cost on the exchange path (issue 16 item 2: "a query builder such as
 * Kysely is welcome if the bench shows no loss on the exchange path"). The store's part of a
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
 */
import Database from 'better-sqlite3';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  SqliteAdapter,
  SqliteDialect,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Compilable,
  type ExpressionBuilder,
  type SqlBool,
  type Transaction,
} from 'kysely';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createPool, dropSchema, transaction, type Queryable } from '@rtc/db/postgres';
import { openSqlite, whenWritable } from '@rtc/db/sqlite';
import { addressKey, asnOf, networkKey } from '@rtc/ip-intel';
import {
  DEMO,
  generatedTokenValue,
  generateTenant,
  newRefreshSecret,
  planExchange,
  openPostgresStore,
  SQLITE_MIGRATIONS,
  openSqliteStore,
  toRefreshToken,
  type Row,
  type RotationOutcome as StoreRotationOutcome,
  type RotationPlanner,
} from '@rtc/tenant';

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
const SEED = 'query-builder';
/** Tokens the exchanges cycle over (the mobile app's, rotating), spread over the whole table. */
const SAMPLE = 20_000;
const progress = (line: string) => console.error(`[query-builder] ${line}`);

// ------------------------------------------------------------------ the tables, for Kysely

interface TokenTable {
  seq: number;
  id: string;
  user_id: string;
  client_id: string;
  grant_id: string | null;
  session_id: string | null;
  device_name: string | null;
  audience: string;
  current_hash: Buffer;
  previous_hash: Buffer | null;
  previous_valid_until: number | null;
  idle_expires_at: number | null;
  last_exchanged_at: number | null;
  last_ip: string | null;
  last_asn: string | null;
  last_user_agent: string | null;
  last_ip_key: Buffer | null;
  last_net_key: Buffer | null;
  revoked_at: number | null;
  revoked_reason: string | null;
}
interface DB {
  refresh_tokens: TokenTable;
  refresh_token_secrets: { hash: Buffer; token_id: string };
  users: { user_id: string; json: string };
  revocation_jobs: {
    kind: string;
    token_id: string | null;
    user_id: string | null;
    client_id: string | null;
    audience: string | null;
    grant_id: string | null;
    session_id: string | null;
    device_name: string | null;
    cutoff: number;
  };
}
type Builder = Kysely<DB> | Transaction<DB>;

/** Kysely that builds and compiles only (Kysely's documented way to use it without its driver). */
const compilerOnly = (dialect: 'sqlite' | 'postgres') =>
  new Kysely<DB>({
    dialect: {
      createAdapter: () => (dialect === 'sqlite' ? new SqliteAdapter() : new PostgresAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => (dialect === 'sqlite' ? new SqliteIntrospector(db) : new PostgresIntrospector(db)),
      createQueryCompiler: () => (dialect === 'sqlite' ? new SqliteQueryCompiler() : new PostgresQueryCompiler()),
    },
  });

// ------------------------------------------------------------------ the store's statements, built with Kysely

/**
 * Each builds, with Kysely, the statement the store writes by hand (same clauses, same
 * literals, same parameters); `dialect` picks what the two stores write differently.
 */
const statements = (dialect: 'sqlite' | 'postgres') => ({
  secret: (db: Builder, hash: Buffer) =>
    db.selectFrom('refresh_token_secrets').select('token_id').where('hash', '=', hash),

  /** The row with its user's state, locked on PostgreSQL (the SQLite transaction holds the write lock). */
  tokenWithUser: (db: Builder, id: string) => {
    const query = db
      .selectFrom('refresh_tokens as t')
      .leftJoin('users as u', 'u.user_id', 't.user_id')
      .selectAll('t')
      .select((eb) => [
        // SQLite's sequence is the rowid; PostgreSQL's is a column, in t.*.
        ...(dialect === 'sqlite' ? [sql.ref<number>('t.rowid').as('seq')] : []),
        eb
          .case()
          .when('u.user_id', 'is', null)
          .then(sql.lit('missing'))
          .when(
            dialect === 'sqlite'
              ? eb.fn<SqlBool>('json_extract', ['u.json', sql.lit('$.blocked')])
              : sql<SqlBool>`(${eb.ref('u.json')}::json->>'blocked')::boolean`,
          )
          .then(sql.lit('blocked'))
          .else(sql.lit('active'))
          .end()
          .as('user_state'),
      ])
      .where('t.id', '=', id);
    return dialect === 'postgres' ? query.forUpdate('t') : query;
  },

  /** coveredByPendingRevocation (store/sql/pending-revocation.ts) of one row read. */
  coveredByJob: (db: Builder, row: Row) => {
    const typed = <T>(eb: ExpressionBuilder<DB, 'revocation_jobs'>, value: T, type: 'bigint' | 'text') =>
      dialect === 'postgres' ? eb.cast<T>(eb.val(value), type) : eb.val(value);
    return db.selectNoFrom((outer) =>
      outer
        .exists(
          db
            .selectFrom('revocation_jobs')
            .select(sql.lit(1).as('one'))
            .where((eb) => {
              const j = (column: keyof DB['revocation_jobs'], value: unknown) =>
                eb(`revocation_jobs.${column}`, '=', typed(eb, value, 'text') as never);
              const kind = (name: string) => eb('revocation_jobs.kind', '=', sql.lit(name));
              const anyOr = (column: 'client_id' | 'audience', value: unknown) =>
                eb.or([eb(`revocation_jobs.${column}`, 'is', null), j(column, value)]);
              return eb.and([
                eb('revocation_jobs.cutoff', '>=', typed(eb, row.seq, 'bigint') as never),
                eb.or([
                  eb.and([kind('token'), j('token_id', row.id)]),
                  eb.and([
                    kind('user'),
                    j('user_id', row.user_id),
                    anyOr('client_id', row.client_id),
                    anyOr('audience', row.audience),
                  ]),
                  eb.and([kind('grant'), j('grant_id', row.grant_id)]),
                  eb.and([kind('session'), j('session_id', row.session_id)]),
                  eb.and([kind('client'), j('client_id', row.client_id), anyOr('audience', row.audience)]),
                  eb.and([kind('device'), j('user_id', row.user_id), j('device_name', row.device_name)]),
                ]),
              ]);
            }),
        )
        .as('covered'),
    );
  },

  revokeFamily: (db: Builder, id: string, now: number, reason: string) =>
    db
      .updateTable('refresh_tokens')
      .set({ revoked_at: now, revoked_reason: reason })
      .where('id', '=', id)
      .where('revoked_at', 'is', null),

  insertSecret: (db: Builder, hash: Buffer, tokenId: string) =>
    db.insertInto('refresh_token_secrets').values({ hash, token_id: tokenId }),

  /**
   * SQLite writes the address columns only when they changed (they are indexed), PostgreSQL
   * always; `rotated` is 1/0 on SQLite (better-sqlite3 binds no booleans), a boolean on PostgreSQL.
   */
  rotate: (db: Builder, id: string, plan: ExchangePlan, rotated: boolean, moved: boolean) => {
    const lastIpKey = moved ? addressKey(plan.lastIp) : null;
    return db
      .updateTable('refresh_tokens')
      .set((eb) => {
        const when = eb.val(dialect === 'sqlite' ? (rotated ? 1 : 0) : rotated) as never;
        return {
          current_hash: eb.fn.coalesce(eb.val(plan.newSecretHash), 'current_hash') as never,
          previous_hash: eb.case().when(when).then(eb.ref('current_hash')).else(eb.ref('previous_hash')).end() as never,
          previous_valid_until: eb
            .case()
            .when(when)
            .then(
              dialect === 'postgres'
                ? eb.cast(eb.val(plan.previousValidUntil), 'bigint')
                : eb.val(plan.previousValidUntil),
            )
            .else(eb.ref('previous_valid_until'))
            .end() as never,
          idle_expires_at: plan.idleExpiresAt,
          last_exchanged_at: plan.lastExchangedAt,
          ...(moved
            ? {
                last_ip: plan.lastIp,
                last_asn: plan.lastAsn,
                last_user_agent: plan.lastUserAgent,
                last_ip_key: lastIpKey,
                last_net_key: lastIpKey ? networkKey(lastIpKey) : null,
              }
            : {}),
        };
      })
      .where('id', '=', id);
  },
});
type ExchangePlan = Extract<ReturnType<RotationPlanner>, { kind: 'exchange' }>;
/** The store's outcome without the user its rotation reads now: these variants compare the rotation's statements only. */
type RotationOutcome =
  | Exclude<StoreRotationOutcome, { kind: 'exchanged' }>
  | Omit<Extract<StoreRotationOutcome, { kind: 'exchanged' }>, 'user'>;

const presentedOf = (secretHash: Buffer, row: Row) =>
  secretHash.equals(row.current_hash)
    ? 'current'
    : row.previous_hash && secretHash.equals(row.previous_hash)
      ? 'previous'
      : 'stale';

const exchanged = (token: ReturnType<typeof toRefreshToken>, plan: ExchangePlan): RotationOutcome => ({
  kind: 'exchanged',
  token: {
    ...token,
    idle_expires_at: plan.idleExpiresAt,
    last_exchanged_at: plan.lastExchangedAt,
    device: { ...token.device, last_ip: plan.lastIp, last_asn: plan.lastAsn, last_user_agent: plan.lastUserAgent },
  },
});

/**
 * rotateRefreshToken's decisions (the store's, line for line), over statements run by `first`
 * (one row) and `run` (no rows). Async: B on PostgreSQL and C on both.
 */
async function rotateAsync(
  dialect: 'sqlite' | 'postgres',
  db: Builder,
  first: (query: Compilable) => Promise<Row | undefined>,
  run: (query: Compilable) => Promise<unknown>,
  secretHash: Buffer,
  now: number,
  planner: RotationPlanner,
): Promise<RotationOutcome> {
  const s = statements(dialect);
  const secret = await first(s.secret(db, secretHash));
  if (!secret) return { kind: 'unknown' };
  const row = await first(s.tokenWithUser(db, secret.token_id));
  if (!row) return { kind: 'unknown' };
  const token = toRefreshToken(row);
  const covered = await first(s.coveredByJob(db, row));
  const plan = planner({
    token,
    presented: presentedOf(secretHash, row),
    previous_valid_until: row.previous_valid_until,
    revoked_by_job: !!covered?.covered,
    user: row.user_state,
  });
  switch (plan.kind) {
    case 'reject':
      return { kind: 'rejected', token };
    case 'revoke-family':
      await run(s.revokeFamily(db, token.id, now, plan.reason));
      return { kind: 'reuse-detected', token: { ...token, revoked_at: now, revoked_reason: plan.reason } };
    case 'exchange': {
      if (plan.newSecretHash) await run(s.insertSecret(db, plan.newSecretHash, token.id));
      const rotated = plan.newSecretHash !== null && !plan.replacesCurrent;
      const moved =
        dialect === 'postgres' ||
        plan.lastIp !== token.device.last_ip ||
        plan.lastAsn !== token.device.last_asn ||
        plan.lastUserAgent !== token.device.last_user_agent;
      await run(s.rotate(db, token.id, plan, rotated, moved));
      return exchanged(token, plan);
    }
  }
}

// ------------------------------------------------------------------ the three ways, per dialect

type Rotate = (secretHash: Buffer, now: number, planner: RotationPlanner) => Promise<RotationOutcome>;
interface Way {
  name: string;
  rotate: Rotate;
}

/** B on SQLite: Kysely builds and compiles; better-sqlite3 runs it exactly as the store runs its own text. */
function sqliteCompiled(db: Database.Database): Rotate {
  const qb = compilerOnly('sqlite');
  const s = statements('sqlite');
  const cache = new Map<string, Database.Statement>();
  const prepared = (text: string) => {
    let statement = cache.get(text);
    if (!statement) cache.set(text, (statement = db.prepare(text)));
    return statement;
  };
  const get = (query: Compilable) => {
    const compiled = query.compile();
    return prepared(compiled.sql).get(...compiled.parameters) as Row | undefined;
  };
  const run = (query: Compilable) => {
    const compiled = query.compile();
    prepared(compiled.sql).run(...compiled.parameters);
  };
  // The store's walOnlyTx and tx: a WAL-only commit, BEGIN IMMEDIATE, whenWritable.
  const walOnlyTx = <T>(fn: () => T): T => {
    prepared('PRAGMA synchronous = NORMAL').run();
    try {
      const tx = db.transaction(fn);
      return db.inTransaction ? tx.immediate() : whenWritable(db, () => tx.immediate());
    } finally {
      prepared('PRAGMA synchronous = FULL').run();
    }
  };
  return async (secretHash, now, planner) =>
    walOnlyTx((): RotationOutcome => {
      const secret = get(s.secret(qb, secretHash));
      if (!secret) return { kind: 'unknown' };
      const row = get(s.tokenWithUser(qb, secret.token_id));
      if (!row) return { kind: 'unknown' };
      const token = toRefreshToken(row);
      const plan = planner({
        token,
        presented: presentedOf(secretHash, row),
        previous_valid_until: row.previous_valid_until,
        revoked_by_job: !!get(s.coveredByJob(qb, row))?.covered,
        user: row.user_state,
      });
      switch (plan.kind) {
        case 'reject':
          return { kind: 'rejected', token };
        case 'revoke-family':
          run(s.revokeFamily(qb, token.id, now, plan.reason));
          return { kind: 'reuse-detected', token: { ...token, revoked_at: now, revoked_reason: plan.reason } };
        case 'exchange': {
          if (plan.newSecretHash) run(s.insertSecret(qb, plan.newSecretHash, token.id));
          const rotated = plan.newSecretHash !== null && !plan.replacesCurrent;
          const moved =
            plan.lastIp !== token.device.last_ip ||
            plan.lastAsn !== token.device.last_asn ||
            plan.lastUserAgent !== token.device.last_user_agent;
          run(s.rotate(qb, token.id, plan, rotated, moved));
          return exchanged(token, plan);
        }
      }
    });
}

/** C on SQLite: Kysely's SqliteDialect on its own connection to the file (opened as the store opens its own). */
function sqliteKysely(path: string): { rotate: Rotate; close: () => Promise<void> } {
  const connection = openSqlite(path, SQLITE_MIGRATIONS);
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: connection }) });
  return {
    rotate: async (secretHash, now, planner) => {
      await sql`PRAGMA synchronous = NORMAL`.execute(db);
      try {
        return await db.transaction().execute((trx) =>
          rotateAsync(
            'sqlite',
            trx,
            async (q) => (await trx.executeQuery<Row>(q.compile())).rows[0],
            (q) => trx.executeQuery(q.compile()),
            secretHash,
            now,
            planner,
          ),
        );
      } finally {
        await sql`PRAGMA synchronous = FULL`.execute(db);
      }
    },
    close: () => db.destroy(),
  };
}

/** B on PostgreSQL: Kysely builds and compiles; the store's pool settings and transaction helper run it. */
function postgresCompiled(url: string, schema: string): { rotate: Rotate; close: () => Promise<void> } {
  const pool = createPool(url, schema);
  const qb = compilerOnly('postgres');
  const query = (db: Queryable, q: Compilable) => {
    const compiled = q.compile();
    return db.query(compiled.sql, compiled.parameters as unknown[]);
  };
  return {
    rotate: (secretHash, now, planner) =>
      transaction(pool, (db) =>
        rotateAsync(
          'postgres',
          qb,
          async (q) => (await query(db, q)).rows[0],
          (q) => query(db, q),
          secretHash,
          now,
          planner,
        ),
      ),
    close: () => pool.end(),
  };
}

/** C on PostgreSQL: Kysely's PostgresDialect over a pool made as the store makes its own. */
function postgresKysely(url: string, schema: string): { rotate: Rotate; close: () => Promise<void> } {
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: createPool(url, schema) }) });
  return {
    rotate: (secretHash, now, planner) =>
      db.transaction().execute((trx) =>
        rotateAsync(
          'postgres',
          trx,
          async (q) => (await trx.executeQuery<Row>(q.compile())).rows[0],
          (q) => trx.executeQuery(q.compile()),
          secretHash,
          now,
          planner,
        ),
      ),
    close: () => db.destroy(),
  };
}

// ------------------------------------------------------------------ exchanges and timing

/** Two addresses of different networks: each exchange of a token comes from the other one. */
const ADDRESSES = ['203.0.113.7', '172.56.21.77'].map((ip) => ({ ip, asn: asnOf(ip) }));
const USER_AGENT = 'AcmeMobile/5.2 (iPhone; iOS 17.4)';

/** The mobile app's tokens (even indexes: the generator alternates mobile and web), shuffled. */
function exchangeSample(tokens: number) {
  let state = 12345;
  const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const indexes = Array.from({ length: Math.floor(tokens / 2) }, (_, i) => 2 * i);
  for (let i = indexes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [indexes[i], indexes[j]] = [indexes[j]!, indexes[i]!];
  }
  const secrets: Buffer[] = indexes
    .slice(0, SAMPLE)
    .map((i) => createHash('sha256').update(generatedTokenValue(SEED, i)).digest());
  const uses = new Array<number>(secrets.length).fill(0);
  let cursor = 0;
  /** The next token's current secret, and the plan's inputs for its next exchange. */
  return {
    next() {
      const slot = cursor++ % secrets.length;
      const from = ADDRESSES[uses[slot]! % 2]!;
      const newSecret = newRefreshSecret();
      const now = Date.now();
      const planner = planExchange({
        clientId: DEMO.clients.mobile.client_id,
        now,
        newSecretHash: newSecret.hash,
        ip: from.ip,
        asn: from.asn,
        userAgent: USER_AGENT,
        dpopJkt: null,
      });
      return {
        presented: secrets[slot]!,
        now,
        planner,
        done(outcome: RotationOutcome) {
          if (outcome.kind !== 'exchanged') throw new Error(`an exchange answered ${outcome.kind}, not exchanged`);
          secrets[slot] = newSecret.hash;
          uses[slot]!++;
        },
      };
    },
  };
}

interface Summary {
  way: string;
  exchanges: number;
  medianUs: number;
  p99Us: number;
  perSecond: number;
  roundMediansUs: number[];
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const round1 = (n: number) => Math.round(n * 10) / 10;

async function measure(
  dialect: string,
  ways: Way[],
  perRound: number,
  sample: ReturnType<typeof exchangeSample>,
): Promise<Summary[]> {
  const samples = ways.map(() => [] as number[]);
  const roundMedians = ways.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < ways.length; k++) {
      const w = (round + k) % ways.length;
      const way = ways[w]!;
      const times = new Array<number>(perRound);
      for (let i = 0; i < perRound; i++) {
        const exchange = sample.next();
        const started = performance.now();
        const outcome = await way.rotate(exchange.presented, exchange.now, exchange.planner);
        times[i] = (performance.now() - started) * 1000;
        exchange.done(outcome);
      }
      const sorted = [...times].sort((a, b) => a - b);
      if (round === 0) continue; // warm-up: compiling, caches, first pages
      samples[w]!.push(...times);
      roundMedians[w]!.push(round1(quantile(sorted, 0.5)));
    }
    progress(`${dialect}: round ${round + 1} of ${ROUNDS}${round === 0 ? ' (warm-up, discarded)' : ''}`);
  }
  return ways.map((way, w) => {
    const sorted = [...samples[w]!].sort((a, b) => a - b);
    const total = sorted.reduce((sum, t) => sum + t, 0);
    return {
      way: way.name,
      exchanges: sorted.length,
      medianUs: round1(quantile(sorted, 0.5)),
      p99Us: round1(quantile(sorted, 0.99)),
      perSecond: Math.round(sorted.length / (total / 1e6)),
      roundMediansUs: roundMedians[w]!,
    };
  });
}

/**
 * One token exchanged each way with identical inputs, and the columns an exchange writes
 * compared: B and C must leave the row as A does (else the timing compares different work).
 */
async function sameEffect(
  ways: Way[],
  read: (id: string, newHash: Buffer, oldHash: Buffer) => Promise<Row>,
  tokenIndex: (w: number) => number,
  idOf: (hash: Buffer) => Promise<string>,
) {
  const now = Date.now();
  const results: string[] = [];
  for (let w = 0; w < ways.length; w++) {
    const oldHash = createHash('sha256')
      .update(generatedTokenValue(SEED, tokenIndex(w)))
      .digest();
    const id = await idOf(oldHash);
    const newSecret = newRefreshSecret();
    const planner = planExchange({
      clientId: DEMO.clients.mobile.client_id,
      now,
      newSecretHash: newSecret.hash,
      ip: ADDRESSES[0]!.ip,
      asn: ADDRESSES[0]!.asn,
      userAgent: USER_AGENT,
      dpopJkt: null,
    });
    const outcome = await ways[w]!.rotate(oldHash, now, planner);
    if (outcome.kind !== 'exchanged')
      throw new Error(`${ways[w]!.name}: the check's exchange answered ${outcome.kind}`);
    const { id: _id, ...effect } = await read(id, newSecret.hash, oldHash);
    const answered = {
      kind: outcome.kind,
      idle_expires_at: outcome.token.idle_expires_at,
      last_exchanged_at: outcome.token.last_exchanged_at,
      last_ip: outcome.token.device.last_ip,
      last_asn: outcome.token.device.last_asn,
      last_user_agent: outcome.token.device.last_user_agent,
    };
    results.push(JSON.stringify({ effect, answered }));
  }
  // Tokens differ in their creation and owner; what an exchange writes does not.
  for (let w = 1; w < ways.length; w++) {
    if (results[w] !== results[0])
      throw new Error(`${ways[w]!.name} left the row otherwise than ${ways[0]!.name}:\n${results[0]}\n${results[w]}`);
  }
}

// ------------------------------------------------------------------ main

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
  results.sqlite = await measure('SQLite', ways, Number(values['sqlite-per-round']), sample);
  await viaKysely.close();
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (!values['no-postgres']) {
  const url = values['database-url']!;
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
    results.postgres = await measure('PostgreSQL', ways, Number(values['postgres-per-round']), sample);
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
  const base = summaries[0]!;
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
