import { Params, type Queryable } from '@rtc/db/postgres';
import { checkpoint, toClient, toClientGrant, toGrant, toUser } from '../sql/rows.ts';
import { CASE_INSENSITIVE_USER_SORT, userSearchPattern } from '../sql/user-search.ts';
import type {
  ClientGrantRecord,
  ClientRecord,
  GrantRecord,
  ResourceServerRecord,
  UserRecord,
} from '../../domain/model.ts';
import type { DirectoryStore } from '../contract/directory.ts';
import type { Page } from '../contract/paging.ts';
import { prepared, whereOf, type PostgresConnection } from './connection.ts';
import type { PostgresRevocationJournal } from './revocation-journal.ts';
import type { PostgresSessions } from './sessions.ts';

/**
 * Applications, APIs and client grants, users and their grants. Deleting a client, user or
 * grant journals the revocation of its tokens (and a user's sessions end) in the deletion's
 * own transaction, through the journal's and the sessions' parts given its client.
 */
export class PostgresDirectory implements DirectoryStore {
  constructor(
    private readonly connection: PostgresConnection,
    private readonly sessions: Pick<PostgresSessions, 'endUserSessions'>,
    private readonly journal: Pick<PostgresRevocationJournal, 'insertJob'>,
  ) {}

  // Clients and APIs

  async getClient(clientId: string): Promise<ClientRecord | undefined> {
    const row = await this.connection.one(CLIENT_BY_ID, [clientId]);
    return row ? toClient(row) : undefined;
  }

  async listClients(page: number, perPage: number): Promise<Page<ClientRecord>> {
    const rows = await this.connection.all(
      'SELECT json, client_secret_hash FROM clients ORDER BY created_at, client_id LIMIT $1 OFFSET $2',
      [perPage, page * perPage],
    );
    const total = Number((await this.connection.one('SELECT count(*) AS n FROM clients'))!.n);
    return { items: rows.map(toClient), total };
  }

  async putClient(client: ClientRecord): Promise<void> {
    const { client_secret_hash, ...rest } = client;
    await this.connection.pool.query(
      `INSERT INTO clients (client_id, name, json, client_secret_hash, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (client_id) DO UPDATE SET name = excluded.name, json = excluded.json, client_secret_hash = excluded.client_secret_hash`,
      [client.client_id, client.name, JSON.stringify(rest), client_secret_hash, client.created_at],
    );
  }

  async getResourceServer(identifier: string): Promise<ResourceServerRecord | undefined> {
    const row = await this.connection.one(RESOURCE_SERVER_BY_IDENTIFIER, [identifier]);
    return row ? JSON.parse(row.json) : undefined;
  }

  async listResourceServers(): Promise<ResourceServerRecord[]> {
    return (await this.connection.all('SELECT json FROM resource_servers ORDER BY identifier')).map((r) =>
      JSON.parse(r.json),
    );
  }

  async putResourceServer(rs: ResourceServerRecord): Promise<void> {
    await this.connection.pool.query(
      'INSERT INTO resource_servers (identifier, id, json) VALUES ($1, $2, $3) ON CONFLICT (identifier) DO UPDATE SET json = excluded.json',
      [rs.identifier, rs.id, JSON.stringify(rs)],
    );
  }

  async retargetResourceServer(oldIdentifier: string, newIdentifier: string): Promise<void> {
    await this.connection.tx(async (db) => {
      const row = await this.connection.one(
        'SELECT json FROM resource_servers WHERE identifier = $1 FOR UPDATE',
        [oldIdentifier],
        db,
      );
      if (!row) return;
      await db.query('DELETE FROM resource_servers WHERE identifier = $1', [newIdentifier]);
      await db.query('UPDATE resource_servers SET identifier = $1, json = $2 WHERE identifier = $3', [
        newIdentifier,
        JSON.stringify({ ...JSON.parse(row.json), identifier: newIdentifier }),
        oldIdentifier,
      ]);
      await db.query('UPDATE client_grants SET audience = $1 WHERE audience = $2', [newIdentifier, oldIdentifier]);
    });
  }

  async getClientGrant(clientId: string, audience: string): Promise<ClientGrantRecord | undefined> {
    const row = await this.connection.one('SELECT * FROM client_grants WHERE client_id = $1 AND audience = $2', [
      clientId,
      audience,
    ]);
    return row ? toClientGrant(row) : undefined;
  }

  async putClientGrant(grant: ClientGrantRecord): Promise<void> {
    await this.connection.pool.query(
      'INSERT INTO client_grants (id, client_id, audience, scope) VALUES ($1, $2, $3, $4) ' +
        'ON CONFLICT (client_id, audience) DO UPDATE SET scope = excluded.scope',
      [grant.id, grant.client_id, grant.audience, JSON.stringify(grant.scope)],
    );
  }

