/**
 * The tenant's schema, defined once: the state its migrations reach on each dialect (SQLite:
 * the last of SQLITE_MIGRATIONS; PostgreSQL: the last of POSTGRES_MIGRATIONS). A new database
 * is created from this in one step (renderSqlite, renderPostgres) and recorded at the latest
 * migration version; an existing one keeps upgrading through the migrations, which are history
 * and stay as written. schema.test.ts (SQLite) and test/schema.postgres.test.ts compare a
 * database migrated through the whole history with one created from here, so a migration added
 * without its change here (or the reverse) fails there.
 *
 * Where the dialects differ, the definition says so (`only`, `unique: 'sqlite'`,
 * `appendedInSqlite`, `withoutRowid`) with the reason beside it.
 */

import type { Schema, Table } from './schema-ddl.ts';

/** Partial indexes over live tokens: listings and bulk revocations only ever want those. */
const LIVE = 'revoked_at IS NULL';

/**
 * Fixed-window rate-limit counters. On PostgreSQL, in the tenant's schema, shared by every
 * instance; on SQLite, in a file of their own beside the tenant's (COUNTER_SCHEMA, and
 * COUNTER_MIGRATIONS for why).
 */
const RATE_LIMITS: Table = {
  name: 'rate_limits',
  columns: [
    { name: 'key', type: 'text', primaryKey: true },
    { name: 'count', type: 'int' },
    { name: 'reset_at', type: 'bigint' },
  ],
  indexes: [{ name: 'rate_limits_reset', keys: ['reset_at'] }],
  withoutRowid: true,
};

/** The tables whose every change moves `directory_version` (see SqliteDirectoryCache). */
export const DIRECTORY_TABLES = ['clients', 'resource_servers', 'tenant_settings'] as const;
const DIRECTORY_TRIGGERS = DIRECTORY_TABLES.flatMap((table) =>
  (['INSERT', 'UPDATE', 'DELETE'] as const).map(
    (op) =>
      `CREATE TRIGGER ${table}_${op.toLowerCase()}_moves_version AFTER ${op} ON ${table} BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;`,
  ),
);

