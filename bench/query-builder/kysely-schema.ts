/** The store's tables as Kysely sees them, and a Kysely that only builds and compiles. */
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Transaction,
} from 'kysely';

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
export interface DB {
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
export type Builder = Kysely<DB> | Transaction<DB>;

/** Kysely that builds and compiles only (Kysely's documented way to use it without its driver). */
export const compilerOnly = (dialect: 'sqlite' | 'postgres') =>
  new Kysely<DB>({
    dialect: {
      createAdapter: () => (dialect === 'sqlite' ? new SqliteAdapter() : new PostgresAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => (dialect === 'sqlite' ? new SqliteIntrospector(db) : new PostgresIntrospector(db)),
      createQueryCompiler: () => (dialect === 'sqlite' ? new SqliteQueryCompiler() : new PostgresQueryCompiler()),
    },
  });