  async deleteClient(clientId: string, job: { id: string; now: number }): Promise<ClientRecord | undefined> {
    return this.connection.tx(async (db) => {
      const row = await this.connection.one(
        'DELETE FROM clients WHERE client_id = $1 RETURNING json, client_secret_hash',
        [clientId],
        db,
      );
      if (!row) return undefined;
      await db.query('DELETE FROM client_grants WHERE client_id = $1', [clientId]);
      await db.query('DELETE FROM grants WHERE client_id = $1', [clientId]);
      await this.journal.insertJob(db, {
        id: job.id,
        target: { kind: 'client', client_id: clientId },
        reason: 'client_tokens_revoked',
        requested_at: job.now,
      });
      return toClient(row);
    });
  }

  async getResourceServerById(id: string): Promise<ResourceServerRecord | undefined> {
    const row = await this.connection.one('SELECT json FROM resource_servers WHERE id = $1', [id]);
    return row ? JSON.parse(row.json) : undefined;
  }

  async createResourceServer(rs: ResourceServerRecord): Promise<boolean> {
    const result = await this.connection.pool.query(
      'INSERT INTO resource_servers (identifier, id, json) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [rs.identifier, rs.id, JSON.stringify(rs)],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async deleteResourceServer(id: string): Promise<ResourceServerRecord | undefined> {
    return this.connection.tx(async (db) => {
      const row = await this.connection.one('DELETE FROM resource_servers WHERE id = $1 RETURNING json', [id], db);
      if (!row) return undefined;
      const rs = JSON.parse(row.json) as ResourceServerRecord;
      await db.query('DELETE FROM client_grants WHERE audience = $1', [rs.identifier]);
      return rs;
    });
  }

  async getClientGrantById(id: string): Promise<ClientGrantRecord | undefined> {
    const row = await this.connection.one('SELECT * FROM client_grants WHERE id = $1', [id]);
    return row ? toClientGrant(row) : undefined;
  }

  async listClientGrants(filter: { client_id?: string; audience?: string }, from: string | undefined, take: number) {
    const params = new Params();
    const fromParam = params.add(from ?? null);
    const where = whereOf(filter, ['client_id', 'audience'], params, [
      `(${fromParam}::text IS NULL OR id > ${fromParam})`,
    ]);
    const rows = await this.connection.all(
      `SELECT * FROM client_grants ${where} ORDER BY id LIMIT ${params.add(take + 1)}`,
      params.values,
    );
    return checkpoint(rows.map(toClientGrant), take, (g) => g.id);
  }

  async countClientGrants(filter: { client_id?: string; audience?: string }): Promise<number> {
    const params = new Params();
    const where = whereOf(filter, ['client_id', 'audience'], params);
    return Number((await this.connection.one(`SELECT count(*) AS n FROM client_grants ${where}`, params.values))!.n);
  }

  async createClientGrant(grant: ClientGrantRecord): Promise<boolean> {
    const result = await this.connection.pool.query(
      'INSERT INTO client_grants (id, client_id, audience, scope) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [grant.id, grant.client_id, grant.audience, JSON.stringify(grant.scope)],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async updateClientGrantScope(id: string, scope: string[]): Promise<ClientGrantRecord | undefined> {
    const row = await this.connection.one('UPDATE client_grants SET scope = $1 WHERE id = $2 RETURNING *', [
      JSON.stringify(scope),
      id,
    ]);
    return row ? toClientGrant(row) : undefined;
  }

  async deleteClientGrant(id: string): Promise<ClientGrantRecord | undefined> {
    const row = await this.connection.one('DELETE FROM client_grants WHERE id = $1 RETURNING *', [id]);
    return row ? toClientGrant(row) : undefined;
  }

  // Users

  async getUser(userId: string): Promise<UserRecord | undefined> {
    const row = await this.connection.one('SELECT * FROM users WHERE user_id = $1', [userId]);
    return row ? toUser(row) : undefined;
  }

  async getUserByEmail(email: string): Promise<UserRecord | undefined> {
    const row = await this.connection.one('SELECT * FROM users WHERE lower(email) = lower($1)', [email]);
    return row ? toUser(row) : undefined;
  }

  /** On the pool, or in the caller's transaction when `db` is its client (recording a login, the bulk load). */
  async putUser(user: UserRecord, db: Queryable = this.connection.pool): Promise<void> {
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
    const result = await this.connection.pool.query(
      `INSERT INTO users (user_id, email, name, created_at, last_login, json, password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT DO NOTHING`,
      [user_id, email, name, created_at, last_login, JSON.stringify(rest), password_hash],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async updateUser(user: UserRecord): Promise<'updated' | 'not_found' | 'email_taken'> {
    const { user_id, email, name, last_login, password_hash, created_at: _created, ...rest } = user;
    try {
      const result = await this.connection.pool.query(
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
    return this.connection.tx(async (db) => {
      const row = await this.connection.one('DELETE FROM users WHERE user_id = $1 RETURNING *', [userId], db);
      if (!row) return undefined;
      await db.query('DELETE FROM grants WHERE user_id = $1', [userId]);
      await this.sessions.endUserSessions(db, userId, job.now);
      await this.journal.insertJob(db, {
        id: job.id,
        target: { kind: 'user', user_id: userId },
        reason: 'user_tokens_revoked',
        requested_at: job.now,
      });
      return toUser(row);
    });
  }

  async recordLogin(userId: string, ip: string | null, now: number): Promise<void> {
    await this.connection.tx(async (db) => {
      const row = await this.connection.one('SELECT * FROM users WHERE user_id = $1 FOR UPDATE', [userId], db);
      if (!row) return;
      const user = toUser(row);
      await this.putUser(
        { ...user, last_login: now, last_ip: ip, logins_count: user.logins_count + 1, updated_at: now },
        db,
      );
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
    const key = CASE_INSENSITIVE_USER_SORT.has(sort.field) ? `lower(${sort.field})` : sort.field;
    const orderBy = `${key} ${sort.order === 1 ? 'ASC NULLS FIRST' : 'DESC NULLS LAST'}, user_id ASC`;
    const params = new Params();
    let where = '';
    if (query.q) {
      const like = params.add(userSearchPattern(query.q));
      const columns = query.field ? [query.field] : ['email', 'name', 'user_id'];
      where = `WHERE ${columns.map((col) => `${col} ILIKE ${like}`).join(' OR ')}`;
    }
    const filterParams = [...params.values];
    const limit = params.add(query.perPage);
    const offset = params.add(query.page * query.perPage);
    const rows = await this.connection.all(
      `SELECT * FROM users ${where} ORDER BY ${orderBy} LIMIT ${limit} OFFSET ${offset}`,
      params.values,
    );
    const total = Number((await this.connection.one(`SELECT count(*) AS n FROM users ${where}`, filterParams))!.n);
    return { items: rows.map(toUser), total };
  }

  // Grants (consent)

  async upsertGrant(
    grant: { user_id: string; client_id: string; audience: string; scope: string[] },
    idIfNew: string,
    now: number,
  ) {
    return this.connection.tx(async (db) => {
      await db.query(
        `INSERT INTO grants (id, user_id, client_id, audience, scope, created_at, updated_at) VALUES ($1, $2, $3, $4, '[]', $5, $5)
         ON CONFLICT (user_id, client_id, audience) DO NOTHING`,
        [idIfNew, grant.user_id, grant.client_id, grant.audience, now],
      );
      const row = await this.connection.one(
        'SELECT * FROM grants WHERE user_id = $1 AND client_id = $2 AND audience = $3 FOR UPDATE',
        [grant.user_id, grant.client_id, grant.audience],
        db,
      );
      const existing = toGrant(row!);
      const scope = [...new Set([...existing.scope, ...grant.scope])];
      await db.query('UPDATE grants SET scope = $1, updated_at = $2 WHERE id = $3', [
        JSON.stringify(scope),
        now,
        existing.id,
      ]);
      return { ...existing, scope, updated_at: now } satisfies GrantRecord;
    });
  }

  async getGrant(id: string): Promise<GrantRecord | undefined> {
    const row = await this.connection.one('SELECT * FROM grants WHERE id = $1', [id]);
    return row ? toGrant(row) : undefined;
  }

  async findGrant(userId: string, clientId: string, audience: string): Promise<GrantRecord | undefined> {
    const row = await this.connection.one(
      'SELECT * FROM grants WHERE user_id = $1 AND client_id = $2 AND audience = $3',
      [userId, clientId, audience],
    );
    return row ? toGrant(row) : undefined;
  }

  async listGrants(filter: { user_id?: string; client_id?: string; audience?: string }, page: number, perPage: number) {
    const params = new Params();
    const where = whereOf(filter, ['user_id', 'client_id', 'audience'], params);
    const filterParams = [...params.values];
    const rows = await this.connection.all(
      `SELECT * FROM grants ${where} ORDER BY created_at, id LIMIT ${params.add(perPage)} OFFSET ${params.add(page * perPage)}`,
      params.values,
    );
    const total = Number((await this.connection.one(`SELECT count(*) AS n FROM grants ${where}`, filterParams))!.n);
    return { items: rows.map(toGrant), total };
  }

  async deleteGrant(id: string, job: { id: string; now: number }): Promise<GrantRecord | undefined> {
    return this.connection.tx(async (db) => {
      const row = await this.connection.one('DELETE FROM grants WHERE id = $1 RETURNING *', [id], db);
      if (!row) return undefined;
      await this.journal.insertJob(db, {
        id: job.id,
        target: { kind: 'grant', grant_id: id },
        reason: 'grant_deleted',
        requested_at: job.now,
      });
      return toGrant(row);
    });
  }

  /** The large-tenant generator's grants, in its bulk load's transaction (`db`); one already there is kept. */
  async importGrant(db: Queryable, g: GrantRecord): Promise<void> {
    await db.query(
      'INSERT INTO grants (id, user_id, client_id, audience, scope, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING',
      [g.id, g.user_id, g.client_id, g.audience, JSON.stringify(g.scope), g.created_at, g.updated_at],
    );
  }
}

/** Read on every token request (PostgreSQL keeps no cache of them here): prepared once per connection. */
const CLIENT_BY_ID = prepared('client_by_id', 'SELECT json, client_secret_hash FROM clients WHERE client_id = $1');
const RESOURCE_SERVER_BY_IDENTIFIER = prepared(
  'resource_server_by_identifier',
  'SELECT json FROM resource_servers WHERE identifier = $1',
);