export const TENANT_SCHEMA: Schema = {
  tables: [
    {
      name: 'tenant_settings',
      columns: [
        { name: 'id', type: 'int', primaryKey: true, check: 'id = 1' },
        { name: 'json', type: 'json' },
      ],
    },
    {
      name: 'tenant_secrets',
      columns: [
        { name: 'name', type: 'text', primaryKey: true },
        { name: 'value', type: 'text' },
      ],
    },
    {
      name: 'signing_keys',
      columns: [
        { name: 'kid', type: 'text', primaryKey: true },
        { name: 'private_jwk', type: 'json' },
        { name: 'public_jwk', type: 'json' },
        { name: 'created_at', type: 'bigint' },
      ],
    },
    {
      name: 'clients',
      columns: [
        { name: 'client_id', type: 'text', primaryKey: true },
        { name: 'name', type: 'text' },
        { name: 'json', type: 'json' },
        { name: 'client_secret_hash', type: 'bytes', nullable: true },
        { name: 'created_at', type: 'bigint' },
      ],
    },
    {
      name: 'resource_servers',
      columns: [
        { name: 'identifier', type: 'text', primaryKey: true },
        { name: 'id', type: 'text', unique: true },
        { name: 'json', type: 'json' },
      ],
    },
    {
      name: 'client_grants',
      columns: [
        { name: 'id', type: 'text', primaryKey: true },
        { name: 'client_id', type: 'text' },
        { name: 'audience', type: 'text' },
        { name: 'scope', type: 'text' },
      ],
      unique: [['client_id', 'audience']],
    },
    {
      name: 'users',
      columns: [
        { name: 'user_id', type: 'text', primaryKey: true },
        // One user per address, whatever its case. SQLite: the column's NOCASE collation makes
        // its unique constraint case-insensitive; PostgreSQL: the unique index users_email on
        // lower(email) below, there being no such collation.
        { name: 'email', type: 'text', unique: 'sqlite', caseInsensitive: true },
        { name: 'name', type: 'text' },
        { name: 'created_at', type: 'bigint' },
        { name: 'last_login', type: 'bigint', nullable: true },
        { name: 'json', type: 'json' },
        { name: 'password_hash', type: 'text', nullable: true },
      ],
      indexes: [
        { name: 'users_email', keys: [{ column: 'email', caseInsensitive: true }], unique: true, only: 'postgres' },
        { name: 'users_name', keys: [{ column: 'name', caseInsensitive: true }] },
        { name: 'users_created', keys: ['created_at'] },
      ],
    },
    {
      name: 'grants',
      columns: [
        { name: 'id', type: 'text', primaryKey: true },
        { name: 'user_id', type: 'text' },
        { name: 'client_id', type: 'text' },
        { name: 'audience', type: 'text' },
        { name: 'scope', type: 'text' },
        { name: 'created_at', type: 'bigint' },
        { name: 'updated_at', type: 'bigint' },
      ],
      unique: [['user_id', 'client_id', 'audience']],
      indexes: [{ name: 'grants_client', keys: ['client_id'] }],
    },
    {
      name: 'sessions',
      columns: [
        { name: 'id', type: 'text', primaryKey: true },
        { name: 'user_id', type: 'text' },
        { name: 'cookie_hash', type: 'bytes', unique: true },
        { name: 'created_at', type: 'bigint' },
        { name: 'revoked_at', type: 'bigint', nullable: true },
        { name: 'json', type: 'json' },
      ],
      indexes: [{ name: 'sessions_user', keys: ['user_id', 'id'] }],
    },
    {
      name: 'authorization_codes',
      columns: [
        { name: 'code_hash', type: 'bytes', primaryKey: true },
        { name: 'json', type: 'json' },
        { name: 'expires_at', type: 'bigint' },
        { name: 'consumed_at', type: 'bigint', nullable: true },
      ],
      withoutRowid: true,
    },
    {
      name: 'refresh_tokens',
      columns: [
        // PostgreSQL only: the order tokens were issued in. A bulk revocation covers the tokens
        // issued up to its cutoff, and listings break ties by it; SQLite uses the rowid for both.
        { name: 'seq', type: 'serial', unique: true, only: 'postgres' },
        { name: 'id', type: 'text', primaryKey: true },
        { name: 'user_id', type: 'text' },
        { name: 'client_id', type: 'text' },
        { name: 'grant_id', type: 'text', nullable: true },
        { name: 'session_id', type: 'text', nullable: true },
        { name: 'device_name', type: 'text', nullable: true },
        { name: 'audience', type: 'text' },
        { name: 'scope', type: 'text' },
        { name: 'resource_servers', type: 'json' },
        { name: 'rotating', type: 'boolean' },
        { name: 'leeway', type: 'int' },
        { name: 'idle_lifetime', type: 'int', nullable: true },
        { name: 'created_at', type: 'bigint' },
        { name: 'expires_at', type: 'bigint', nullable: true },
        { name: 'idle_expires_at', type: 'bigint', nullable: true },
        { name: 'last_exchanged_at', type: 'bigint', nullable: true },
        { name: 'initial_ip', type: 'text', nullable: true },
        { name: 'initial_asn', type: 'text', nullable: true },
        { name: 'initial_user_agent', type: 'text', nullable: true },
        { name: 'last_ip', type: 'text', nullable: true },
        { name: 'last_asn', type: 'text', nullable: true },
        { name: 'last_user_agent', type: 'text', nullable: true },
        { name: 'metadata', type: 'json', default: '{}' },
        { name: 'current_hash', type: 'bytes' },
        { name: 'previous_hash', type: 'bytes', nullable: true },
        { name: 'previous_valid_until', type: 'bigint', nullable: true },
        { name: 'revoked_at', type: 'bigint', nullable: true },
        { name: 'revoked_reason', type: 'text', nullable: true },
        // Search across users by address: a sortable 16-byte key of each address
        // (IPv4 mapped into ::ffff:0:0/96, addressKey in @rtc/ip-intel) and of its network (an
        // IPv4 /24, an IPv6 /48), so an address or a CIDR is one range of keys.
        { name: 'initial_ip_key', type: 'bytes', nullable: true },
        { name: 'last_ip_key', type: 'bytes', nullable: true },
        { name: 'initial_net_key', type: 'bytes', nullable: true },
        { name: 'last_net_key', type: 'bytes', nullable: true },
        // RFC 9449 section 5: the thumbprint of the DPoP key a public client's token is bound to
        // for its whole life (rotations keep it), or null. Never the key itself.
        { name: 'dpop_jkt', type: 'text', nullable: true },
      ],
      indexes: [
        { name: 'rt_user_live', keys: ['user_id', 'id'], where: LIVE },
        { name: 'rt_user_client_live', keys: ['user_id', 'client_id', 'created_at'], where: LIVE },
        { name: 'rt_client_live', keys: ['client_id', 'id'], where: LIVE },
        // Tokens without a grant or a session are no bulk revocation's business.
        { name: 'rt_grant_live', keys: ['grant_id'], where: `${LIVE} AND grant_id IS NOT NULL` },
        { name: 'rt_session_live', keys: ['session_id'], where: `${LIVE} AND session_id IS NOT NULL` },
        { name: 'rt_user_all', keys: ['user_id', 'created_at'] },
        // A page of a search is a walk in id order that the LIMIT stops: within a network (the
        // address checked in the index), an ASN, an address. See SQLite's migrations 8 and 9.
        {
          name: 'rt_initial_net_live',
          keys: ['initial_net_key', 'id', 'initial_ip_key'],
          where: `${LIVE} AND initial_net_key IS NOT NULL`,
        },
        {
          name: 'rt_last_net_live',
          keys: ['last_net_key', 'id', 'last_ip_key'],
          where: `${LIVE} AND last_net_key IS NOT NULL`,
        },
        { name: 'rt_initial_asn_live', keys: ['initial_asn', 'id'], where: `${LIVE} AND initial_asn IS NOT NULL` },
        { name: 'rt_last_asn_live', keys: ['last_asn', 'id'], where: `${LIVE} AND last_asn IS NOT NULL` },
        { name: 'rt_initial_ip_live', keys: ['initial_ip_key', 'id'], where: `${LIVE} AND initial_ip_key IS NOT NULL` },
        { name: 'rt_last_ip_live', keys: ['last_ip_key', 'id'], where: `${LIVE} AND last_ip_key IS NOT NULL` },
      ],
    },
    {
      // Every secret ever issued for a token, so a reused (rotated-away) secret is recognised.
      name: 'refresh_token_secrets',
      columns: [
        { name: 'hash', type: 'bytes', primaryKey: true },
        { name: 'token_id', type: 'text' },
      ],
      // No index by token: nothing reads a token's secrets, and one would cost every exchange a write.
      withoutRowid: true,
    },
    {
      // The journal of bulk revocations: in force from insertion, deleted when every row is marked.
      name: 'revocation_jobs',
      columns: [
        { name: 'id', type: 'text', primaryKey: true },
        { name: 'kind', type: 'text' },
        // A journaled revocation of one token (DELETE /refresh-tokens/{id} is asynchronous).
        { name: 'token_id', type: 'text', nullable: true, appendedInSqlite: true },
        { name: 'user_id', type: 'text', nullable: true },
        { name: 'client_id', type: 'text', nullable: true },
        { name: 'audience', type: 'text', nullable: true },
        { name: 'grant_id', type: 'text', nullable: true },
        { name: 'session_id', type: 'text', nullable: true },
        { name: 'device_name', type: 'text', nullable: true },
        { name: 'reason', type: 'text' },
        { name: 'cutoff', type: 'bigint' },
        { name: 'requested_at', type: 'bigint' },
        { name: 'revoked_count', type: 'bigint', default: 0 },
        // A job is leased to one instance at a time.
        { name: 'claimed_by', type: 'text', nullable: true, appendedInSqlite: true },
        { name: 'claimed_until', type: 'bigint', nullable: true, appendedInSqlite: true },
      ],
    },
    {
      name: 'events',
      columns: [
        { name: 'id', type: 'text', primaryKey: true },
        { name: 'type', type: 'text' },
        { name: 'user_id', type: 'text', nullable: true },
        { name: 'client_id', type: 'text', nullable: true },
        { name: 'refresh_token_id', type: 'text', nullable: true },
        { name: 'created_at', type: 'bigint' },
        { name: 'json', type: 'json' },
      ],
      indexes: [
        { name: 'events_user', keys: ['user_id', 'created_at'] },
        { name: 'events_token', keys: ['refresh_token_id'] },
      ],
    },
    {
      // DPoP proofs seen (RFC 9449 section 11.1): SHA-256 of the key's thumbprint and the proof's
      // jti, kept until the proof's iat leaves the acceptance window, so a proof replayed to any
      // worker or instance is refused. Expired rows are swept (sweepDpopProofs).
      name: 'dpop_proofs',
      columns: [
        { name: 'jti_hash', type: 'bytes', primaryKey: true },
        { name: 'expires_at', type: 'bigint' },
      ],
      indexes: [{ name: 'dpop_proofs_expiry', keys: ['expires_at'] }],
      withoutRowid: true,
    },
    // SQLite keeps its counters in a file of their own (COUNTER_SCHEMA).
    { ...RATE_LIMITS, only: 'postgres' },
    {
      // SQLite only: named locks shared by worker processes on one file. PostgreSQL's instances
      // use advisory locks instead.
      name: 'locks',
      columns: [
        { name: 'name', type: 'text', primaryKey: true },
        { name: 'holder', type: 'text' },
        { name: 'expires_at', type: 'bigint' },
      ],
      withoutRowid: true,
      only: 'sqlite',
    },
    {
      // A counter that every change to clients, APIs or the tenant's settings moves (by the
      // triggers below), in the writer's own transaction: each process caches those read-mostly
      // rows and drops its cache when the counter moved, whichever process or tool wrote them.
      name: 'directory_version',
      columns: [
        { name: 'id', type: 'int', primaryKey: true, check: 'id = 1' },
        { name: 'n', type: 'bigint' },
      ],
      rows: [{ id: 1, n: 0 }],
      only: 'sqlite',
    },
  ],
  sqliteTriggers: DIRECTORY_TRIGGERS,
  postgresFunctions: [
    // An address's key (see refresh_tokens.initial_ip_key), for session search, which reads
    // addresses from the session's JSON. NULL, never an error, for text that is not one
    // address. SQLite's `ip_key` is the same function in TypeScript, registered on the connection.
    `CREATE FUNCTION rtc_ip_key(address TEXT) RETURNS BYTEA LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
  DECLARE a INET;
  BEGIN
    a := address::inet;
    IF masklen(a) <> (CASE family(a) WHEN 4 THEN 32 ELSE 128 END) THEN RETURN NULL; END IF;
    -- inet_send: family, bits, is_cidr, length, then the address bytes in network order.
    IF family(a) = 4 THEN RETURN '\\x00000000000000000000ffff'::bytea || substring(inet_send(a) FROM 5); END IF;
    RETURN substring(inet_send(a) FROM 5);
  EXCEPTION WHEN others THEN
    RETURN NULL;
  END $$;`,
  ],
};

/** The SQLite counters file (COUNTER_MIGRATIONS). */
export const COUNTER_SCHEMA: Schema = { tables: [RATE_LIMITS] };
