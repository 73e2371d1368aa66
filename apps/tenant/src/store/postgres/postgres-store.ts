import type pg from 'pg';
import type { RateLimiter, RateLimitResult } from '../../domain/rate-limiter.ts';
import { isExpired } from '../../domain/liveness.ts';
import { DEFAULT_TENANT_SETTINGS } from '../../domain/defaults.ts';
import { checkpoint, REFRESH_TOKEN_SUMMARY_COLUMNS, toClient, toClientGrant, toGrant, toJob, toRefreshToken, toRefreshTokenSummary, toSession, toUser, type Row } from '../sql/rows.ts';
import type {
  AuthorizationCodeRecord,
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
import { POSTGRES_MIGRATIONS } from './migrations.ts';
import { createPool, Params, runMigrations, transaction, type Queryable } from '@rtc/db/postgres';
import { addressKey, networkKey } from '@rtc/ip-intel';
import { addressCandidatesSql, limitedCounts, searchCountSql, searchPageSql, sessionSearchCountSql, sessionSearchPageSql, type SessionFields } from '../sql/search.ts';
import { coveredByPendingRevocation, tableColumns } from '../sql/pending-revocation.ts';

/** Live: not revoked, not expired, and not covered by a bulk revocation still being marked. */
const LIVE = `revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $NOW) AND (idle_expires_at IS NULL OR idle_expires_at > $NOW) AND NOT ${coveredByPendingRevocation(tableColumns('seq'))}`;
const TOKEN_FILTER_COLUMNS = ['user_id', 'client_id', 'audience', 'session_id', 'device_name', 'grant_id', 'rotating'] as const;

/**
 * The tenant on PostgreSQL, for several instances on one database. Rotation locks the
 * token's row (SELECT ... FOR UPDATE), so concurrent exchanges on any instances have one
 * winner; revocation jobs are leased to one instance and batches skip locked rows.
 */
export class PostgresStore implements TenantStore {
  readonly dialect = 'postgres' as const;

  private constructor(private readonly pool: pg.Pool) {}

  static async open(url: string, options: { schema?: string } = {}): Promise<PostgresStore> {
    const pool = createPool(url, options.schema);
    await runMigrations(pool, POSTGRES_MIGRATIONS, { ...(options.schema ? { schema: options.schema } : {}), table: 'tenant_schema_migrations' });
    return new PostgresStore(pool);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async one(sql: string, params: unknown[] = [], db: Queryable = this.pool): Promise<Row | undefined> {
    return (await db.query(sql, params)).rows[0];
  }

  private async all(sql: string, params: unknown[] = [], db: Queryable = this.pool): Promise<Row[]> {
    return (await db.query(sql, params)).rows;
  }

  private tx<T>(fn: (db: Queryable) => Promise<T>): Promise<T> {
    return transaction(this.pool, fn);
  }

  // ---------------------------------------------------------------- tenant

  async getSettings(): Promise<TenantSettings> {
    const row = await this.one('SELECT json FROM tenant_settings WHERE id = 1');
    return row ? { ...DEFAULT_TENANT_SETTINGS, ...JSON.parse(row.json) } : structuredClone(DEFAULT_TENANT_SETTINGS);
  }

  async updateSettings(patch: (current: TenantSettings) => TenantSettings): Promise<TenantSettings> {
    return this.tx(async (db) => {
      await db.query("INSERT INTO tenant_settings (id, json) VALUES (1, '{}') ON CONFLICT (id) DO NOTHING");
      const row = await this.one('SELECT json FROM tenant_settings WHERE id = 1 FOR UPDATE', [], db);
      const next = patch({ ...DEFAULT_TENANT_SETTINGS, ...JSON.parse(row!.json) });
      await db.query('UPDATE tenant_settings SET json = $1 WHERE id = 1', [JSON.stringify(next)]);
      return next;
    });
  }

  async getSigningKeys() {
    const rows = await this.all('SELECT kid, private_jwk, public_jwk FROM signing_keys ORDER BY created_at DESC, kid');
    return rows.map((r) => ({ kid: r.kid as string, privateJwk: r.private_jwk as string, publicJwk: r.public_jwk as string }));
  }

  async addFirstSigningKey(key: { kid: string; privateJwk: string; publicJwk: string; created_at: number }) {
    await this.exclusive('signing-keys', async () => {
      if (await this.one('SELECT 1 FROM signing_keys LIMIT 1')) return;
      await this.pool.query('INSERT INTO signing_keys (kid, private_jwk, public_jwk, created_at) VALUES ($1, $2, $3, $4)', [key.kid, key.privateJwk, key.publicJwk, key.created_at]);
    });
  }

  async exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
      }
    } finally {
      client.release();
    }
  }

  createRateLimiter(limit: number, windowMs: number): RateLimiter {
    return new PostgresRateLimiter(this.pool, limit, windowMs);
  }

  async getOrCreateSecret(name: string, create: () => string): Promise<string> {
    await this.pool.query('INSERT INTO tenant_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, create()]);
    return (await this.one('SELECT value FROM tenant_secrets WHERE name = $1', [name]))!.value as string;
  }

  async isEmpty(): Promise<boolean> {
    return !(await this.one('SELECT 1 FROM clients LIMIT 1'));
  }

  // ---------------------------------------------------------------- clients and APIs

  async getClient(clientId: string): Promise<ClientRecord | undefined> {
    const row = await this.one('SELECT json, client_secret_hash FROM clients WHERE client_id = $1', [clientId]);
    return row ? toClient(row) : undefined;
  }

  async listClients(page: number, perPage: number): Promise<Page<ClientRecord>> {
    const rows = await this.all('SELECT json, client_secret_hash FROM clients ORDER BY created_at, client_id LIMIT $1 OFFSET $2', [perPage, page * perPage]);
    const total = Number((await this.one('SELECT count(*) AS n FROM clients'))!.n);
    return { items: rows.map(toClient), total };
  }

  async putClient(client: ClientRecord): Promise<void> {
    const { client_secret_hash, ...rest } = client;
    await this.pool.query(
      `INSERT INTO clients (client_id, name, json, client_secret_hash, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (client_id) DO UPDATE SET name = excluded.name, json = excluded.json, client_secret_hash = excluded.client_secret_hash`,
      [client.client_id, client.name, JSON.stringify(rest), client_secret_hash, client.created_at],
    );
  }

  async getResourceServer(identifier: string): Promise<ResourceServerRecord | undefined> {
    const row = await this.one('SELECT json FROM resource_servers WHERE identifier = $1', [identifier]);
    return row ? JSON.parse(row.json) : undefined;
  }

  async listResourceServers(): Promise<ResourceServerRecord[]> {
    return (await this.all('SELECT json FROM resource_servers ORDER BY identifier')).map((r) => JSON.parse(r.json));
  }

  async putResourceServer(rs: ResourceServerRecord): Promise<void> {
    await this.pool.query(
      'INSERT INTO resource_servers (identifier, id, json) VALUES ($1, $2, $3) ON CONFLICT (identifier) DO UPDATE SET json = excluded.json',
      [rs.identifier, rs.id, JSON.stringify(rs)],
    );
  }

  async retargetResourceServer(oldIdentifier: string, newIdentifier: string): Promise<void> {
    await this.tx(async (db) => {
      const row = await this.one('SELECT json FROM resource_servers WHERE identifier = $1 FOR UPDATE', [oldIdentifier], db);
      if (!row) return;
      await db.query('DELETE FROM resource_servers WHERE identifier = $1', [newIdentifier]);
      await db.query('UPDATE resource_servers SET identifier = $1, json = $2 WHERE identifier = $3', [newIdentifier, JSON.stringify({ ...JSON.parse(row.json), identifier: newIdentifier }), oldIdentifier]);
      await db.query('UPDATE client_grants SET audience = $1 WHERE audience = $2', [newIdentifier, oldIdentifier]);
    });
  }

  async getClientGrant(clientId: string, audience: string): Promise<ClientGrantRecord | undefined> {
    const row = await this.one('SELECT * FROM client_grants WHERE client_id = $1 AND audience = $2', [clientId, audience]);
    return row ? toClientGrant(row) : undefined;
  }

  async putClientGrant(grant: ClientGrantRecord): Promise<void> {
    await this.pool.query(
      'INSERT INTO client_grants (id, client_id, audience, scope) VALUES ($1, $2, $3, $4) ON CONFLICT (client_id, audience) DO UPDATE SET scope = excluded.scope',
      [grant.id, grant.client_id, grant.audience, JSON.stringify(grant.scope)],
    );
  }

  async deleteClient(clientId: string, job: { id: string; now: number }): Promise<ClientRecord | undefined> {
    return this.tx(async (db) => {
      const row = await this.one('DELETE FROM clients WHERE client_id = $1 RETURNING json, client_secret_hash', [clientId], db);
      if (!row) return undefined;
      await db.query('DELETE FROM client_grants WHERE client_id = $1', [clientId]);
      await db.query('DELETE FROM grants WHERE client_id = $1', [clientId]);
      await this.insertJob(db, { id: job.id, target: { kind: 'client', client_id: clientId }, reason: 'client_tokens_revoked', requested_at: job.now });
      return toClient(row);
    });
  }

  async getResourceServerById(id: string): Promise<ResourceServerRecord | undefined> {
    const row = await this.one('SELECT json FROM resource_servers WHERE id = $1', [id]);
    return row ? JSON.parse(row.json) : undefined;
  }

  async createResourceServer(rs: ResourceServerRecord): Promise<boolean> {
    const result = await this.pool.query('INSERT INTO resource_servers (identifier, id, json) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [rs.identifier, rs.id, JSON.stringify(rs)]);
    return (result.rowCount ?? 0) > 0;
  }

  async deleteResourceServer(id: string): Promise<ResourceServerRecord | undefined> {
    return this.tx(async (db) => {
      const row = await this.one('DELETE FROM resource_servers WHERE id = $1 RETURNING json', [id], db);
      if (!row) return undefined;
      const rs = JSON.parse(row.json) as ResourceServerRecord;
      await db.query('DELETE FROM client_grants WHERE audience = $1', [rs.identifier]);
      return rs;
    });
  }

  async getClientGrantById(id: string): Promise<ClientGrantRecord | undefined> {
    const row = await this.one('SELECT * FROM client_grants WHERE id = $1', [id]);
    return row ? toClientGrant(row) : undefined;
  }

  async listClientGrants(filter: { client_id?: string; audience?: string }, from: string | undefined, take: number) {
    const params = new Params();
    const fromParam = params.add(from ?? null);
    const where = whereOf(filter, ['client_id', 'audience'], params, [`(${fromParam}::text IS NULL OR id > ${fromParam})`]);
    const rows = await this.all(`SELECT * FROM client_grants ${where} ORDER BY id LIMIT ${params.add(take + 1)}`, params.values);
    return checkpoint(rows.map(toClientGrant), take, (g) => g.id);
  }

  async countClientGrants(filter: { client_id?: string; audience?: string }): Promise<number> {
    const params = new Params();
    const where = whereOf(filter, ['client_id', 'audience'], params);
    return Number((await this.one(`SELECT count(*) AS n FROM client_grants ${where}`, params.values))!.n);
  }

  async createClientGrant(grant: ClientGrantRecord): Promise<boolean> {
    const result = await this.pool.query('INSERT INTO client_grants (id, client_id, audience, scope) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
      grant.id,
      grant.client_id,
      grant.audience,
      JSON.stringify(grant.scope),
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async updateClientGrantScope(id: string, scope: string[]): Promise<ClientGrantRecord | undefined> {
    const row = await this.one('UPDATE client_grants SET scope = $1 WHERE id = $2 RETURNING *', [JSON.stringify(scope), id]);
    return row ? toClientGrant(row) : undefined;
  }

  async deleteClientGrant(id: string): Promise<ClientGrantRecord | undefined> {
    const row = await this.one('DELETE FROM client_grants WHERE id = $1 RETURNING *', [id]);
    return row ? toClientGrant(row) : undefined;
  }

  // ---------------------------------------------------------------- users

  async getUser(userId: string): Promise<UserRecord | undefined> {
    const row = await this.one('SELECT * FROM users WHERE user_id = $1', [userId]);
    return row ? toUser(row) : undefined;
  }

  async getUserByEmail(email: string): Promise<UserRecord | undefined> {
    const row = await this.one('SELECT * FROM users WHERE lower(email) = lower($1)', [email]);
    return row ? toUser(row) : undefined;
  }

  async putUser(user: UserRecord, db: Queryable = this.pool): Promise<void> {
    const { user_id, email, name, created_at, last_login, password_hash, ...rest } = user;
    await db.query(
      `INSERT INTO users (user_id, email, name, created_at, last_login, json, password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, name = excluded.name, last_login = excluded.last_login,
         json = excluded.json, password_hash = excluded.password_hash`,
      [user_id, email, name, created_at, last_login, JSON.stringify(rest), password_hash],
    );
  }

  async createUser(user: UserRecord): Promise<boolean> {
    const { user_id, email, name, created_at, last_login, password_hash, ...rest } = user;
    // Any unique index (user_id, lower(email)) makes it a conflict.
    const result = await this.pool.query(
      `INSERT INTO users (user_id, email, name, created_at, last_login, json, password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT DO NOTHING`,
      [user_id, email, name, created_at, last_login, JSON.stringify(rest), password_hash],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async updateUser(user: UserRecord): Promise<'updated' | 'not_found' | 'email_taken'> {
    const { user_id, email, name, last_login, password_hash, created_at: _created, ...rest } = user;
    try {
      const result = await this.pool.query(
        'UPDATE users SET email = $2, name = $3, last_login = $4, json = $5, password_hash = $6 WHERE user_id = $1',
        [user_id, email, name, last_login, JSON.stringify(rest), password_hash],
      );
      return (result.rowCount ?? 0) > 0 ? 'updated' : 'not_found';
    } catch (err) {
      // unique_violation: only the email index can clash on an update by primary key.
      if ((err as { code?: string }).code === '23505') return 'email_taken';
      throw err;
    }
  }

  async deleteUser(userId: string, job: { id: string; now: number }): Promise<UserRecord | undefined> {
    return this.tx(async (db) => {
      const row = await this.one('DELETE FROM users WHERE user_id = $1 RETURNING *', [userId], db);
      if (!row) return undefined;
      await db.query('DELETE FROM grants WHERE user_id = $1', [userId]);
      await db.query('UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL', [job.now, userId]);
      await this.insertJob(db, { id: job.id, target: { kind: 'user', user_id: userId }, reason: 'user_tokens_revoked', requested_at: job.now });
      return toUser(row);
    });
  }

  async recordLogin(userId: string, ip: string | null, now: number): Promise<void> {
    await this.tx(async (db) => {
      const row = await this.one('SELECT * FROM users WHERE user_id = $1 FOR UPDATE', [userId], db);
      if (!row) return;
      const user = toUser(row);
      await this.putUser({ ...user, last_login: now, last_ip: ip, logins_count: user.logins_count + 1, updated_at: now }, db);
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
    // Sort columns come from a closed union; NULLS LAST matches SQLite's order for ascending dates.
    const orderBy = `${sort.field} ${sort.order === 1 ? 'ASC NULLS FIRST' : 'DESC NULLS LAST'}, user_id ASC`;
    const params = new Params();
    let where = '';
    if (query.q) {
      const pattern = query.q.replace(/[\\%_]/g, (ch) => `\\${ch}`).replace(/\*/g, '%');
      const like = params.add(pattern.includes('%') ? pattern : `%${pattern}%`);
      const columns = query.field ? [query.field] : ['email', 'name', 'user_id'];
      where = `WHERE ${columns.map((col) => `${col} ILIKE ${like}`).join(' OR ')}`;
    }
    const filterParams = [...params.values];
    const limit = params.add(query.perPage);
    const offset = params.add(query.page * query.perPage);
    const rows = await this.all(`SELECT * FROM users ${where} ORDER BY ${orderBy} LIMIT ${limit} OFFSET ${offset}`, params.values);
    const total = Number((await this.one(`SELECT count(*) AS n FROM users ${where}`, filterParams))!.n);
    return { items: rows.map(toUser), total };
  }

  // ---------------------------------------------------------------- grants

  async upsertGrant(grant: { user_id: string; client_id: string; audience: string; scope: string[] }, idIfNew: string, now: number) {
    return this.tx(async (db) => {
      await db.query(
        `INSERT INTO grants (id, user_id, client_id, audience, scope, created_at, updated_at) VALUES ($1, $2, $3, $4, '[]', $5, $5)
         ON CONFLICT (user_id, client_id, audience) DO NOTHING`,
        [idIfNew, grant.user_id, grant.client_id, grant.audience, now],
      );
      const row = await this.one('SELECT * FROM grants WHERE user_id = $1 AND client_id = $2 AND audience = $3 FOR UPDATE', [grant.user_id, grant.client_id, grant.audience], db);
      const existing = toGrant(row!);
      const scope = [...new Set([...existing.scope, ...grant.scope])];
      await db.query('UPDATE grants SET scope = $1, updated_at = $2 WHERE id = $3', [JSON.stringify(scope), now, existing.id]);
      return { ...existing, scope, updated_at: now } satisfies GrantRecord;
    });
  }

  async getGrant(id: string): Promise<GrantRecord | undefined> {
    const row = await this.one('SELECT * FROM grants WHERE id = $1', [id]);
    return row ? toGrant(row) : undefined;
  }

  async findGrant(userId: string, clientId: string, audience: string): Promise<GrantRecord | undefined> {
    const row = await this.one('SELECT * FROM grants WHERE user_id = $1 AND client_id = $2 AND audience = $3', [userId, clientId, audience]);
    return row ? toGrant(row) : undefined;
  }

  async listGrants(filter: { user_id?: string; client_id?: string; audience?: string }, page: number, perPage: number) {
    const params = new Params();
    const where = whereOf(filter, ['user_id', 'client_id', 'audience'], params);
    const filterParams = [...params.values];
    const rows = await this.all(`SELECT * FROM grants ${where} ORDER BY created_at, id LIMIT ${params.add(perPage)} OFFSET ${params.add(page * perPage)}`, params.values);
    const total = Number((await this.one(`SELECT count(*) AS n FROM grants ${where}`, filterParams))!.n);
    return { items: rows.map(toGrant), total };
  }

  async deleteGrant(id: string, job: { id: string; now: number }): Promise<GrantRecord | undefined> {
    return this.tx(async (db) => {
      const row = await this.one('DELETE FROM grants WHERE id = $1 RETURNING *', [id], db);
      if (!row) return undefined;
      await this.insertJob(db, { id: job.id, target: { kind: 'grant', grant_id: id }, reason: 'grant_deleted', requested_at: job.now });
      return toGrant(row);
    });
  }

  // ---------------------------------------------------------------- sessions

  async createSession(session: SessionRecord, cookieHash: Buffer): Promise<void> {
    await this.pool.query('INSERT INTO sessions (id, user_id, cookie_hash, created_at, revoked_at, json) VALUES ($1, $2, $3, $4, $5, $6)', [
      session.id,
      session.user_id,
      cookieHash,
      session.created_at,
      session.revoked_at,
      JSON.stringify(session),
    ]);
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const row = await this.one('SELECT json, revoked_at FROM sessions WHERE id = $1', [id]);
    return row ? toSession(row) : undefined;
  }

  async getSessionByCookie(cookieHash: Buffer): Promise<SessionRecord | undefined> {
    const row = await this.one('SELECT json, revoked_at FROM sessions WHERE cookie_hash = $1', [cookieHash]);
    return row ? toSession(row) : undefined;
  }

  async touchSession(
    id: string,
    patch: { now: number; idle_expires_at: number | null; clientId?: string; ip?: string | null; asn?: string | null; userAgent?: string | null },
  ): Promise<void> {
    await this.tx(async (db) => {
      const row = await this.one('SELECT json, revoked_at FROM sessions WHERE id = $1 FOR UPDATE', [id], db);
      if (!row) return;
      const session = toSession(row);
      session.updated_at = patch.now;
      session.last_interacted_at = patch.now;
      session.idle_expires_at = patch.idle_expires_at;
      if (patch.clientId && !session.clients.includes(patch.clientId)) session.clients.push(patch.clientId);
      if (patch.ip !== undefined) session.device.last_ip = patch.ip;
      if (patch.asn !== undefined) session.device.last_asn = patch.asn;
      if (patch.userAgent !== undefined) session.device.last_user_agent = patch.userAgent;
      await db.query('UPDATE sessions SET json = $1 WHERE id = $2', [JSON.stringify(session), id]);
    });
  }

  async listUserSessions(userId: string, now: number, from: string | undefined, take: number) {
    const rows = await this.all(
      'SELECT json, revoked_at FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3',
      [userId, from ?? null, take + 1],
    );
    return checkpoint(rows.map(toSession).filter((s) => !isExpired(s, now)), take, (s) => s.id);
  }

  async revokeSession(id: string, now: number, revokeTokens: { jobId: string } | null): Promise<SessionRecord | undefined> {
    return this.tx(async (db) => {
      const row = await this.one('SELECT json, revoked_at FROM sessions WHERE id = $1 FOR UPDATE', [id], db);
      if (!row) return undefined;
      await db.query('UPDATE sessions SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2', [now, id]);
      if (revokeTokens) {
        await this.insertJob(db, { id: revokeTokens.jobId, target: { kind: 'session', session_id: id }, reason: 'session_revoked', requested_at: now });
      }
      return { ...toSession(row), revoked_at: (row.revoked_at as number | null) ?? now };
    });
  }

  async searchSessions(filter: SessionSearch, now: number, from: string | undefined, take: number) {
    const params = new Params();
    const bind = (value: unknown) => params.add(value);
    const text = sessionSearchPageSql(filter, { bind, like: 'ILIKE' }, SESSION_FIELDS, bind(now), from, take + 1);
    return checkpoint((await this.all(text, params.values)).map(toSession), take, (s) => s.id);
  }

  async countSessionSearch(filter: SessionSearch, now: number, limit: number) {
    const params = new Params();
    const bind = (value: unknown) => params.add(value);
    const row = (await this.one(sessionSearchCountSql(filter, { bind, like: 'ILIKE' }, SESSION_FIELDS, bind(now), limit), params.values))!;
    return limitedCounts({ sessions: Number(row.sessions), users: Number(row.users) }, 'sessions', limit);
  }

  async revokeUserSessions(userId: string, now: number): Promise<number> {
    return (await this.pool.query('UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL', [now, userId])).rowCount ?? 0;
  }

  // ---------------------------------------------------------------- authorization codes

  async saveAuthorizationCode(codeHash: Buffer, code: AuthorizationCodeRecord): Promise<void> {
    await this.pool.query('INSERT INTO authorization_codes (code_hash, json, expires_at) VALUES ($1, $2, $3)', [codeHash, JSON.stringify(code), code.expires_at]);
  }

  async consumeAuthorizationCode(codeHash: Buffer, now: number) {
    // One UPDATE decides who consumed it, on any instance.
    const consumed = await this.one('UPDATE authorization_codes SET consumed_at = $2 WHERE code_hash = $1 AND consumed_at IS NULL RETURNING json', [codeHash, now]);
    if (consumed) {
      await this.pool.query('DELETE FROM authorization_codes WHERE expires_at < $1 AND consumed_at IS NULL', [now - 3_600_000]);
      return { code: JSON.parse(consumed.json) as AuthorizationCodeRecord, reused: false };
    }
    // Presented again: mark it in one statement, so a redemption still issuing its token sees it.
    const seen = await this.one(
      `UPDATE authorization_codes SET json = (json::jsonb || '{"reused": true}'::jsonb)::text WHERE code_hash = $1 RETURNING json`,
      [codeHash],
    );
    return seen ? { code: JSON.parse(seen.json) as AuthorizationCodeRecord, reused: true } : undefined;
  }

  async attachRefreshTokenToCode(codeHash: Buffer, refreshTokenId: string): Promise<{ reusedMeanwhile: boolean }> {
    const row = await this.one(
      `UPDATE authorization_codes SET json = (json::jsonb || jsonb_build_object('refresh_token_id', $2::text))::text WHERE code_hash = $1 RETURNING json`,
      [codeHash, refreshTokenId],
    );
    return { reusedMeanwhile: !!row && (JSON.parse(row.json) as AuthorizationCodeRecord).reused === true };
  }

  // ---------------------------------------------------------------- refresh tokens

  private async insertToken(db: Queryable, token: NewRefreshToken): Promise<void> {
    const ipKey = addressKey(token.device.initial_ip);
    await db.query(
      `INSERT INTO refresh_tokens (id, user_id, client_id, grant_id, session_id, device_name, audience, scope, resource_servers,
         rotating, leeway, idle_lifetime, created_at, expires_at, idle_expires_at, initial_ip, initial_asn, initial_user_agent,
         last_ip, last_asn, last_user_agent, metadata, current_hash, initial_ip_key, last_ip_key, initial_net_key, last_net_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $16, $17, $18, $19, $20, $21, $21, $22, $22)`,
      [
        token.id, token.user_id, token.client_id, token.grant_id, token.session_id, token.device_name, token.audience,
        token.scope.join(' '), JSON.stringify(token.resource_servers), token.rotating, token.leeway, token.idle_lifetime,
        token.created_at, token.expires_at, token.idle_expires_at, token.device.initial_ip, token.device.initial_asn,
        token.device.initial_user_agent, JSON.stringify(token.metadata ?? {}), token.secretHash, ipKey, ipKey ? networkKey(ipKey) : null,
      ],
    );
    await db.query('INSERT INTO refresh_token_secrets (hash, token_id) VALUES ($1, $2)', [token.secretHash, token.id]);
  }

  async issueRefreshToken(token: NewRefreshToken, activeLimit: number): Promise<{ revokedForLimit: string[] }> {
    return this.tx(async (db) => {
      await this.insertToken(db, token);
      const excess = await this.all(
        `UPDATE refresh_tokens SET revoked_at = $4, revoked_reason = 'entity_limit'
         WHERE id IN (SELECT id FROM refresh_tokens WHERE user_id = $1 AND client_id = $2 AND ${LIVE.replaceAll('$NOW', '$4')}
                      ORDER BY created_at DESC, seq DESC OFFSET $3)
         RETURNING id`,
        [token.user_id, token.client_id, activeLimit, token.created_at],
        db,
      );
      return { revokedForLimit: excess.map((r) => r.id as string) };
    });
  }

  async rotateRefreshToken(secretHash: Buffer, now: number, planner: RotationPlanner): Promise<RotationOutcome> {
    return this.tx(async (db): Promise<RotationOutcome> => {
      const secret = await this.one('SELECT token_id FROM refresh_token_secrets WHERE hash = $1', [secretHash], db);
      if (!secret) return { kind: 'unknown' };
      // The row lock serialises every exchange of this token, on every instance.
      // The user's state comes with the row, in the same statement: no extra round trip.
      const row = await this.one(
        `SELECT t.*, CASE WHEN u.user_id IS NULL THEN 'missing' WHEN (u.json::json->>'blocked')::boolean THEN 'blocked' ELSE 'active' END AS user_state
         FROM refresh_tokens t LEFT JOIN users u ON u.user_id = t.user_id WHERE t.id = $1 FOR UPDATE OF t`,
        [secret.token_id],
        db,
      );
      if (!row) return { kind: 'unknown' };
      const token = toRefreshToken(row);
      const presented = secretHash.equals(row.current_hash) ? 'current' : row.previous_hash && secretHash.equals(row.previous_hash) ? 'previous' : 'stale';
      const plan = planner({ token, presented, previous_valid_until: row.previous_valid_until, revoked_by_job: await this.coveredByJob(db, row), user: row.user_state });
      switch (plan.kind) {
        case 'reject':
          return { kind: 'rejected', token };
        case 'revoke-family':
          await db.query('UPDATE refresh_tokens SET revoked_at = $1, revoked_reason = $2 WHERE id = $3 AND revoked_at IS NULL', [now, plan.reason, token.id]);
          return { kind: 'reuse-detected', token: { ...token, revoked_at: now, revoked_reason: plan.reason } };
        case 'exchange': {
          if (plan.newSecretHash) await db.query('INSERT INTO refresh_token_secrets (hash, token_id) VALUES ($1, $2)', [plan.newSecretHash, token.id]);
          const rotated = plan.newSecretHash !== null && !plan.replacesCurrent;
          const lastIpKey = addressKey(plan.lastIp);
          await db.query(
            `UPDATE refresh_tokens SET
               current_hash = COALESCE($2, current_hash),
               previous_hash = CASE WHEN $3 THEN current_hash ELSE previous_hash END,
               previous_valid_until = CASE WHEN $3 THEN $4::bigint ELSE previous_valid_until END,
               idle_expires_at = $5, last_exchanged_at = $6, last_ip = $7, last_asn = $8, last_user_agent = $9, last_ip_key = $10, last_net_key = $11
             WHERE id = $1`,
            [token.id, plan.newSecretHash, rotated, plan.previousValidUntil, plan.idleExpiresAt, plan.lastExchangedAt, plan.lastIp, plan.lastAsn, plan.lastUserAgent, lastIpKey, lastIpKey ? networkKey(lastIpKey) : null],
          );
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
    const row = await this.one('SELECT t.* FROM refresh_token_secrets s JOIN refresh_tokens t ON t.id = s.token_id WHERE s.hash = $1', [secretHash]);
    if (!row) return undefined;
    const token = toRefreshToken(row);
    const isCurrent =
      secretHash.equals(row.current_hash) || (row.previous_hash !== null && secretHash.equals(row.previous_hash) && (row.previous_valid_until ?? 0) >= now);
    const usable = isCurrent && token.revoked_at === null && !isExpired(token, now) && !(await this.coveredByJob(this.pool, row));
    return { token, usable };
  }

  async getRefreshToken(id: string): Promise<RefreshTokenRecord | undefined> {
    const row = await this.one('SELECT * FROM refresh_tokens WHERE id = $1', [id]);
    return row ? toRefreshToken(row) : undefined;
  }

  async listRefreshTokens(filter: RefreshTokenFilter, now: number, from: string | undefined, take: number) {
    const params = new Params();
    const nowParam = params.add(now);
    const where = whereOf(filter, TOKEN_FILTER_COLUMNS, params, [LIVE.replaceAll('$NOW', nowParam), `(${params.add(from ?? null)}::text IS NULL OR id > $${params.values.length})`]);
    const rows = await this.all(`SELECT * FROM refresh_tokens ${where} ORDER BY id LIMIT ${params.add(take + 1)}`, params.values);
    return checkpoint(rows.map(toRefreshToken), take, (t) => t.id);
  }

  async listRefreshTokenSummaries(
    filter: { user_id: string; client_id?: string },
    now: number,
    from: string | undefined,
    take: number,
    options: { userMustExist?: boolean } = {},
  ) {
    // One statement text per shape, prepared once per connection under its own name; the walk
    // is rt_user_live (user_id, id) over unrevoked rows in id order, and a checkpoint a seek.
    const params = new Params();
    const userParam = params.add(filter.user_id);
    const clauses = [`user_id = ${userParam}`, LIVE.replaceAll('$NOW', params.add(now))];
    if (filter.client_id !== undefined) clauses.push(`client_id = ${params.add(filter.client_id)}`);
    if (from !== undefined) clauses.push(`id > ${params.add(from)}`);
    if (options.userMustExist) clauses.push(`EXISTS (SELECT 1 FROM users WHERE user_id = ${userParam})`);
    const shape = `${filter.client_id !== undefined ? 'c' : ''}${from !== undefined ? 'f' : ''}${options.userMustExist ? 'u' : ''}`;
    const { rows } = await this.pool.query({
      name: `rt_summaries_${shape}`,
      text: `SELECT ${REFRESH_TOKEN_SUMMARY_COLUMNS} FROM refresh_tokens WHERE ${clauses.join(' AND ')} ORDER BY id LIMIT ${params.add(take + 1)}`,
      values: params.values,
      rowMode: 'array',
    });
    return checkpoint(rows.map(toRefreshTokenSummary), take, (t) => t.id);
  }

  async pageRefreshTokens(filter: RefreshTokenFilter, now: number, page: number, perPage: number) {
    const params = new Params();
    const where = whereOf(filter, TOKEN_FILTER_COLUMNS, params, [LIVE.replaceAll('$NOW', params.add(now))]);
    const filterParams = [...params.values];
    const rows = await this.all(`SELECT * FROM refresh_tokens ${where} ORDER BY id LIMIT ${params.add(perPage)} OFFSET ${params.add(page * perPage)}`, params.values);
    const total = Number((await this.one(`SELECT count(*) AS n FROM refresh_tokens ${where}`, filterParams))!.n);
    return { items: rows.map(toRefreshToken), total };
  }

  async listRefreshTokensHistory(filter: RefreshTokenFilter, page: number, perPage: number) {
    const params = new Params();
    const where = whereOf(filter, TOKEN_FILTER_COLUMNS, params);
    const filterParams = [...params.values];
    const rows = await this.all(`SELECT * FROM refresh_tokens ${where} ORDER BY created_at DESC, id DESC LIMIT ${params.add(perPage)} OFFSET ${params.add(page * perPage)}`, params.values);
    const total = Number((await this.one(`SELECT count(*) AS n FROM refresh_tokens ${where}`, filterParams))!.n);
    return { items: rows.map(toRefreshToken), total };
  }

  async countLiveRefreshTokens(filter: RefreshTokenFilter, now: number): Promise<number> {
    const params = new Params();
    const where = whereOf(filter, TOKEN_FILTER_COLUMNS, params, [LIVE.replaceAll('$NOW', params.add(now))]);
    return Number((await this.one(`SELECT count(*) AS n FROM refresh_tokens ${where}`, params.values))!.n);
  }

  async summarizeRefreshTokensByClient(now: number, clientId?: string) {
    const params = new Params();
    const where = whereOf(clientId === undefined ? {} : { client_id: clientId }, TOKEN_FILTER_COLUMNS, params, [LIVE.replaceAll('$NOW', params.add(now))]);
    const rows = await this.all(
      `SELECT client_id, count(*) AS tokens, count(DISTINCT user_id) AS users, count(DISTINCT (user_id, coalesce(device_name, ''))) AS devices, max(seq) AS issued_through
         FROM refresh_tokens ${where} GROUP BY client_id ORDER BY client_id COLLATE "C"`,
      params.values,
    );
    return rows.map((r) => ({ client_id: r.client_id as string, tokens: Number(r.tokens), users: Number(r.users), devices: Number(r.devices), issued_through: Number(r.issued_through) }));
  }

  async listRefreshTokenUsersOfClient(clientId: string, now: number, limit: number) {
    const params = new Params();
    const where = whereOf({ client_id: clientId }, TOKEN_FILTER_COLUMNS, params, [LIVE.replaceAll('$NOW', params.add(now))]);
    const rows = await this.all(
      `SELECT user_id, count(*) AS tokens FROM refresh_tokens ${where} GROUP BY user_id ORDER BY count(*) DESC, user_id COLLATE "C" LIMIT ${params.add(limit)}`,
      params.values,
    );
    return rows.map((r) => ({ user_id: r.user_id as string, tokens: Number(r.tokens) }));
  }

  async searchRefreshTokens(filter: RefreshTokenSearch, now: number, from: string | undefined, take: number) {
    const params = new Params();
    const bind = (value: unknown) => params.add(value);
    const text = searchPageSql(filter, { live: LIVE.replaceAll('$NOW', bind(now)), bind, like: 'ILIKE' }, `${REFRESH_TOKEN_SUMMARY_COLUMNS}, device_name`, from, take + 1);
    const { rows } = await this.pool.query({ text, values: params.values, rowMode: 'array' });
    const hits = rows.map((values: unknown[]): RefreshTokenSearchHit => ({ ...toRefreshTokenSummary(values), device_name: values[17] as string | null }));
    return checkpoint(hits, take, (t) => t.id);
  }

  async countAddressCandidates(range: { from: Buffer; to: Buffer }, limit: number) {
    const params = new Params();
    const row = (await this.one(addressCandidatesSql(range, (value) => params.add(value), limit), params.values))!;
    return Number(row.candidates);
  }

  async countRefreshTokenSearch(filter: RefreshTokenSearch, now: number, limit: number) {
    const params = new Params();
    const bind = (value: unknown) => params.add(value);
    const row = (await this.one(searchCountSql(filter, { live: LIVE.replaceAll('$NOW', bind(now)), bind, like: 'ILIKE' }, limit), params.values))!;
    return limitedCounts({ tokens: Number(row.tokens), users: Number(row.users), devices: Number(row.devices) }, 'tokens', limit);
  }

  async updateRefreshTokenMetadata(id: string, metadata: Record<string, string>) {
    const row = await this.one('UPDATE refresh_tokens SET metadata = $1 WHERE id = $2 RETURNING *', [JSON.stringify(metadata), id]);
    return row ? toRefreshToken(row) : undefined;
  }

  async revokeRefreshTokens(ids: string[], reason: RevokeReason, now: number): Promise<string[]> {
    const rows = await this.all('UPDATE refresh_tokens SET revoked_at = $1, revoked_reason = $2 WHERE id = ANY($3) AND revoked_at IS NULL RETURNING id', [now, reason, ids]);
    return rows.map((r) => r.id as string);
  }

  async bulkImport(input: { users: UserRecord[]; grants: GrantRecord[]; tokens: NewRefreshToken[] }): Promise<void> {
    await this.tx(async (db) => {
      for (const user of input.users) await this.putUser(user, db);
      for (const g of input.grants) {
        await db.query(
          'INSERT INTO grants (id, user_id, client_id, audience, scope, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING',
          [g.id, g.user_id, g.client_id, g.audience, JSON.stringify(g.scope), g.created_at, g.updated_at],
        );
      }
      for (const token of input.tokens) await this.insertToken(db, token);
    });
  }

  // ---------------------------------------------------------------- bulk revocation journal

  async enqueueRevocations(jobs: RevocationJob[]): Promise<void> {
    // One transaction, one commit, however many: a bulk revocation of 100 ids is one commit.
    await this.tx(async (db) => {
      for (const job of jobs) await this.insertJob(db, job);
    });
  }

  private async insertJob(db: Queryable, job: RevocationJob): Promise<void> {
    const t = job.target as Partial<Record<string, string>>;
    // The sequence's last value counts tokens still being inserted too: they are covered.
    // LEAST ignores a NULL `issued_through` (no ceiling asked for).
    await db.query(
      `INSERT INTO revocation_jobs (id, kind, token_id, user_id, client_id, audience, grant_id, session_id, device_name, reason, cutoff, requested_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, LEAST((SELECT last_value FROM refresh_tokens_seq_seq), $12::bigint), $11)`,
      [job.id, job.target.kind, t.token_id ?? null, t.user_id ?? null, t.client_id ?? null, t.audience ?? null, t.grant_id ?? null, t.session_id ?? null, t.device_name ?? null, job.reason, job.requested_at, job.issued_through ?? null],
    );
  }

  async listRevocationJobs(): Promise<RevocationJob[]> {
    return (await this.all('SELECT * FROM revocation_jobs ORDER BY requested_at, id')).map(toJob);
  }

  async processRevocationBatch(jobId: string, limit: number, now: number, claim: JobClaim) {
    return this.tx(async (db) => {
      // SKIP LOCKED: while another instance is inside a batch of this job, leave it be.
      const row = await this.one('SELECT * FROM revocation_jobs WHERE id = $1 FOR UPDATE SKIP LOCKED', [jobId], db);
      if (!row) {
        const exists = await this.one('SELECT 1 FROM revocation_jobs WHERE id = $1', [jobId], db);
        return { revoked: 0, done: !exists, claimed: false };
      }
      if (row.claimed_by && row.claimed_by !== claim.owner && row.claimed_until >= now) return { revoked: 0, done: false, claimed: false };
      await db.query('UPDATE revocation_jobs SET claimed_by = $1, claimed_until = $2 WHERE id = $3', [claim.owner, now + claim.leaseMs, jobId]);
      const params = new Params();
      const condition = jobCondition(row, params);
      const cutoff = params.add(row.cutoff);
      const covered = `revoked_at IS NULL AND ${condition} AND seq <= ${cutoff}`;
      const rowParams = [...params.values];
      const revoked =
        (await db.query(
          `UPDATE refresh_tokens SET revoked_at = ${params.add(now)}, revoked_reason = ${params.add(row.reason)}
           WHERE seq IN (SELECT seq FROM refresh_tokens WHERE ${covered} LIMIT ${params.add(limit)} FOR UPDATE SKIP LOCKED)`,
          params.values,
        )).rowCount ?? 0;
      // Rows locked by an exchange in flight were skipped: done only when none is left.
      const left = await this.one(`SELECT 1 FROM refresh_tokens WHERE ${covered} LIMIT 1`, rowParams, db);
      if (!left) await db.query('DELETE FROM revocation_jobs WHERE id = $1', [jobId]);
      else await db.query('UPDATE revocation_jobs SET revoked_count = revoked_count + $1 WHERE id = $2', [revoked, jobId]);
      return { revoked, done: !left, claimed: true };
    });
  }

  private async coveredByJob(db: Queryable, row: Row): Promise<boolean> {
    const columns = { seq: '$1::bigint', id: '$2::text', user_id: '$3::text', client_id: '$4::text', audience: '$5::text', grant_id: '$6::text', session_id: '$7::text', device_name: '$8::text' };
    const found = await this.one(`SELECT ${coveredByPendingRevocation(columns)} AS covered`, [row.seq, row.id, row.user_id, row.client_id, row.audience, row.grant_id, row.session_id, row.device_name], db);
    return found?.covered === true;
  }

  // ---------------------------------------------------------------- events

  async addEvent(event: TenantEvent): Promise<void> {
    await this.pool.query('INSERT INTO events (id, type, user_id, client_id, refresh_token_id, created_at, json) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      event.id,
      event.type,
      event.user_id,
      event.client_id,
      event.refresh_token_id,
      event.created_at,
      JSON.stringify(event),
    ]);
  }

  async listEvents(filter: { user_id?: string; type?: string; refresh_token_id?: string }, limit: number) {
    const params = new Params();
    const where = whereOf(filter, ['user_id', 'type', 'refresh_token_id'], params);
    const rows = await this.all(`SELECT json FROM events ${where} ORDER BY created_at DESC, id DESC LIMIT ${params.add(limit)}`, params.values);
    return rows.map((r) => JSON.parse(r.json) as TenantEvent);
  }
}

/** A session's fields in its JSON (text column); rtc_ip_key comes with migration 2. */
const SESSION_FIELDS: SessionFields = {
  text: (path) => `(json::jsonb #>> '{${path.replaceAll('.', ',')}}')`,
  number: (path) => `(json::jsonb #>> '{${path.replaceAll('.', ',')}}')::bigint`,
  ipKey: (expression) => `rtc_ip_key(${expression})`,
};

/** `WHERE a = $1 AND b = $2` over the filter's defined keys (keys come from a fixed list). */
function whereOf(filter: object, columns: readonly string[], params: Params, extra: string[] = []): string {
  const clauses = [...extra];
  for (const column of columns) {
    const value = (filter as Record<string, unknown>)[column];
    if (value !== undefined) clauses.push(`${column} = ${params.add(value)}`);
  }
  return clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
}

function jobCondition(row: Row, params: Params): string {
  switch (row.kind as RevocationTarget['kind']) {
    case 'token':
      return `id = ${params.add(row.token_id)}`;
    case 'user':
      return [
        `user_id = ${params.add(row.user_id)}`,
        ...(row.client_id !== null ? [`client_id = ${params.add(row.client_id)}`] : []),
        ...(row.audience !== null ? [`audience = ${params.add(row.audience)}`] : []),
      ].join(' AND ');
    case 'grant':
      return `grant_id = ${params.add(row.grant_id)}`;
    case 'session':
      return `session_id = ${params.add(row.session_id)}`;
    case 'client':
      return [`client_id = ${params.add(row.client_id)}`, ...(row.audience !== null ? [`audience = ${params.add(row.audience)}`] : [])].join(' AND ');
    case 'device':
      return `user_id = ${params.add(row.user_id)} AND device_name = ${params.add(row.device_name)}`;
  }
}

/** Fixed windows in one upsert: every instance counts into the same row. */
class PostgresRateLimiter implements RateLimiter {
  private sweeps = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  async hit(key: string, now: number): Promise<RateLimitResult> {
    const { rows } = await this.pool.query<{ count: number; reset_at: number }>(
      `INSERT INTO rate_limits (key, count, reset_at) VALUES ($1, 1, $2::bigint + $3::bigint)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN rate_limits.reset_at <= $2 THEN 1 ELSE rate_limits.count + 1 END,
         reset_at = CASE WHEN rate_limits.reset_at <= $2 THEN $2::bigint + $3::bigint ELSE rate_limits.reset_at END
       RETURNING count, reset_at`,
      [key, now, this.windowMs],
    );
    if (++this.sweeps % 1000 === 0) void this.pool.query('DELETE FROM rate_limits WHERE reset_at < $1', [now - 3_600_000]).catch(() => {});
    const { count, reset_at } = rows[0]!;
    return { allowed: count <= this.limit, limit: this.limit, remaining: Math.max(0, this.limit - count), resetAt: Number(reset_at) };
  }

  async peek(key: string, now: number): Promise<RateLimitResult> {
    const { rows } = await this.pool.query<{ count: number; reset_at: number }>('SELECT count, reset_at FROM rate_limits WHERE key = $1 AND reset_at > $2', [key, now]);
    const count = rows[0]?.count ?? 0;
    return { allowed: count < this.limit, limit: this.limit, remaining: Math.max(0, this.limit - count), resetAt: rows[0] ? Number(rows[0].reset_at) : now + this.windowMs };
  }

  async reset(key: string): Promise<void> {
    await this.pool.query('DELETE FROM rate_limits WHERE key = $1', [key]);
  }

  async refund(key: string, now: number): Promise<void> {
    await this.pool.query('UPDATE rate_limits SET count = count - 1 WHERE key = $1 AND reset_at > $2 AND count > 0', [key, now]);
  }
}
