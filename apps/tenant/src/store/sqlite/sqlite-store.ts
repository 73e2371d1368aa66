import type Database from 'better-sqlite3';
import { DEFAULT_TENANT_SETTINGS } from '../../domain/defaults.ts';
import type {
  AuthorizationCodeRecord,
  CheckpointPage,
  ClientGrantRecord,
  ClientRecord,
  GrantRecord,
  JobClaim,
  NewRefreshToken,
  Page,
  RefreshTokenFilter,
  RefreshTokenRecord,
  RefreshTokenSearch,
  RefreshTokenSearchHit,
  ResourceServerRecord,
  RevocationJob,
  RevocationTarget,
  RevokeReason,
  RotationOutcome,
  RotationPlanner,
  SessionRecord,
  SessionSearch,
  TenantEvent,
  TenantSettings,
  TenantStore,
  UserRecord,
} from '../types.ts';
import type { RateLimiter } from '../../domain/rate-limiter.ts';
import { isExpired } from '../../domain/liveness.ts';
import { COUNTER_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations.ts';
import { SqliteLocks } from './sqlite-locks.ts';
import { SqliteRateLimiter } from './sqlite-rate-limiter.ts';
import { openSqlite, whenWritable } from '@rtc/db/sqlite';
import { addressKey, networkKey } from '@rtc/ip-intel';
import { addressCandidatesSql, limitedCounts, searchCountSql, searchPageSql, sessionSearchCountSql, sessionSearchPageSql, type SessionFields } from '../sql/search.ts';
import { coveredByPendingRevocation, tableColumns } from '../sql/pending-revocation.ts';
import { checkpoint, REFRESH_TOKEN_SUMMARY_COLUMNS, toClient, toClientGrant, toGrant, toJob, toRefreshToken, toRefreshTokenSummary, toSession, toUser, type Row } from '../sql/rows.ts';


/**
 * The tenant on SQLite (better-sqlite3). Every method is one synchronous transaction, so
 * within a process nothing interleaves; BEGIN IMMEDIATE takes the write lock up front so
 * several processes on one file serialise instead of failing to upgrade a read lock.
 *
 * Durability follows the consequence of losing a commit. Every commit is in the WAL before
 * the answer, so a crashed or killed process loses nothing. Most commits are also fsynced
 * (synchronous=FULL), so a power cut loses nothing either; that includes every revocation.
 * Refresh-token rotation alone commits without its own fsync (`walOnlyTx`): a power cut
 * could undo the last moments' rotations, so a client's newest token would be unknown and
 * its previous one current again, but it can never undo a revocation, because a revoking
 * commit's fsync also syncs every WAL frame before it. Concurrent revocations share one
 * fsync (`revokeRefreshTokens` commits in groups).
 */
export class SqliteStore implements TenantStore {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly stmt = new Map<string, Database.Statement>();
  private readonly locks = new Map<string, Promise<void>>();
  private readonly fileLocks: SqliteLocks;
  /** The rate-limit counters' file (see COUNTER_MIGRATIONS), opened with the first limiter. */
  private counters: Database.Database | undefined;

  /** `path` is a file, or `:memory:` for tests. */
  constructor(private readonly path: string) {
    // ip_key, ip_network_key: the backfills of migrations 7 and 8, the functions the store writes with.
    this.db = openSqlite(path, SQLITE_MIGRATIONS, { functions: { ip_key: (ip: string | null) => addressKey(ip), ip_network_key: (ip: string | null) => networkKeyOf(addressKey(ip)) } });
    this.fileLocks = new SqliteLocks(this.db);
  }

  /** Prepared statements are cached by their text. */
  private q(sql: string): Database.Statement {
    let statement = this.stmt.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.stmt.set(sql, statement);
    }
    return statement;
  }

  private tx<T>(fn: () => T): T {
    const transaction = this.db.transaction(fn);
    // In a transaction already (nested): a savepoint, no lock to wait for.
    return this.db.inTransaction ? transaction.immediate() : whenWritable(this.db, () => transaction.immediate());
  }

  /** A transaction committed to the WAL without an fsync of its own (see the class comment). */
  private walOnlyTx<T>(fn: () => T): T {
    this.q('PRAGMA synchronous = NORMAL').run();
    try {
      return this.tx(fn);
    } finally {
      this.q('PRAGMA synchronous = FULL').run();
    }
  }

  /** Revocations waiting for the next group commit (within this turn of the event loop). */
  private pendingRevocations: { ids: string[]; reason: RevokeReason; now: number; done: (revoked: string[]) => void; fail: (err: unknown) => void }[] = [];

  /** The raw handle, for the large-tenant generator's bulk inserts. */
  get raw(): Database.Database {
    return this.db;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
    if (this.counters?.open) this.counters.close();
  }

  // ---------------------------------------------------------------- tenant

  async getSettings(): Promise<TenantSettings> {
    const row = this.q('SELECT json FROM tenant_settings WHERE id = 1').get() as Row | undefined;
    return row ? { ...DEFAULT_TENANT_SETTINGS, ...JSON.parse(row.json) } : structuredClone(DEFAULT_TENANT_SETTINGS);
  }

  async updateSettings(patch: (current: TenantSettings) => TenantSettings): Promise<TenantSettings> {
    return this.tx(() => {
      const row = this.q('SELECT json FROM tenant_settings WHERE id = 1').get() as Row | undefined;
      const current = row ? { ...DEFAULT_TENANT_SETTINGS, ...JSON.parse(row.json) } : structuredClone(DEFAULT_TENANT_SETTINGS);
      const next = patch(current);
      this.q('INSERT INTO tenant_settings (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json').run(
        JSON.stringify(next),
      );
      return next;
    });
  }

  async getSigningKeys() {
    const rows = this.q('SELECT kid, private_jwk, public_jwk FROM signing_keys ORDER BY created_at DESC').all() as Row[];
    return rows.map((r) => ({ kid: r.kid as string, privateJwk: r.private_jwk as string, publicJwk: r.public_jwk as string }));
  }

  async addFirstSigningKey(key: { kid: string; privateJwk: string; publicJwk: string; created_at: number }) {
    this.tx(() => {
      if (this.q('SELECT 1 FROM signing_keys LIMIT 1').get()) return;
      this.q('INSERT INTO signing_keys (kid, private_jwk, public_jwk, created_at) VALUES (?, ?, ?, ?)').run(key.kid, key.privateJwk, key.publicJwk, key.created_at);
    });
  }

  /**
   * Callers in this process queue here; across the worker processes on the file, the lock's
   * row (`SqliteLocks`) decides.
   */
  async exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.locks.set(name, previous.then(() => mine));
    await previous;
    try {
      return await this.fileLocks.hold(name, fn);
    } finally {
      release();
    }
  }

  /** Counted in a file beside the tenant's, so every worker process on it shares the counts. */
  createRateLimiter(limit: number, windowMs: number): RateLimiter {
    this.counters ??= openSqlite(this.path === ':memory:' ? ':memory:' : this.path.replace(/(\.sqlite)?$/, '.counters.sqlite'), COUNTER_MIGRATIONS);
    return new SqliteRateLimiter(this.counters, limit, windowMs);
  }

  async getOrCreateSecret(name: string, create: () => string): Promise<string> {
    return this.tx(() => {
      const row = this.q('SELECT value FROM tenant_secrets WHERE name = ?').get(name) as Row | undefined;
      if (row) return row.value as string;
      const value = create();
      this.q('INSERT INTO tenant_secrets (name, value) VALUES (?, ?)').run(name, value);
      return value;
    });
  }

  async isEmpty(): Promise<boolean> {
    return !this.q('SELECT 1 FROM clients LIMIT 1').get();
  }

  // ---------------------------------------------------------------- clients and APIs

  async getClient(clientId: string): Promise<ClientRecord | undefined> {
    const row = this.q('SELECT json, client_secret_hash FROM clients WHERE client_id = ?').get(clientId) as Row | undefined;
    return row ? toClient(row) : undefined;
  }

  async listClients(page: number, perPage: number): Promise<Page<ClientRecord>> {
    const rows = this.q('SELECT json, client_secret_hash FROM clients ORDER BY created_at, client_id LIMIT ? OFFSET ?').all(
      perPage,
      page * perPage,
    ) as Row[];
    const total = (this.q('SELECT count(*) AS n FROM clients').get() as Row).n as number;
    return { items: rows.map(toClient), total };
  }

  async putClient(client: ClientRecord): Promise<void> {
    const { client_secret_hash, ...rest } = client;
    this.q(
      `INSERT INTO clients (client_id, name, json, client_secret_hash, created_at) VALUES (@client_id, @name, @json, @hash, @created_at)
       ON CONFLICT (client_id) DO UPDATE SET name = excluded.name, json = excluded.json, client_secret_hash = excluded.client_secret_hash`,
    ).run({ client_id: client.client_id, name: client.name, json: JSON.stringify(rest), hash: client_secret_hash, created_at: client.created_at });
  }

  async getResourceServer(identifier: string): Promise<ResourceServerRecord | undefined> {
    const row = this.q('SELECT json FROM resource_servers WHERE identifier = ?').get(identifier) as Row | undefined;
    return row ? JSON.parse(row.json) : undefined;
  }

  async listResourceServers(): Promise<ResourceServerRecord[]> {
    return (this.q('SELECT json FROM resource_servers ORDER BY identifier').all() as Row[]).map((r) => JSON.parse(r.json));
  }

  async putResourceServer(rs: ResourceServerRecord): Promise<void> {
    this.q(
      'INSERT INTO resource_servers (identifier, id, json) VALUES (?, ?, ?) ON CONFLICT (identifier) DO UPDATE SET json = excluded.json',
    ).run(rs.identifier, rs.id, JSON.stringify(rs));
  }

  async retargetResourceServer(oldIdentifier: string, newIdentifier: string): Promise<void> {
    this.tx(() => {
      const row = this.q('SELECT json FROM resource_servers WHERE identifier = ?').get(oldIdentifier) as Row | undefined;
      if (!row) return;
      this.q('DELETE FROM resource_servers WHERE identifier = ?').run(newIdentifier);
      const json = JSON.stringify({ ...JSON.parse(row.json), identifier: newIdentifier });
      this.q('UPDATE resource_servers SET identifier = ?, json = ? WHERE identifier = ?').run(newIdentifier, json, oldIdentifier);
      this.q('UPDATE client_grants SET audience = ? WHERE audience = ?').run(newIdentifier, oldIdentifier);
    });
  }

  async getClientGrant(clientId: string, audience: string): Promise<ClientGrantRecord | undefined> {
    const row = this.q('SELECT * FROM client_grants WHERE client_id = ? AND audience = ?').get(clientId, audience) as Row | undefined;
    return row ? toClientGrant(row) : undefined;
  }

  async putClientGrant(grant: ClientGrantRecord): Promise<void> {
    this.q(
      `INSERT INTO client_grants (id, client_id, audience, scope) VALUES (?, ?, ?, ?)
       ON CONFLICT (client_id, audience) DO UPDATE SET scope = excluded.scope`,
    ).run(grant.id, grant.client_id, grant.audience, JSON.stringify(grant.scope));
  }

  async deleteClient(clientId: string, job: { id: string; now: number }): Promise<ClientRecord | undefined> {
    return this.tx(() => {
      const row = this.q('SELECT json, client_secret_hash FROM clients WHERE client_id = ?').get(clientId) as Row | undefined;
      if (!row) return undefined;
      this.q('DELETE FROM clients WHERE client_id = ?').run(clientId);
      this.q('DELETE FROM client_grants WHERE client_id = ?').run(clientId);
      this.q('DELETE FROM grants WHERE client_id = ?').run(clientId);
      this.insertJob({ id: job.id, target: { kind: 'client', client_id: clientId }, reason: 'client_tokens_revoked', requested_at: job.now });
      return toClient(row);
    });
  }

  async getResourceServerById(id: string): Promise<ResourceServerRecord | undefined> {
    const row = this.q('SELECT json FROM resource_servers WHERE id = ?').get(id) as Row | undefined;
    return row ? JSON.parse(row.json) : undefined;
  }

  async createResourceServer(rs: ResourceServerRecord): Promise<boolean> {
    return this.q('INSERT INTO resource_servers (identifier, id, json) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(rs.identifier, rs.id, JSON.stringify(rs)).changes > 0;
  }

  async deleteResourceServer(id: string): Promise<ResourceServerRecord | undefined> {
    return this.tx(() => {
      const row = this.q('SELECT json FROM resource_servers WHERE id = ?').get(id) as Row | undefined;
      if (!row) return undefined;
      const rs = JSON.parse(row.json) as ResourceServerRecord;
      this.q('DELETE FROM resource_servers WHERE id = ?').run(id);
      this.q('DELETE FROM client_grants WHERE audience = ?').run(rs.identifier);
      return rs;
    });
  }

  async getClientGrantById(id: string): Promise<ClientGrantRecord | undefined> {
    const row = this.q('SELECT * FROM client_grants WHERE id = ?').get(id) as Row | undefined;
    return row ? toClientGrant(row) : undefined;
  }

  async listClientGrants(filter: { client_id?: string; audience?: string }, from: string | undefined, take: number) {
    const { where, params } = whereOf(filter, ['client_id', 'audience'], ['(@from IS NULL OR id > @from)']);
    const rows = this.q(`SELECT * FROM client_grants ${where} ORDER BY id LIMIT @limit`).all({ ...params, from: from ?? null, limit: take + 1 }) as Row[];
    return checkpoint(rows.map(toClientGrant), take, (g) => g.id);
  }

  async countClientGrants(filter: { client_id?: string; audience?: string }): Promise<number> {
    const { where, params } = whereOf(filter, ['client_id', 'audience']);
    return (this.q(`SELECT count(*) AS n FROM client_grants ${where}`).get(params) as Row).n as number;
  }

  async createClientGrant(grant: ClientGrantRecord): Promise<boolean> {
    return (
      this.q('INSERT INTO client_grants (id, client_id, audience, scope) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(
        grant.id,
        grant.client_id,
        grant.audience,
        JSON.stringify(grant.scope),
      ).changes > 0
    );
  }

  async updateClientGrantScope(id: string, scope: string[]): Promise<ClientGrantRecord | undefined> {
    return this.tx(() => {
      if (this.q('UPDATE client_grants SET scope = ? WHERE id = ?').run(JSON.stringify(scope), id).changes === 0) return undefined;
      return toClientGrant(this.q('SELECT * FROM client_grants WHERE id = ?').get(id) as Row);
    });
  }

  async deleteClientGrant(id: string): Promise<ClientGrantRecord | undefined> {
    return this.tx(() => {
      const row = this.q('SELECT * FROM client_grants WHERE id = ?').get(id) as Row | undefined;
      if (!row) return undefined;
      this.q('DELETE FROM client_grants WHERE id = ?').run(id);
      return toClientGrant(row);
    });
  }

  // ---------------------------------------------------------------- users

  async getUser(userId: string): Promise<UserRecord | undefined> {
    const row = this.q('SELECT * FROM users WHERE user_id = ?').get(userId) as Row | undefined;
    return row ? toUser(row) : undefined;
  }

  async getUserByEmail(email: string): Promise<UserRecord | undefined> {
    const row = this.q('SELECT * FROM users WHERE email = ?').get(email) as Row | undefined;
    return row ? toUser(row) : undefined;
  }

  async putUser(user: UserRecord): Promise<void> {
    this.writeUser(user);
  }

  async createUser(user: UserRecord): Promise<boolean> {
    const { user_id, email, name, created_at, last_login, password_hash, ...rest } = user;
    // Any unique column (user_id, email without case) makes it a conflict.
    return (
      this.q(
        `INSERT INTO users (user_id, email, name, created_at, last_login, json, password_hash)
         VALUES (@user_id, @email, @name, @created_at, @last_login, @json, @password_hash) ON CONFLICT DO NOTHING`,
      ).run({ user_id, email, name, created_at, last_login, password_hash, json: JSON.stringify(rest) }).changes > 0
    );
  }

  async updateUser(user: UserRecord): Promise<'updated' | 'not_found' | 'email_taken'> {
    return this.tx(() => {
      if (!this.q('SELECT 1 FROM users WHERE user_id = ?').get(user.user_id)) return 'not_found';
      // The email column compares without case (COLLATE NOCASE).
      if (this.q('SELECT 1 FROM users WHERE email = ? AND user_id <> ?').get(user.email, user.user_id)) return 'email_taken';
      this.writeUser(user);
      return 'updated';
    });
  }

  async deleteUser(userId: string, job: { id: string; now: number }): Promise<UserRecord | undefined> {
    return this.tx(() => {
      const row = this.q('SELECT * FROM users WHERE user_id = ?').get(userId) as Row | undefined;
      if (!row) return undefined;
      this.q('DELETE FROM users WHERE user_id = ?').run(userId);
      this.q('DELETE FROM grants WHERE user_id = ?').run(userId);
      this.q('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(job.now, userId);
      this.insertJob({ id: job.id, target: { kind: 'user', user_id: userId }, reason: 'user_tokens_revoked', requested_at: job.now });
      return toUser(row);
    });
  }

  private writeUser(user: UserRecord): void {
    const { user_id, email, name, created_at, last_login, password_hash, ...rest } = user;
    this.q(
      `INSERT INTO users (user_id, email, name, created_at, last_login, json, password_hash)
       VALUES (@user_id, @email, @name, @created_at, @last_login, @json, @password_hash)
       ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, name = excluded.name, last_login = excluded.last_login,
         json = excluded.json, password_hash = excluded.password_hash`,
    ).run({ user_id, email, name, created_at, last_login, password_hash, json: JSON.stringify(rest) });
  }

  async recordLogin(userId: string, ip: string | null, now: number): Promise<void> {
    this.tx(() => {
      const row = this.q('SELECT * FROM users WHERE user_id = ?').get(userId) as Row | undefined;
      if (!row) return;
      const user = toUser(row);
      user.last_login = now;
      user.last_ip = ip;
      user.logins_count += 1;
      user.updated_at = now;
      const { user_id, email, name, created_at, last_login, password_hash, ...rest } = user;
      this.q('UPDATE users SET last_login = ?, json = ? WHERE user_id = ?').run(last_login, JSON.stringify(rest), user_id);
    });
  }

  async searchUsers(query: {
    q?: string;
    field?: 'email' | 'name' | 'user_id';
    page: number;
    perPage: number;
    sort?: { field: 'email' | 'name' | 'created_at' | 'last_login' | 'user_id'; order: 1 | -1 };
  }): Promise<Page<UserRecord>> {
    const sort = query.sort ?? { field: 'created_at', order: 1 };
    // The column comes from a closed union, never from the request text.
    const orderBy = `${sort.field} ${sort.order === 1 ? 'ASC' : 'DESC'}, user_id ASC`;
    // Columns come from a closed union; the value is bound. `*` is the only wildcard we honour.
    const columns = query.field ? [query.field] : ['email', 'name', 'user_id'];
    const where = query.q ? `WHERE ${columns.map((col) => `${col} LIKE @like ESCAPE '\\'`).join(' OR ')}` : '';
    const pattern = query.q?.replace(/[\\%_]/g, (ch) => `\\${ch}`).replace(/\*/g, '%');
    const like = pattern === undefined ? undefined : pattern.includes('%') ? pattern : `%${pattern}%`;
    const rows = this.q(`SELECT * FROM users ${where} ORDER BY ${orderBy} LIMIT @limit OFFSET @offset`).all({
      like,
      limit: query.perPage,
      offset: query.page * query.perPage,
    }) as Row[];
    const total = (this.q(`SELECT count(*) AS n FROM users ${where}`).get({ like }) as Row).n as number;
    return { items: rows.map(toUser), total };
  }

  // ---------------------------------------------------------------- grants

  async upsertGrant(grant: { user_id: string; client_id: string; audience: string; scope: string[] }, idIfNew: string, now: number) {
    return this.tx(() => {
      const row = this.q('SELECT * FROM grants WHERE user_id = ? AND client_id = ? AND audience = ?').get(
        grant.user_id,
        grant.client_id,
        grant.audience,
      ) as Row | undefined;
      if (row) {
        const existing = toGrant(row);
        const scope = [...new Set([...existing.scope, ...grant.scope])];
        this.q('UPDATE grants SET scope = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(scope), now, existing.id);
        return { ...existing, scope, updated_at: now };
      }
      const created: GrantRecord = { id: idIfNew, ...grant, created_at: now, updated_at: now };
      this.q(
        'INSERT INTO grants (id, user_id, client_id, audience, scope, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(created.id, created.user_id, created.client_id, created.audience, JSON.stringify(created.scope), now, now);
      return created;
    });
  }

  async getGrant(id: string): Promise<GrantRecord | undefined> {
    const row = this.q('SELECT * FROM grants WHERE id = ?').get(id) as Row | undefined;
    return row ? toGrant(row) : undefined;
  }

  async findGrant(userId: string, clientId: string, audience: string): Promise<GrantRecord | undefined> {
    const row = this.q('SELECT * FROM grants WHERE user_id = ? AND client_id = ? AND audience = ?').get(userId, clientId, audience) as
      | Row
      | undefined;
    return row ? toGrant(row) : undefined;
  }

  async listGrants(filter: { user_id?: string; client_id?: string; audience?: string }, page: number, perPage: number) {
    const { where, params } = whereOf(filter, ['user_id', 'client_id', 'audience']);
    const rows = this.q(`SELECT * FROM grants ${where} ORDER BY created_at, id LIMIT @limit OFFSET @offset`).all({
      ...params,
      limit: perPage,
      offset: page * perPage,
    }) as Row[];
    const total = (this.q(`SELECT count(*) AS n FROM grants ${where}`).get(params) as Row).n as number;
    return { items: rows.map(toGrant), total };
  }

  async deleteGrant(id: string, job: { id: string; now: number }): Promise<GrantRecord | undefined> {
    return this.tx(() => {
      const row = this.q('SELECT * FROM grants WHERE id = ?').get(id) as Row | undefined;
      if (!row) return undefined;
      this.q('DELETE FROM grants WHERE id = ?').run(id);
      this.insertJob({ id: job.id, target: { kind: 'grant', grant_id: id }, reason: 'grant_deleted', requested_at: job.now });
      return toGrant(row);
    });
  }

  // ---------------------------------------------------------------- sessions

  async createSession(session: SessionRecord, cookieHash: Buffer): Promise<void> {
    this.q('INSERT INTO sessions (id, user_id, cookie_hash, created_at, revoked_at, json) VALUES (?, ?, ?, ?, ?, ?)').run(
      session.id,
      session.user_id,
      cookieHash,
      session.created_at,
      session.revoked_at,
      JSON.stringify(session),
    );
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const row = this.q('SELECT json, revoked_at FROM sessions WHERE id = ?').get(id) as Row | undefined;
    return row ? toSession(row) : undefined;
  }

  async getSessionByCookie(cookieHash: Buffer): Promise<SessionRecord | undefined> {
    const row = this.q('SELECT json, revoked_at FROM sessions WHERE cookie_hash = ?').get(cookieHash) as Row | undefined;
    return row ? toSession(row) : undefined;
  }

  async touchSession(
    id: string,
    patch: { now: number; idle_expires_at: number | null; clientId?: string; ip?: string | null; asn?: string | null; userAgent?: string | null },
  ): Promise<void> {
    this.tx(() => {
      const row = this.q('SELECT json, revoked_at FROM sessions WHERE id = ?').get(id) as Row | undefined;
      if (!row) return;
      const session = toSession(row);
      session.updated_at = patch.now;
      session.last_interacted_at = patch.now;
      session.idle_expires_at = patch.idle_expires_at;
      if (patch.clientId && !session.clients.includes(patch.clientId)) session.clients.push(patch.clientId);
      if (patch.ip !== undefined) session.device.last_ip = patch.ip;
      if (patch.asn !== undefined) session.device.last_asn = patch.asn;
      if (patch.userAgent !== undefined) session.device.last_user_agent = patch.userAgent;
      this.q('UPDATE sessions SET json = ? WHERE id = ?').run(JSON.stringify(session), id);
    });
  }

  async listUserSessions(userId: string, now: number, from: string | undefined, take: number): Promise<CheckpointPage<SessionRecord>> {
    const rows = this.q(
      `SELECT json, revoked_at FROM sessions WHERE user_id = @userId AND revoked_at IS NULL AND (@from IS NULL OR id > @from)
       ORDER BY id LIMIT @limit`,
    ).all({ userId, from: from ?? null, limit: take + 1 }) as Row[];
    const sessions = rows.map(toSession).filter((s) => !isExpired(s, now));
    return checkpoint(sessions, take, (s) => s.id);
  }

  async revokeSession(id: string, now: number, revokeTokens: { jobId: string } | null): Promise<SessionRecord | undefined> {
    return this.tx(() => {
      const row = this.q('SELECT json, revoked_at FROM sessions WHERE id = ?').get(id) as Row | undefined;
      if (!row) return undefined;
      this.q('UPDATE sessions SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?').run(now, id);
      if (revokeTokens) {
        this.insertJob({ id: revokeTokens.jobId, target: { kind: 'session', session_id: id }, reason: 'session_revoked', requested_at: now });
      }
      return { ...toSession(row), revoked_at: (row.revoked_at as number | null) ?? now };
    });
  }

  async searchSessions(filter: SessionSearch, now: number, from: string | undefined, take: number): Promise<CheckpointPage<SessionRecord>> {
    const { sql, params } = bound((bind) => sessionSearchPageSql(filter, { bind, like: 'LIKE' }, SESSION_FIELDS, bind(now), from, take + 1));
    return checkpoint((this.q(sql).all(params) as Row[]).map(toSession), take, (s) => s.id);
  }

  async countSessionSearch(filter: SessionSearch, now: number, limit: number) {
    const { sql, params } = bound((bind) => sessionSearchCountSql(filter, { bind, like: 'LIKE' }, SESSION_FIELDS, bind(now), limit));
    const row = this.q(sql).get(params) as Row;
    return limitedCounts({ sessions: Number(row.sessions), users: Number(row.users) }, 'sessions', limit);
  }

  async revokeUserSessions(userId: string, now: number): Promise<number> {
    return this.q('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(now, userId).changes;
  }

  // ---------------------------------------------------------------- authorization codes

  async saveAuthorizationCode(codeHash: Buffer, code: AuthorizationCodeRecord): Promise<void> {
    this.q('INSERT INTO authorization_codes (code_hash, json, expires_at) VALUES (?, ?, ?)').run(codeHash, JSON.stringify(code), code.expires_at);
  }

  async consumeAuthorizationCode(codeHash: Buffer, now: number) {
    return this.tx(() => {
      const row = this.q('SELECT json, consumed_at FROM authorization_codes WHERE code_hash = ?').get(codeHash) as Row | undefined;
      if (!row) return undefined;
      const code = JSON.parse(row.json) as AuthorizationCodeRecord;
      if (row.consumed_at !== null) {
        this.q("UPDATE authorization_codes SET json = json_set(json, '$.reused', json('true')) WHERE code_hash = ?").run(codeHash);
        return { code, reused: true };
      }
      this.q('UPDATE authorization_codes SET consumed_at = ? WHERE code_hash = ?').run(now, codeHash);
      // Expired, never-used codes are swept here rather than by a timer.
      this.q('DELETE FROM authorization_codes WHERE expires_at < ? AND consumed_at IS NULL').run(now - 3_600_000);
      return { code, reused: false };
    });
  }

  async attachRefreshTokenToCode(codeHash: Buffer, refreshTokenId: string): Promise<{ reusedMeanwhile: boolean }> {
    return this.tx(() => {
      this.q("UPDATE authorization_codes SET json = json_set(json, '$.refresh_token_id', ?) WHERE code_hash = ?").run(refreshTokenId, codeHash);
      const row = this.q('SELECT json FROM authorization_codes WHERE code_hash = ?').get(codeHash) as Row | undefined;
      return { reusedMeanwhile: !!row && (JSON.parse(row.json as string) as AuthorizationCodeRecord).reused === true };
    });
  }

  // ---------------------------------------------------------------- refresh tokens

  async issueRefreshToken(token: NewRefreshToken, activeLimit: number): Promise<{ revokedForLimit: string[] }> {
    return this.tx(() => {
      this.insertToken(token);
      // Auth0's entity limit: beyond `activeLimit` live tokens per user and application, the oldest go.
      const excess = this.q(
        `SELECT id FROM refresh_tokens WHERE user_id = @user_id AND client_id = @client_id AND revoked_at IS NULL
           AND (expires_at IS NULL OR expires_at > @now) AND (idle_expires_at IS NULL OR idle_expires_at > @now)
         ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET @limit`,
      ).all({ user_id: token.user_id, client_id: token.client_id, now: token.created_at, limit: activeLimit }) as Row[];
      const ids = excess.map((r) => r.id as string);
      for (const id of ids) {
        this.q('UPDATE refresh_tokens SET revoked_at = ?, revoked_reason = ? WHERE id = ?').run(token.created_at, 'entity_limit', id);
      }
      return { revokedForLimit: ids };
    });
  }

  private insertToken(token: NewRefreshToken): void {
    const ipKey = addressKey(token.device.initial_ip);
    this.q(
      `INSERT INTO refresh_tokens (id, user_id, client_id, grant_id, session_id, device_name, audience, scope, resource_servers,
         rotating, leeway, idle_lifetime, created_at, expires_at, idle_expires_at, initial_ip, initial_asn, initial_user_agent,
         last_ip, last_asn, last_user_agent, metadata, current_hash, initial_ip_key, last_ip_key, initial_net_key, last_net_key)
       VALUES (@id, @user_id, @client_id, @grant_id, @session_id, @device_name, @audience, @scope, @resource_servers,
         @rotating, @leeway, @idle_lifetime, @created_at, @expires_at, @idle_expires_at, @initial_ip, @initial_asn, @initial_user_agent,
         @initial_ip, @initial_asn, @initial_user_agent, @metadata, @hash, @ip_key, @ip_key, @net_key, @net_key)`,
    ).run({
      id: token.id,
      user_id: token.user_id,
      client_id: token.client_id,
      grant_id: token.grant_id,
      session_id: token.session_id,
      device_name: token.device_name,
      audience: token.audience,
      scope: token.scope.join(' '),
      resource_servers: JSON.stringify(token.resource_servers),
      rotating: token.rotating ? 1 : 0,
      leeway: token.leeway,
      idle_lifetime: token.idle_lifetime,
      created_at: token.created_at,
      expires_at: token.expires_at,
      idle_expires_at: token.idle_expires_at,
      initial_ip: token.device.initial_ip,
      initial_asn: token.device.initial_asn,
      initial_user_agent: token.device.initial_user_agent,
      metadata: JSON.stringify(token.metadata ?? {}),
      hash: token.secretHash,
      ip_key: ipKey,
      net_key: networkKeyOf(ipKey),
    });
    this.q('INSERT INTO refresh_token_secrets (hash, token_id) VALUES (?, ?)').run(token.secretHash, token.id);
  }

  async rotateRefreshToken(secretHash: Buffer, now: number, planner: RotationPlanner): Promise<RotationOutcome> {
    return this.walOnlyTx((): RotationOutcome => {
      const secret = this.q('SELECT token_id FROM refresh_token_secrets WHERE hash = ?').get(secretHash) as Row | undefined;
      if (!secret) return { kind: 'unknown' };
      // The user's state comes with the row, in the same statement: no extra round trip.
      const row = this.q(
        `SELECT t.rowid AS seq, t.*, CASE WHEN u.user_id IS NULL THEN 'missing' WHEN json_extract(u.json, '$.blocked') THEN 'blocked' ELSE 'active' END AS user_state
         FROM refresh_tokens t LEFT JOIN users u ON u.user_id = t.user_id WHERE t.id = ?`,
      ).get(secret.token_id) as Row | undefined;
      if (!row) return { kind: 'unknown' };
      const token = toRefreshToken(row);
      const presented = secretHash.equals(row.current_hash)
        ? 'current'
        : row.previous_hash && secretHash.equals(row.previous_hash)
          ? 'previous'
          : 'stale';
      const plan = planner({
        token,
        presented,
        previous_valid_until: row.previous_valid_until,
        revoked_by_job: this.coveredByJob(row),
        user: row.user_state,
      });
      switch (plan.kind) {
        case 'reject':
          return { kind: 'rejected', token };
        case 'revoke-family':
          this.q('UPDATE refresh_tokens SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL').run(
            now,
            plan.reason,
            token.id,
          );
          return { kind: 'reuse-detected', token: { ...token, revoked_at: now, revoked_reason: plan.reason } };
        case 'exchange': {
          if (plan.newSecretHash) {
            this.q('INSERT INTO refresh_token_secrets (hash, token_id) VALUES (?, ?)').run(plan.newSecretHash, token.id);
          }
          const rotatedFromCurrent = plan.newSecretHash !== null && !plan.replacesCurrent;
          // The address columns are written only when they change: they are in the search
          // indexes (migration 8), and a client refreshing from where it was touches none.
          const moved = plan.lastIp !== token.device.last_ip || plan.lastAsn !== token.device.last_asn || plan.lastUserAgent !== token.device.last_user_agent;
          const lastIpKey = moved ? addressKey(plan.lastIp) : null;
          this.q(
            `UPDATE refresh_tokens SET
               current_hash = COALESCE(@new_hash, current_hash),
               previous_hash = CASE WHEN @rotated THEN current_hash ELSE previous_hash END,
               previous_valid_until = CASE WHEN @rotated THEN @previous_valid_until ELSE previous_valid_until END,
               idle_expires_at = @idle_expires_at, last_exchanged_at = @last_exchanged_at${
                 moved ? `,
               last_ip = @last_ip, last_asn = @last_asn, last_user_agent = @last_user_agent,
               last_ip_key = @last_ip_key, last_net_key = @last_net_key` : ''
               }
             WHERE id = @id`,
          ).run({
            id: token.id,
            new_hash: plan.newSecretHash,
            rotated: rotatedFromCurrent ? 1 : 0,
            previous_valid_until: plan.previousValidUntil,
            idle_expires_at: plan.idleExpiresAt,
            last_exchanged_at: plan.lastExchangedAt,
            ...(moved
              ? { last_ip: plan.lastIp, last_asn: plan.lastAsn, last_user_agent: plan.lastUserAgent, last_ip_key: lastIpKey, last_net_key: networkKeyOf(lastIpKey) }
              : {}),
          });
          return {
            kind: 'exchanged',
            token: {
              ...token,
              idle_expires_at: plan.idleExpiresAt,
              last_exchanged_at: plan.lastExchangedAt,
              device: { ...token.device, last_ip: plan.lastIp, last_asn: plan.lastAsn, last_user_agent: plan.lastUserAgent },
            },
          };
        }
      }
    });
  }

  async findRefreshTokenBySecret(secretHash: Buffer, now: number) {
    const row = this.q(
      `SELECT t.rowid AS seq, t.* FROM refresh_token_secrets s JOIN refresh_tokens t ON t.id = s.token_id WHERE s.hash = ?`,
    ).get(secretHash) as Row | undefined;
    if (!row) return undefined;
    const token = toRefreshToken(row);
    const isCurrent = secretHash.equals(row.current_hash) ||
      (row.previous_hash !== null && secretHash.equals(row.previous_hash) && (row.previous_valid_until ?? 0) >= now);
    const usable = isCurrent && token.revoked_at === null && !isExpired(token, now) && !this.coveredByJob(row);
    return { token, usable };
  }

  async getRefreshToken(id: string): Promise<RefreshTokenRecord | undefined> {
    const row = this.q('SELECT * FROM refresh_tokens WHERE id = ?').get(id) as Row | undefined;
    return row ? toRefreshToken(row) : undefined;
  }

  async listRefreshTokens(filter: RefreshTokenFilter, now: number, from: string | undefined, take: number) {
    const { where, params } = whereOf(toColumns(filter), TOKEN_FILTER_COLUMNS, [...LIVE, '(@from IS NULL OR id > @from)']);
    const rows = this.q(`SELECT * FROM refresh_tokens ${where} ORDER BY id LIMIT @limit`).all({
      ...params,
      now,
      from: from ?? null,
      limit: take + 1,
    }) as Row[];
    return checkpoint(rows.map(toRefreshToken), take, (t) => t.id);
  }

  async listRefreshTokenSummaries(
    filter: { user_id: string; client_id?: string },
    now: number,
    from: string | undefined,
    take: number,
    options: { userMustExist?: boolean } = {},
  ) {
    // One statement text per shape, each prepared once (`q`). The walk is rt_user_live
    // (user_id, id) over unrevoked rows, in id order: no sort, LIMIT stops it, and a checkpoint
    // is a seek (`id > @from`), not an OR the planner cannot seek on. `+client_id` keeps the
    // planner off rt_client_live (client_id, id), where it walked every live token of the
    // application looking for the user's: 2.8 s at 1M tokens for a user with none of that client.
    const clauses = ['user_id = @user_id', ...LIVE];
    if (filter.client_id !== undefined) clauses.push('+client_id = @client_id');
    if (from !== undefined) clauses.push('id > @from');
    // Uncorrelated: SQLite evaluates it once per execution, one probe of the users' key.
    if (options.userMustExist) clauses.push('EXISTS (SELECT 1 FROM users WHERE user_id = @user_id)');
    // Raw: each row an array in the order of the columns (the statement's text is this method's alone).
    const rows = this.q(`SELECT ${REFRESH_TOKEN_SUMMARY_COLUMNS} FROM refresh_tokens WHERE ${clauses.join(' AND ')} ORDER BY id LIMIT @limit`).raw(true).all({
      user_id: filter.user_id,
      now,
      limit: take + 1,
      ...(filter.client_id !== undefined ? { client_id: filter.client_id } : {}),
      ...(from !== undefined ? { from } : {}),
    }) as unknown[][];
    return checkpoint(rows.map(toRefreshTokenSummary), take, (t) => t.id);
  }

  async pageRefreshTokens(filter: RefreshTokenFilter, now: number, page: number, perPage: number) {
    const { where, params } = whereOf(toColumns(filter), TOKEN_FILTER_COLUMNS, LIVE);
    const rows = this.q(`SELECT * FROM refresh_tokens ${where} ORDER BY id LIMIT @limit OFFSET @offset`).all({
      ...params,
      now,
      limit: perPage,
      offset: page * perPage,
    }) as Row[];
    const total = (this.q(`SELECT count(*) AS n FROM refresh_tokens ${where}`).get({ ...params, now }) as Row).n as number;
    return { items: rows.map(toRefreshToken), total };
  }

  async listRefreshTokensHistory(filter: RefreshTokenFilter, page: number, perPage: number) {
    const { where, params } = whereOf(toColumns(filter), TOKEN_FILTER_COLUMNS);
    const rows = this.q(`SELECT * FROM refresh_tokens ${where} ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset`).all({
      ...params,
      limit: perPage,
      offset: page * perPage,
    }) as Row[];
    const total = (this.q(`SELECT count(*) AS n FROM refresh_tokens ${where}`).get(params) as Row).n as number;
    return { items: rows.map(toRefreshToken), total };
  }

  async countLiveRefreshTokens(filter: RefreshTokenFilter, now: number): Promise<number> {
    const { where, params } = whereOf(toColumns(filter), TOKEN_FILTER_COLUMNS, LIVE);
    return (this.q(`SELECT count(*) AS n FROM refresh_tokens ${where}`).get({ ...params, now }) as Row).n as number;
  }

  async summarizeRefreshTokensByClient(now: number, clientId?: string) {
    const { where, params } = whereOf(clientId === undefined ? {} : { client_id: clientId }, TOKEN_FILTER_COLUMNS, LIVE);
    const rows = this.q(
      `SELECT t.client_id, t.tokens, t.users, d.devices, t.issued_through
         FROM (SELECT client_id, count(*) AS tokens, count(DISTINCT user_id) AS users, max(rowid) AS issued_through FROM refresh_tokens ${where} GROUP BY client_id) t
         JOIN (SELECT client_id, count(*) AS devices
                 FROM (SELECT DISTINCT client_id, user_id, coalesce(device_name, '') FROM refresh_tokens ${where})
                GROUP BY client_id) d ON d.client_id = t.client_id
        ORDER BY t.client_id`,
    ).all({ ...params, now }) as Row[];
    return rows.map((r) => ({ client_id: r.client_id as string, tokens: Number(r.tokens), users: Number(r.users), devices: Number(r.devices), issued_through: Number(r.issued_through) }));
  }

  async listRefreshTokenUsersOfClient(clientId: string, now: number, limit: number) {
    const { where, params } = whereOf({ client_id: clientId }, TOKEN_FILTER_COLUMNS, LIVE);
    const rows = this.q(`SELECT user_id, count(*) AS tokens FROM refresh_tokens ${where} GROUP BY user_id ORDER BY tokens DESC, user_id LIMIT @limit`).all({ ...params, now, limit }) as Row[];
    return rows.map((r) => ({ user_id: r.user_id as string, tokens: Number(r.tokens) }));
  }

  async searchRefreshTokens(filter: RefreshTokenSearch, now: number, from: string | undefined, take: number) {
    const { sql, params } = bound((bind) => searchPageSql(filter, { live: liveAt(bind(now)), bind, like: 'LIKE', noIndex: (column) => `+${column}` }, `${REFRESH_TOKEN_SUMMARY_COLUMNS}, device_name`, from, take + 1));
    const rows = this.q(sql).raw(true).all(params) as unknown[][];
    const hits = rows.map((values): RefreshTokenSearchHit => ({ ...toRefreshTokenSummary(values), device_name: values[17] as string | null }));
    return checkpoint(hits, take, (t) => t.id);
  }

  async countAddressCandidates(range: { from: Buffer; to: Buffer }, limit: number) {
    const { sql, params } = bound((bind) => addressCandidatesSql(range, bind, limit));
    return Number((this.q(sql).get(params) as Row).candidates);
  }

  async countRefreshTokenSearch(filter: RefreshTokenSearch, now: number, limit: number) {
    const { sql, params } = bound((bind) => searchCountSql(filter, { live: liveAt(bind(now)), bind, like: 'LIKE', noIndex: (column) => `+${column}` }, limit));
    const row = this.q(sql).get(params) as Row;
    return limitedCounts({ tokens: Number(row.tokens), users: Number(row.users), devices: Number(row.devices) }, 'tokens', limit);
  }

  async updateRefreshTokenMetadata(id: string, metadata: Record<string, string>) {
    return this.tx(() => {
      const changes = this.q('UPDATE refresh_tokens SET metadata = ? WHERE id = ?').run(JSON.stringify(metadata), id).changes;
      if (!changes) return undefined;
      return toRefreshToken(this.q('SELECT * FROM refresh_tokens WHERE id = ?').get(id) as Row);
    });
  }

  /**
   * Group commit: revocations asked for in the same turn of the event loop are applied in
   * one transaction with one fsync, and each caller is answered only after it. Under load
   * (50 connections revoking) that turns 50 fsyncs into one; alone, it costs nothing but
   * the wait for the next `setImmediate`.
   */
  revokeRefreshTokens(ids: string[], reason: RevokeReason, now: number): Promise<string[]> {
    return new Promise((done, fail) => {
      if (this.pendingRevocations.length === 0) setImmediate(() => this.commitRevocations());
      this.pendingRevocations.push({ ids, reason, now, done, fail });
    });
  }

  private commitRevocations(): void {
    const group = this.pendingRevocations;
    this.pendingRevocations = [];
    let results: string[][];
    try {
      results = this.tx(() => {
        const update = this.q('UPDATE refresh_tokens SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL');
        return group.map(({ ids, reason, now }) => ids.filter((id) => update.run(now, reason, id).changes > 0));
      });
    } catch (err) {
      for (const request of group) request.fail(err);
      return;
    }
    group.forEach((request, i) => request.done(results[i]!));
  }

  async bulkImport(input: { users: UserRecord[]; grants: GrantRecord[]; tokens: NewRefreshToken[] }): Promise<void> {
    // Generated data can be generated again: skip the fsync per commit while loading.
    this.db.pragma('synchronous = OFF');
    try {
      this.bulkInsert(input);
    } finally {
      this.q('PRAGMA synchronous = FULL').run();
    }
  }

  private bulkInsert(input: { users: UserRecord[]; grants: GrantRecord[]; tokens: NewRefreshToken[] }): void {
    this.tx(() => {
      for (const user of input.users) this.writeUser(user);
      for (const g of input.grants) {
        this.q(
          'INSERT INTO grants (id, user_id, client_id, audience, scope, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        ).run(g.id, g.user_id, g.client_id, g.audience, JSON.stringify(g.scope), g.created_at, g.updated_at);
      }
      for (const token of input.tokens) this.insertToken(token);
    });
  }

  // ---------------------------------------------------------------- bulk revocation journal

  async enqueueRevocations(jobs: RevocationJob[]): Promise<void> {
    // One transaction, one fsync, however many: a bulk revocation of 100 ids is one commit.
    this.tx(() => {
      for (const job of jobs) this.insertJob(job);
    });
  }

  private insertJob(job: RevocationJob): void {
    const t = job.target as Partial<Record<string, string>>;
    // The cutoff is the newest token at this instant: tokens issued afterwards are not covered.
    const newest = (this.q('SELECT COALESCE(MAX(rowid), 0) AS seq FROM refresh_tokens').get() as Row).seq as number;
    const cutoff = job.issued_through === undefined ? newest : Math.min(newest, job.issued_through);
    this.q(
      `INSERT INTO revocation_jobs (id, kind, token_id, user_id, client_id, audience, grant_id, session_id, device_name, reason, cutoff, requested_at)
       VALUES (@id, @kind, @token_id, @user_id, @client_id, @audience, @grant_id, @session_id, @device_name, @reason, @cutoff, @requested_at)`,
    ).run({
      id: job.id,
      kind: job.target.kind,
      token_id: t.token_id ?? null,
      user_id: t.user_id ?? null,
      client_id: t.client_id ?? null,
      audience: t.audience ?? null,
      grant_id: t.grant_id ?? null,
      session_id: t.session_id ?? null,
      device_name: t.device_name ?? null,
      reason: job.reason,
      cutoff,
      requested_at: job.requested_at,
    });
  }

  async listRevocationJobs(): Promise<RevocationJob[]> {
    return (this.q('SELECT * FROM revocation_jobs ORDER BY requested_at, id').all() as Row[]).map(toJob);
  }

  async processRevocationBatch(jobId: string, limit: number, now: number, claim: JobClaim) {
    return this.tx(() => {
      const row = this.q('SELECT * FROM revocation_jobs WHERE id = ?').get(jobId) as Row | undefined;
      if (!row) return { revoked: 0, done: true, claimed: false };
      if (row.claimed_by && row.claimed_by !== claim.owner && row.claimed_until >= now) return { revoked: 0, done: false, claimed: false };
      this.q('UPDATE revocation_jobs SET claimed_by = ?, claimed_until = ? WHERE id = ?').run(claim.owner, now + claim.leaseMs, jobId);
      const { index, condition, params } = jobCondition(row);
      const revoked = this.q(
        `UPDATE refresh_tokens SET revoked_at = @now, revoked_reason = @reason
         WHERE rowid IN (SELECT rowid FROM refresh_tokens ${index ? `INDEXED BY ${index}` : ''}
                         WHERE revoked_at IS NULL AND ${condition} AND +rowid <= @cutoff LIMIT @limit)`,
      ).run({ ...params, now, reason: row.reason, cutoff: row.cutoff, limit }).changes;
      const done = revoked < limit;
      if (done) this.q('DELETE FROM revocation_jobs WHERE id = ?').run(jobId);
      else this.q('UPDATE revocation_jobs SET revoked_count = revoked_count + ? WHERE id = ?').run(revoked, jobId);
      return { revoked, done, claimed: true };
    });
  }

  /** Is this token covered by a journaled bulk revocation not yet applied to its row? */
  private coveredByJob(row: Row): boolean {
    const columns = { seq: '@seq', id: '@id', user_id: '@user_id', client_id: '@client_id', audience: '@audience', grant_id: '@grant_id', session_id: '@session_id', device_name: '@device_name' };
    return !!this.q(`SELECT ${coveredByPendingRevocation(columns)} AS covered`).pluck().get({
      seq: row.seq,
      id: row.id,
      user_id: row.user_id,
      client_id: row.client_id,
      audience: row.audience,
      grant_id: row.grant_id,
      session_id: row.session_id,
      device_name: row.device_name,
    });
  }


  // ---------------------------------------------------------------- events

  async addEvent(event: TenantEvent): Promise<void> {
    this.q('INSERT INTO events (id, type, user_id, client_id, refresh_token_id, created_at, json) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      event.id,
      event.type,
      event.user_id,
      event.client_id,
      event.refresh_token_id,
      event.created_at,
      JSON.stringify(event),
    );
  }

  async listEvents(filter: { user_id?: string; type?: string; refresh_token_id?: string }, limit: number) {
    const { where, params } = whereOf(filter, ['user_id', 'type', 'refresh_token_id']);
    const rows = this.q(`SELECT json FROM events ${where} ORDER BY created_at DESC, id DESC LIMIT @limit`).all({ ...params, limit }) as Row[];
    return rows.map((r) => JSON.parse(r.json) as TenantEvent);
  }
}

// ------------------------------------------------------------------ row mapping

const TOKEN_FILTER_COLUMNS = ['user_id', 'client_id', 'audience', 'session_id', 'device_name', 'grant_id', 'rotating'] as const;

/** Live: not revoked, not expired, and not covered by a bulk revocation still being marked. */
const LIVE = ['revoked_at IS NULL', '(expires_at IS NULL OR expires_at > @now)', '(idle_expires_at IS NULL OR idle_expires_at > @now)', `NOT ${coveredByPendingRevocation(tableColumns('rowid'))}`];

/** A session's fields in its JSON; `ip_key` is registered on the connection (see the constructor). */
const SESSION_FIELDS: SessionFields = {
  text: (path) => `json_extract(json, '$.${path}')`,
  number: (path) => `json_extract(json, '$.${path}')`,
  ipKey: (expression) => `ip_key(${expression})`,
};

/** The network key of an address key, or null. */
const networkKeyOf = (key: Buffer | null) => (key ? networkKey(key) : null);

/** LIVE with `now` bound to the given placeholder. */
const liveAt = (now: string) => LIVE.join(' AND ').replaceAll('@now', now);

/** SQL built with positional names (@p1, @p2, ...) and the values they bind: one text per shape. */
function bound(build: (bind: (value: unknown) => string) => string): { sql: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = {};
  let n = 0;
  const sql = build((value) => {
    const name = `p${++n}`;
    params[name] = value;
    return `@${name}`;
  });
  return { sql, params };
}

/** SQLite keeps booleans as integers. */
const toColumns = (filter: RefreshTokenFilter) =>
  filter.rotating === undefined ? filter : { ...filter, rotating: filter.rotating ? 1 : 0 };

/** `WHERE a = @a AND b = @b` over the filter's defined keys (keys come from a fixed list). */
function whereOf(filter: object, columns: readonly string[], extra: string[] = []) {
  const clauses = [...extra];
  const params: Record<string, unknown> = {};
  // One user's tokens are few; one application's may be millions. Without statistics SQLite
  // may pick the application's index and walk all of them: with a user in the filter, the
  // unary `+` keeps every other column off the index choice.
  const hasUser = (filter as Record<string, unknown>).user_id !== undefined;
  for (const column of columns) {
    const value = (filter as Record<string, unknown>)[column];
    if (value !== undefined) {
      clauses.push(`${hasUser && column !== 'user_id' ? '+' : ''}${column} = @${column}`);
      params[column] = value;
    }
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/**
 * The rows a job covers, and the partial index of live tokens that finds them. The index is
 * named because without statistics SQLite prefers `rt_user_all`, which still holds revoked
 * rows: every batch would walk past all the rows revoked before it.
 */
function jobCondition(row: Row): { index: string | null; condition: string; params: Record<string, unknown> } {
  switch (row.kind as RevocationTarget['kind']) {
    case 'token':
      return { index: null, condition: 'id = @token_id', params: { token_id: row.token_id } };
    case 'user': {
      const clauses = ['user_id = @user_id'];
      if (row.client_id !== null) clauses.push('client_id = @client_id');
      if (row.audience !== null) clauses.push('audience = @audience');
      return {
        index: row.client_id !== null ? 'rt_user_client_live' : 'rt_user_live',
        condition: clauses.join(' AND '),
        params: { user_id: row.user_id, client_id: row.client_id, audience: row.audience },
      };
    }
    case 'grant':
      return { index: 'rt_grant_live', condition: 'grant_id = @grant_id', params: { grant_id: row.grant_id } };
    case 'session':
      return { index: 'rt_session_live', condition: 'session_id = @session_id', params: { session_id: row.session_id } };
    case 'client':
      return {
        index: 'rt_client_live',
        condition: row.audience !== null ? 'client_id = @client_id AND audience = @audience' : 'client_id = @client_id',
        params: { client_id: row.client_id, audience: row.audience },
      };
    case 'device':
      return { index: 'rt_user_live', condition: 'user_id = @user_id AND device_name = @device_name', params: { user_id: row.user_id, device_name: row.device_name } };
  }
}

