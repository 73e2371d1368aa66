import type { Migrations } from '@rtc/db/sqlite';
import { renderSqlite } from '../sql/schema-ddl.ts';
import { COUNTER_SCHEMA, TENANT_SCHEMA } from '../sql/schema.ts';

/**
 * Versioned schema, as history: how a file of an earlier version is brought up to date. Each
 * entry runs once, in order, inside a transaction; the applied version is kept in
 * `PRAGMA user_version`. Never edit an applied migration: add one, and make the same change in
 * sql/schema.ts (the schema as it stands, which a new file is created from; see SQLITE_MIGRATIONS).
 */
const TENANT_HISTORY: string[] = [
  /* 1: the tenant */ `
  CREATE TABLE tenant_settings (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
  CREATE TABLE tenant_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY, private_jwk TEXT NOT NULL, public_jwk TEXT NOT NULL, created_at INTEGER NOT NULL
  );

  CREATE TABLE clients (
    client_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    json TEXT NOT NULL,
    client_secret_hash BLOB,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE resource_servers (
    identifier TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, json TEXT NOT NULL
  );
  CREATE TABLE client_grants (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL, audience TEXT NOT NULL, scope TEXT NOT NULL,
    UNIQUE (client_id, audience)
  );

  CREATE TABLE users (
    user_id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_login INTEGER,
    json TEXT NOT NULL,
    password_hash TEXT
  );
  CREATE INDEX users_name ON users (name COLLATE NOCASE);
  CREATE INDEX users_created ON users (created_at);

  CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    audience TEXT NOT NULL,
    scope TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (user_id, client_id, audience)
  );
  CREATE INDEX grants_client ON grants (client_id);

  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    cookie_hash BLOB NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER,
    json TEXT NOT NULL
  );
  CREATE INDEX sessions_user ON sessions (user_id, id);

  CREATE TABLE authorization_codes (
    code_hash BLOB PRIMARY KEY,
    json TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    consumed_at INTEGER
  ) WITHOUT ROWID;

  CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    grant_id TEXT,
    session_id TEXT,
    device_name TEXT,
    audience TEXT NOT NULL,
    scope TEXT NOT NULL,
    resource_servers TEXT NOT NULL,
    rotating INTEGER NOT NULL,
    leeway INTEGER NOT NULL,
    idle_lifetime INTEGER,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    idle_expires_at INTEGER,
    last_exchanged_at INTEGER,
    initial_ip TEXT, initial_asn TEXT, initial_user_agent TEXT,
    last_ip TEXT, last_asn TEXT, last_user_agent TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    current_hash BLOB NOT NULL,
    previous_hash BLOB,
    previous_valid_until INTEGER,
    revoked_at INTEGER,
    revoked_reason TEXT
  );
  -- Partial indexes over live tokens: listings and bulk revocations only ever want those.
  CREATE INDEX rt_user_live ON refresh_tokens (user_id, id) WHERE revoked_at IS NULL;
  CREATE INDEX rt_user_client_live ON refresh_tokens (user_id, client_id, created_at) WHERE revoked_at IS NULL;
  CREATE INDEX rt_client_live ON refresh_tokens (client_id, id) WHERE revoked_at IS NULL;
  CREATE INDEX rt_grant_live ON refresh_tokens (grant_id) WHERE revoked_at IS NULL;
  CREATE INDEX rt_session_live ON refresh_tokens (session_id) WHERE revoked_at IS NULL;
  CREATE INDEX rt_user_all ON refresh_tokens (user_id, created_at);

  -- Every secret ever issued for a token, so a reused (rotated-away) secret is recognised.
  CREATE TABLE refresh_token_secrets (
    hash BLOB PRIMARY KEY,
    token_id TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX rts_token ON refresh_token_secrets (token_id);

  -- The journal of bulk revocations: in force from insertion, deleted when every row is marked.
  CREATE TABLE revocation_jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    user_id TEXT, client_id TEXT, audience TEXT, grant_id TEXT, session_id TEXT, device_name TEXT,
    reason TEXT NOT NULL,
    cutoff INTEGER NOT NULL,
    requested_at INTEGER NOT NULL,
    revoked_count INTEGER NOT NULL DEFAULT 0
  );

  CREATE TABLE events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    user_id TEXT,
    client_id TEXT,
    refresh_token_id TEXT,
    created_at INTEGER NOT NULL,
    json TEXT NOT NULL
  );
  CREATE INDEX events_user ON events (user_id, created_at);
  CREATE INDEX events_token ON events (refresh_token_id);
  `,
  /* 2: grant and session indexes skip tokens without one, so bulk revocations touch fewer entries */ `
  DROP INDEX rt_grant_live;
  DROP INDEX rt_session_live;
  CREATE INDEX rt_grant_live ON refresh_tokens (grant_id) WHERE revoked_at IS NULL AND grant_id IS NOT NULL;
  CREATE INDEX rt_session_live ON refresh_tokens (session_id) WHERE revoked_at IS NULL AND session_id IS NOT NULL;
  `,
  /* 3: a journaled revocation of one token (Management API DELETE /refresh-tokens/{id} is asynchronous) */ `
  ALTER TABLE revocation_jobs ADD COLUMN token_id TEXT;
  `,
  /* 4: revocation jobs are leased to one instance at a time */ `
  ALTER TABLE revocation_jobs ADD COLUMN claimed_by TEXT;
  ALTER TABLE revocation_jobs ADD COLUMN claimed_until INTEGER;
  `,
  /* 5: worker processes on one file share rate-limit counts and named locks */ `
  CREATE TABLE rate_limits (key TEXT PRIMARY KEY, count INTEGER NOT NULL, reset_at INTEGER NOT NULL) WITHOUT ROWID;
  CREATE INDEX rate_limits_reset ON rate_limits (reset_at);
  CREATE TABLE locks (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID;
  `,
  /* 6: rate-limit counts moved to their own file (COUNTER_MIGRATIONS) */ `
  DROP TABLE rate_limits;
  `,
  /*
   * 7: search across users by address: a sortable 16-byte key of each token's initial
   * and last address (IPv4 mapped into ::ffff:0:0/96, see addressKey in @rtc/ip-intel), so an
   * address or a CIDR is one range of keys. Written with the text on insert and on exchange;
   * here backfilled for live tokens (revoked ones are never searched) with `ip_key`, the same
   * function registered on the connection (openSqliteStore).
   */ `
  ALTER TABLE refresh_tokens ADD COLUMN initial_ip_key BLOB;
  ALTER TABLE refresh_tokens ADD COLUMN last_ip_key BLOB;
  UPDATE refresh_tokens SET initial_ip_key = ip_key(initial_ip), last_ip_key = ip_key(last_ip)
   WHERE revoked_at IS NULL AND (initial_ip IS NOT NULL OR last_ip IS NOT NULL);
  `,
  /*
   * 8: search across users by address and ASN at 1,000,000 tokens. A partial index of
   * live tokens per column, in id order within each value, so that a page is a walk the LIMIT
   * stops: by ASN (asn, id); by address, on the address's network (network_key of @rtc/ip-intel:
   * its /24, an IPv6 /48), (net_key, id, ip_key), so one address or one network up to a /24 is
   * an equality on the network key, walked in id order with the address range checked in the
   * index (a /24 of 36,000 tokens: a page in about 1 ms; gathered from an index of addresses and
   * sorted, 750 ms). A larger network is a range of network keys, gathered and sorted. No expiry
   * in these indexes: an exchange moves idle_expires_at, and would rewrite both entries each
   * time; it writes the address columns only when they change. The network keys are written
   * with the addresses, here backfilled for live tokens.
   */ `
  ALTER TABLE refresh_tokens ADD COLUMN initial_net_key BLOB;
  ALTER TABLE refresh_tokens ADD COLUMN last_net_key BLOB;
  UPDATE refresh_tokens SET initial_net_key = ip_network_key(initial_ip), last_net_key = ip_network_key(last_ip)
   WHERE revoked_at IS NULL AND (initial_ip IS NOT NULL OR last_ip IS NOT NULL);
  CREATE INDEX rt_initial_net_live ON refresh_tokens (initial_net_key, id, initial_ip_key) WHERE revoked_at IS NULL AND initial_net_key IS NOT NULL;
  CREATE INDEX rt_last_net_live ON refresh_tokens (last_net_key, id, last_ip_key) WHERE revoked_at IS NULL AND last_net_key IS NOT NULL;
  CREATE INDEX rt_initial_asn_live ON refresh_tokens (initial_asn, id) WHERE revoked_at IS NULL AND initial_asn IS NOT NULL;
  CREATE INDEX rt_last_asn_live ON refresh_tokens (last_asn, id) WHERE revoked_at IS NULL AND last_asn IS NOT NULL;
  `,
  /*
   * 9: one address among many of its /24 (a carrier's: tens of thousands of tokens, a few hundred
   * of the address) was a walk of the whole /24 in id order; (ip_key, id) walks the address's own.
   * Written like the network key: on insert, and on exchange only when the address changes.
   */ `
  CREATE INDEX rt_initial_ip_live ON refresh_tokens (initial_ip_key, id) WHERE revoked_at IS NULL AND initial_ip_key IS NOT NULL;
  CREATE INDEX rt_last_ip_live ON refresh_tokens (last_ip_key, id) WHERE revoked_at IS NULL AND last_ip_key IS NOT NULL;
  `,
  /*
   * 10: DPoP (RFC 9449): the key a public client's refresh token is bound to, and the
   * proofs seen within their window, so a replay is refused by every worker.
   */ `
  ALTER TABLE refresh_tokens ADD COLUMN dpop_jkt TEXT;
  CREATE TABLE dpop_proofs (jti_hash BLOB PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
  CREATE INDEX dpop_proofs_expiry ON dpop_proofs (expires_at);
  `,
  /*
   * 11: no index of secrets by token. No query reads secrets by token (a secret is looked up by
   * its hash, and a token's secrets are never listed), and every exchange and every issued token
   * paid for one more random page write.
   */ `
  DROP INDEX rts_token;
  `,
  /*
   * 12: a counter every change to clients, APIs and settings moves, so each process can cache
   * them and know when to drop its cache (see SqliteDirectoryCache).
   */ `
  CREATE TABLE directory_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n INTEGER NOT NULL
);
  INSERT INTO directory_version (id, n) VALUES (1, 0);
  CREATE TRIGGER clients_insert_moves_version AFTER INSERT ON clients BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER clients_update_moves_version AFTER UPDATE ON clients BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER clients_delete_moves_version AFTER DELETE ON clients BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER resource_servers_insert_moves_version AFTER INSERT ON resource_servers BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER resource_servers_update_moves_version AFTER UPDATE ON resource_servers BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER resource_servers_delete_moves_version AFTER DELETE ON resource_servers BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER tenant_settings_insert_moves_version AFTER INSERT ON tenant_settings BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER tenant_settings_update_moves_version AFTER UPDATE ON tenant_settings BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER tenant_settings_delete_moves_version AFTER DELETE ON tenant_settings BEGIN UPDATE directory_version SET n = n + 1 WHERE id = 1; END;
  `,
];

/**
 * The rate-limit counters' own file, beside the tenant's. A count is written on every request
 * it limits; in the tenant's file each write would make every other worker drop its page cache
 * of the tokens (SQLite invalidates a connection's cache when the file changes), and the next
 * listing or exchange there read the pages again.
 */
const COUNTER_HISTORY: string[] = [
  /* 1 */ `
  CREATE TABLE rate_limits (key TEXT PRIMARY KEY, count INTEGER NOT NULL, reset_at INTEGER NOT NULL) WITHOUT ROWID;
  CREATE INDEX rate_limits_reset ON rate_limits (reset_at);
  `,
];

/**
 * The tenant's file: a new one is created from sql/schema.ts in one step and recorded at the
 * last migration's version; an existing one upgrades through the history. schema.test.ts
 * checks that the two end the same.
 */
export const SQLITE_MIGRATIONS: Migrations = { history: TENANT_HISTORY, fresh: renderSqlite(TENANT_SCHEMA) };

/** The counters' file, the same way. */
export const COUNTER_MIGRATIONS: Migrations = { history: COUNTER_HISTORY, fresh: renderSqlite(COUNTER_SCHEMA) };
