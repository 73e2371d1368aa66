import type { Migrations } from '@rtc/db/postgres';
import { renderPostgres } from '../sql/schema-ddl.ts';
import { TENANT_SCHEMA } from '../sql/schema.ts';

/**
 * Versioned schema for PostgreSQL, as history: how a schema of an earlier version is brought up
 * to date. Applied at start, in order, each in its own transaction, under an advisory lock so
 * instances starting together apply each migration once. Never edit an applied migration: add
 * one, and make the same change in sql/schema.ts (the schema as it stands, which a new database
 * is created from; see POSTGRES_MIGRATIONS).
 */
const POSTGRES_HISTORY: string[] = [
  /* 1: the tenant */ `
  CREATE TABLE tenant_settings (id INT PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
  CREATE TABLE tenant_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE signing_keys (kid TEXT PRIMARY KEY, private_jwk TEXT NOT NULL, public_jwk TEXT NOT NULL, created_at BIGINT NOT NULL);

  CREATE TABLE clients (client_id TEXT PRIMARY KEY, name TEXT NOT NULL, json TEXT NOT NULL, client_secret_hash BYTEA, created_at BIGINT NOT NULL);
  CREATE TABLE resource_servers (identifier TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, json TEXT NOT NULL);
  CREATE TABLE client_grants (id TEXT PRIMARY KEY, client_id TEXT NOT NULL, audience TEXT NOT NULL, scope TEXT NOT NULL, UNIQUE (client_id, audience));

  CREATE TABLE users (
    user_id TEXT PRIMARY KEY, email TEXT NOT NULL, name TEXT NOT NULL, created_at BIGINT NOT NULL,
    last_login BIGINT, json TEXT NOT NULL, password_hash TEXT
  );
  CREATE UNIQUE INDEX users_email ON users (lower(email));
  CREATE INDEX users_name ON users (lower(name));
  CREATE INDEX users_created ON users (created_at);

  CREATE TABLE grants (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL, client_id TEXT NOT NULL, audience TEXT NOT NULL, scope TEXT NOT NULL,
    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, UNIQUE (user_id, client_id, audience)
  );
  CREATE INDEX grants_client ON grants (client_id);

  CREATE TABLE sessions (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL, cookie_hash BYTEA NOT NULL UNIQUE, created_at BIGINT NOT NULL,
    revoked_at BIGINT, json TEXT NOT NULL
  );
  CREATE INDEX sessions_user ON sessions (user_id, id);

  CREATE TABLE authorization_codes (code_hash BYTEA PRIMARY KEY, json TEXT NOT NULL, expires_at BIGINT NOT NULL, consumed_at BIGINT);

  CREATE TABLE refresh_tokens (
    seq BIGSERIAL UNIQUE,
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    grant_id TEXT,
    session_id TEXT,
    device_name TEXT,
    audience TEXT NOT NULL,
    scope TEXT NOT NULL,
    resource_servers TEXT NOT NULL,
    rotating BOOLEAN NOT NULL,
    leeway INT NOT NULL,
    idle_lifetime INT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    idle_expires_at BIGINT,
    last_exchanged_at BIGINT,
    initial_ip TEXT, initial_asn TEXT, initial_user_agent TEXT,
    last_ip TEXT, last_asn TEXT, last_user_agent TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    current_hash BYTEA NOT NULL,
    previous_hash BYTEA,
    previous_valid_until BIGINT,
    revoked_at BIGINT,
    revoked_reason TEXT
  );
  CREATE INDEX rt_user_live ON refresh_tokens (user_id, id) WHERE revoked_at IS NULL;
  CREATE INDEX rt_user_client_live ON refresh_tokens (user_id, client_id, created_at) WHERE revoked_at IS NULL;
  CREATE INDEX rt_client_live ON refresh_tokens (client_id, id) WHERE revoked_at IS NULL;
  CREATE INDEX rt_grant_live ON refresh_tokens (grant_id) WHERE revoked_at IS NULL AND grant_id IS NOT NULL;
  CREATE INDEX rt_session_live ON refresh_tokens (session_id) WHERE revoked_at IS NULL AND session_id IS NOT NULL;
  CREATE INDEX rt_user_all ON refresh_tokens (user_id, created_at);

  CREATE TABLE refresh_token_secrets (hash BYTEA PRIMARY KEY, token_id TEXT NOT NULL);
  CREATE INDEX rts_token ON refresh_token_secrets (token_id);

  CREATE TABLE revocation_jobs (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, token_id TEXT, user_id TEXT, client_id TEXT, audience TEXT,
    grant_id TEXT, session_id TEXT, device_name TEXT, reason TEXT NOT NULL, cutoff BIGINT NOT NULL,
    requested_at BIGINT NOT NULL, revoked_count BIGINT NOT NULL DEFAULT 0, claimed_by TEXT, claimed_until BIGINT
  );

  CREATE TABLE events (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, user_id TEXT, client_id TEXT, refresh_token_id TEXT,
    created_at BIGINT NOT NULL, json TEXT NOT NULL
  );
  CREATE INDEX events_user ON events (user_id, created_at);
  CREATE INDEX events_token ON events (refresh_token_id);

  -- Fixed-window counters shared by every instance (refresh-token exchanges, sign-in failures).
  CREATE TABLE rate_limits (key TEXT PRIMARY KEY, count INT NOT NULL, reset_at BIGINT NOT NULL);
  CREATE INDEX rate_limits_reset ON rate_limits (reset_at);
  `,
  /*
   * 2: search across users by address: a sortable 16-byte key of each token's initial
   * and last address (IPv4 mapped into ::ffff:0:0/96, as addressKey in @rtc/ip-intel computes
   * it), so an address or a CIDR is one range of keys. The store writes it with the text on
   * insert and on exchange; here live tokens are backfilled (revoked ones are never searched).
   * rtc_ip_key stays: session search reads addresses from the session's JSON with it. It
   * answers NULL, never an error, for text that is not one address.
   */ `
  ALTER TABLE refresh_tokens ADD COLUMN initial_ip_key BYTEA, ADD COLUMN last_ip_key BYTEA;
  CREATE FUNCTION rtc_ip_key(address TEXT) RETURNS BYTEA LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
  DECLARE a INET;
  BEGIN
    a := address::inet;
    IF masklen(a) <> (CASE family(a) WHEN 4 THEN 32 ELSE 128 END) THEN RETURN NULL; END IF;
    -- inet_send: family, bits, is_cidr, length, then the address bytes in network order.
    IF family(a) = 4 THEN RETURN '\\x00000000000000000000ffff'::bytea || substring(inet_send(a) FROM 5); END IF;
    RETURN substring(inet_send(a) FROM 5);
  EXCEPTION WHEN others THEN
    RETURN NULL;
  END $$;
  UPDATE refresh_tokens SET initial_ip_key = rtc_ip_key(initial_ip), last_ip_key = rtc_ip_key(last_ip)
   WHERE revoked_at IS NULL AND (initial_ip IS NOT NULL OR last_ip IS NOT NULL);
  `,
  /*
   * 3: search across users by address and ASN at 1,000,000 tokens, as SQLite's
   * migration 8 says: network keys (an IPv4 /24, an IPv6 /48) backfilled for live tokens, and
   * partial indexes of live tokens in id order within each network and each ASN.
   */ `
  ALTER TABLE refresh_tokens ADD COLUMN initial_net_key BYTEA, ADD COLUMN last_net_key BYTEA;
  CREATE FUNCTION pg_temp.rtc_network_key(k BYTEA) RETURNS BYTEA LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN substring(k FROM 1 FOR 12) = '\\x00000000000000000000ffff'::bytea THEN substring(k FROM 1 FOR 15)
                ELSE substring(k FROM 1 FOR 6) || '\\x000000000000000000'::bytea END
  $$;
  UPDATE refresh_tokens SET initial_net_key = pg_temp.rtc_network_key(initial_ip_key), last_net_key = pg_temp.rtc_network_key(last_ip_key)
   WHERE revoked_at IS NULL AND (initial_ip_key IS NOT NULL OR last_ip_key IS NOT NULL);
  CREATE INDEX rt_initial_net_live ON refresh_tokens (initial_net_key, id) INCLUDE (initial_ip_key) WHERE revoked_at IS NULL AND initial_net_key IS NOT NULL;
  CREATE INDEX rt_last_net_live ON refresh_tokens (last_net_key, id) INCLUDE (last_ip_key) WHERE revoked_at IS NULL AND last_net_key IS NOT NULL;
  CREATE INDEX rt_initial_asn_live ON refresh_tokens (initial_asn, id) WHERE revoked_at IS NULL AND initial_asn IS NOT NULL;
  CREATE INDEX rt_last_asn_live ON refresh_tokens (last_asn, id) WHERE revoked_at IS NULL AND last_asn IS NOT NULL;
  `,
  /*
   * 4: as SQLite's migration 9, an index of each address in id order; and the address in the
   * network indexes as a key column rather than INCLUDE, so that a walk checks it in the index
   * (an included column is not checked before the row is read).
   */ `
  CREATE INDEX rt_initial_ip_live ON refresh_tokens (initial_ip_key, id) WHERE revoked_at IS NULL AND initial_ip_key IS NOT NULL;
  CREATE INDEX rt_last_ip_live ON refresh_tokens (last_ip_key, id) WHERE revoked_at IS NULL AND last_ip_key IS NOT NULL;
  DROP INDEX rt_initial_net_live;
  DROP INDEX rt_last_net_live;
  CREATE INDEX rt_initial_net_live ON refresh_tokens (initial_net_key, id, initial_ip_key) WHERE revoked_at IS NULL AND initial_net_key IS NOT NULL;
  CREATE INDEX rt_last_net_live ON refresh_tokens (last_net_key, id, last_ip_key) WHERE revoked_at IS NULL AND last_net_key IS NOT NULL;
  `,
  /* 5: DPoP (RFC 9449), as SQLite's migration 10: the refresh token's bound key, and the proofs seen. */ `
  ALTER TABLE refresh_tokens ADD COLUMN dpop_jkt TEXT;
  CREATE TABLE dpop_proofs (jti_hash BYTEA PRIMARY KEY, expires_at BIGINT NOT NULL);
  CREATE INDEX dpop_proofs_expiry ON dpop_proofs (expires_at);
  `,
  /* 6: as SQLite's migration 11: no index of secrets by token (nothing reads one; every exchange wrote one). */ `
  DROP INDEX rts_token;
  `,
];

/**
 * A new schema is created from sql/schema.ts in one transaction and recorded at the last
 * migration's version; an existing one upgrades through the history.
 * test/schema.postgres.test.ts checks that the two end the same.
 */
export const POSTGRES_MIGRATIONS: Migrations = { history: POSTGRES_HISTORY, fresh: renderPostgres(TENANT_SCHEMA) };
