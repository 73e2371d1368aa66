import type {
  ClientGrantRecord,
  ClientRecord,
  GrantRecord,
  ResourceServerRecord,
  UserRecord,
} from '../../domain/model.ts';
import type { DirectoryStore } from '../contract/directory.ts';
import type { Page } from '../contract/paging.ts';
import { checkpoint, toClient, toClientGrant, toGrant, toUser, type Row } from '../sql/rows.ts';
import { CASE_INSENSITIVE_USER_SORT, userSearchPattern } from '../sql/user-search.ts';
import { whereOf, type SqliteConnection } from './connection.ts';
import type { SqliteRevocationJournal } from './revocation-journal.ts';
import type { SqliteSessions } from './sessions.ts';
import type { SqliteDirectoryCache } from './directory-cache.ts';

/**
 * Clients, APIs and client grants, users, and users' grants (consent). Deleting a client, user
 * or grant journals the revocation of its tokens, and deleting a user ends their sessions, in
 * the same transaction as the deletion (through the journal's and the sessions' parts).
 */
export class SqliteDirectory implements DirectoryStore {
  constructor(
    private readonly connection: SqliteConnection,
    private readonly sessions: SqliteSessions,
    private readonly journal: SqliteRevocationJournal,
    private readonly cache: SqliteDirectoryCache,
  ) {}

  // Clients and APIs

  async getClient(clientId: string): Promise<ClientRecord | undefined> {
    return this.cache.read(`client ${clientId}`, () => {
      const row = this.connection.q('SELECT json, client_secret_hash FROM clients WHERE client_id = ?').get(clientId) as
        | Row
        | undefined;
      return row ? toClient(row) : undefined;
    });
  }

  async listClients(page: number, perPage: number): Promise<Page<ClientRecord>> {
    const rows = this.connection
      .q('SELECT json, client_secret_hash FROM clients ORDER BY created_at, client_id LIMIT ? OFFSET ?')
      .all(perPage, page * perPage) as Row[];
    const total = (this.connection.q('SELECT count(*) AS n FROM clients').get() as Row).n as number;
    return { items: rows.map(toClient), total };
  }

  async putClient(client: ClientRecord): Promise<void> {
    const { client_secret_hash, ...rest } = client;
    this.connection
      .q(
        `INSERT INTO clients (client_id, name, json, client_secret_hash, created_at) VALUES (@client_id, @name, @json, @hash, @created_at)
       ON CONFLICT (client_id) DO UPDATE SET name = excluded.name, json = excluded.json, client_secret_hash = excluded.client_secret_hash`,
      )
      .run({
        client_id: client.client_id,
        name: client.name,
        json: JSON.stringify(rest),
        hash: client_secret_hash,
        created_at: client.created_at,
      });
  }

  async getResourceServer(identifier: string): Promise<ResourceServerRecord | undefined> {
    return this.cache.read(`api ${identifier}`, () => {
      const row = this.connection.q('SELECT json FROM resource_servers WHERE identifier = ?').get(identifier) as
        | Row
        | undefined;
      return row ? (JSON.parse(row.json) as ResourceServerRecord) : undefined;
    });
  }

  async listResourceServers(): Promise<ResourceServerRecord[]> {
    return (this.connection.q('SELECT json FROM resource_servers ORDER BY identifier').all() as Row[]).map((r) =>
      JSON.parse(r.json),
    );
  }

  async putResourceServer(rs: ResourceServerRecord): Promise<void> {
    this.connection
      .q(
        'INSERT INTO resource_servers (identifier, id, json) VALUES (?, ?, ?) ON CONFLICT (identifier) DO UPDATE SET json = excluded.json',
      )
      .run(rs.identifier, rs.id, JSON.stringify(rs));
  }

  async retargetResourceServer(oldIdentifier: string, newIdentifier: string): Promise<void> {
    this.connection.tx(() => {
      const row = this.connection.q('SELECT json FROM resource_servers WHERE identifier = ?').get(oldIdentifier) as
        | Row
        | undefined;
      if (!row) return;
      this.connection.q('DELETE FROM resource_servers WHERE identifier = ?').run(newIdentifier);
      const json = JSON.stringify({ ...JSON.parse(row.json), identifier: newIdentifier });
      this.connection
        .q('UPDATE resource_servers SET identifier = ?, json = ? WHERE identifier = ?')
        .run(newIdentifier, json, oldIdentifier);
      this.connection.q('UPDATE client_grants SET audience = ? WHERE audience = ?').run(newIdentifier, oldIdentifier);
    });
  }

  async getClientGrant(clientId: string, audience: string): Promise<ClientGrantRecord | undefined> {
    const row = this.connection
      .q('SELECT * FROM client_grants WHERE client_id = ? AND audience = ?')
      .get(clientId, audience) as Row | undefined;
    return row ? toClientGrant(row) : undefined;
  }

  async putClientGrant(grant: ClientGrantRecord): Promise<void> {
    this.connection
      .q(
        `INSERT INTO client_grants (id, client_id, audience, scope) VALUES (?, ?, ?, ?)
       ON CONFLICT (client_id, audience) DO UPDATE SET scope = excluded.scope`,
      )
      .run(grant.id, grant.client_id, grant.audience, JSON.stringify(grant.scope));
  }

  async deleteClient(clientId: string, job: { id: string; now: number }): Promise<ClientRecord | undefined> {
    return this.connection.tx(() => {
      const row = this.connection.q('SELECT json, client_secret_hash FROM clients WHERE client_id = ?').get(clientId) as
        | Row
        | undefined;
      if (!row) return undefined;
      this.connection.q('DELETE FROM clients WHERE client_id = ?').run(clientId);
      this.connection.q('DELETE FROM client_grants WHERE client_id = ?').run(clientId);
      this.connection.q('DELETE FROM grants WHERE client_id = ?').run(clientId);
      this.journal.insertJob({
        id: job.id,
        target: { kind: 'client', client_id: clientId },
        reason: 'client_tokens_revoked',
        requested_at: job.now,
      });
      return toClient(row);
    });
  }

  async getResourceServerById(id: string): Promise<ResourceServerRecord | undefined> {
    const row = this.connection.q('SELECT json FROM resource_servers WHERE id = ?').get(id) as Row | undefined;
    return row ? JSON.parse(row.json) : undefined;
  }

  async createResourceServer(rs: ResourceServerRecord): Promise<boolean> {
    return (
      this.connection
        .q('INSERT INTO resource_servers (identifier, id, json) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
        .run(rs.identifier, rs.id, JSON.stringify(rs)).changes > 0
    );
  }

  async deleteResourceServer(id: string): Promise<ResourceServerRecord | undefined> {
    return this.connection.tx(() => {
      const row = this.connection.q('SELECT json FROM resource_servers WHERE id = ?').get(id) as Row | undefined;
      if (!row) return undefined;
      const rs = JSON.parse(row.json) as ResourceServerRecord;
      this.connection.q('DELETE FROM resource_servers WHERE id = ?').run(id);
      this.connection.q('DELETE FROM client_grants WHERE audience = ?').run(rs.identifier);
      return rs;
    });
  }

  async getClientGrantById(id: string): Promise<ClientGrantRecord | undefined> {
    const row = this.connection.q('SELECT * FROM client_grants WHERE id = ?').get(id) as Row | undefined;
    return row ? toClientGrant(row) : undefined;
  }

  async listClientGrants(filter: { client_id?: string; audience?: string }, from: string | undefined, take: number) {
    const { where, params } = whereOf(filter, ['client_id', 'audience'], ['(@from IS NULL OR id > @from)']);
    const rows = this.connection
      .q(`SELECT * FROM client_grants ${where} ORDER BY id LIMIT @limit`)
      .all({ ...params, from: from ?? null, limit: take + 1 }) as Row[];
    return checkpoint(rows.map(toClientGrant), take, (g) => g.id);
  }

  async countClientGrants(filter: { client_id?: string; audience?: string }): Promise<number> {
    const { where, params } = whereOf(filter, ['client_id', 'audience']);
    return (this.connection.q(`SELECT count(*) AS n FROM client_grants ${where}`).get(params) as Row).n as number;
  }

  async createClientGrant(grant: ClientGrantRecord): Promise<boolean> {
    return (
      this.connection
        .q('INSERT INTO client_grants (id, client_id, audience, scope) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING')
        .run(grant.id, grant.client_id, grant.audience, JSON.stringify(grant.scope)).changes > 0
    );
  }

  async updateClientGrantScope(id: string, scope: string[]): Promise<ClientGrantRecord | undefined> {
    return this.connection.tx(() => {
      if (
        this.connection.q('UPDATE client_grants SET scope = ? WHERE id = ?').run(JSON.stringify(scope), id).changes ===
        0
      )
        return undefined;
      return toClientGrant(this.connection.q('SELECT * FROM client_grants WHERE id = ?').get(id) as Row);
    });
  }

  async deleteClientGrant(id: string): Promise<ClientGrantRecord | undefined> {
    return this.connection.tx(() => {
      const row = this.connection.q('SELECT * FROM client_grants WHERE id = ?').get(id) as Row | undefined;
      if (!row) return undefined;
      this.connection.q('DELETE FROM client_grants WHERE id = ?').run(id);
      return toClientGrant(row);
    });
  }

  // Users

  async getUser(userId: string): Promise<UserRecord | undefined> {
    const row = this.connection.q('SELECT * FROM users WHERE user_id = ?').get(userId) as Row | undefined;
    return row ? toUser(row) : undefined;
  }

  async getUserByEmail(email: string): Promise<UserRecord | undefined> {
    const row = this.connection.q('SELECT * FROM users WHERE email = ?').get(email) as Row | undefined;
    return row ? toUser(row) : undefined;
  }

  async putUser(user: UserRecord): Promise<void> {
    this.writeUser(user);
  }

  async createUser(user: UserRecord): Promise<boolean> {
    const { user_id, email, name, created_at, last_login, password_hash, ...rest } = user;
    // Any unique column (user_id, email without case) makes it a conflict.
    return (
      this.connection
        .q(
          `INSERT INTO users (user_id, email, name, created_at, last_login, json, password_hash)
         VALUES (@user_id, @email, @name, @created_at, @last_login, @json, @password_hash) ON CONFLICT DO NOTHING`,
        )
        .run({ user_id, email, name, created_at, last_login, password_hash, json: JSON.stringify(rest) }).changes > 0
    );
  }

  async updateUser(user: UserRecord): Promise<'updated' | 'not_found' | 'email_taken'> {
    return this.connection.tx(() => {
      if (!this.connection.q('SELECT 1 FROM users WHERE user_id = ?').get(user.user_id)) return 'not_found';
      // The email column compares without case (COLLATE NOCASE).
      if (this.connection.q('SELECT 1 FROM users WHERE email = ? AND user_id <> ?').get(user.email, user.user_id))
        return 'email_taken';
      this.writeUser(user);
      return 'updated';
    });
  }

  async deleteUser(userId: string, job: { id: string; now: number }): Promise<UserRecord | undefined> {
    return this.connection.tx(() => {
      const row = this.connection.q('SELECT * FROM users WHERE user_id = ?').get(userId) as Row | undefined;
      if (!row) return undefined;
      this.connection.q('DELETE FROM users WHERE user_id = ?').run(userId);
      this.connection.q('DELETE FROM grants WHERE user_id = ?').run(userId);
      this.sessions.endUserSessions(userId, job.now);
      this.journal.insertJob({
        id: job.id,
        target: { kind: 'user', user_id: userId },
        reason: 'user_tokens_revoked',
        requested_at: job.now,
      });
      return toUser(row);
    });
  }

  /** Inserts or replaces the user, inside the caller's transaction if any (also the bulk load's). */
  writeUser(user: UserRecord): void {
    const { user_id, email, name, created_at, last_login, password_hash, ...rest } = user;
    this.connection
      .q(
        `INSERT INTO users (user_id, email, name, created_at, last_login, json, password_hash)
       VALUES (@user_id, @email, @name, @created_at, @last_login, @json, @password_hash)
       ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, name = excluded.name, last_login = excluded.last_login,
         json = excluded.json, password_hash = excluded.password_hash`,
      )
      .run({ user_id, email, name, created_at, last_login, password_hash, json: JSON.stringify(rest) });
  }

  async recordLogin(userId: string, ip: string | null, now: number): Promise<void> {
    this.connection.tx(() => {
      const row = this.connection.q('SELECT * FROM users WHERE user_id = ?').get(userId) as Row | undefined;
      if (!row) return;
      const user = toUser(row);
      user.last_login = now;
      user.last_ip = ip;
      user.logins_count += 1;
      user.updated_at = now;
      const { user_id, email, name, created_at, last_login, password_hash, ...rest } = user;
      this.connection
        .q('UPDATE users SET last_login = ?, json = ? WHERE user_id = ?')
        .run(last_login, JSON.stringify(rest), user_id);
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
    const key = CASE_INSENSITIVE_USER_SORT.has(sort.field) ? `${sort.field} COLLATE NOCASE` : sort.field;
    const orderBy = `${key} ${sort.order === 1 ? 'ASC' : 'DESC'}, user_id ASC`;
    // Columns come from a closed union; the value is bound. `*` is the only wildcard we honour.
    const columns = query.field ? [query.field] : ['email', 'name', 'user_id'];
    const where = query.q ? `WHERE ${columns.map((col) => `${col} LIKE @like ESCAPE '\\'`).join(' OR ')}` : '';
    const like = query.q === undefined ? undefined : userSearchPattern(query.q);
    const rows = this.connection.q(`SELECT * FROM users ${where} ORDER BY ${orderBy} LIMIT @limit OFFSET @offset`).all({
      like,
      limit: query.perPage,
      offset: query.page * query.perPage,
    }) as Row[];
    const total = (this.connection.q(`SELECT count(*) AS n FROM users ${where}`).get({ like }) as Row).n as number;
    return { items: rows.map(toUser), total };
  }

  // Grants (consent)

  async upsertGrant(
    grant: { user_id: string; client_id: string; audience: string; scope: string[] },
    idIfNew: string,
    now: number,
  ) {
    return this.connection.tx(() => {
      const row = this.connection
        .q('SELECT * FROM grants WHERE user_id = ? AND client_id = ? AND audience = ?')
        .get(grant.user_id, grant.client_id, grant.audience) as Row | undefined;
      if (row) {
        const existing = toGrant(row);
        const scope = [...new Set([...existing.scope, ...grant.scope])];
        this.connection
          .q('UPDATE grants SET scope = ?, updated_at = ? WHERE id = ?')
          .run(JSON.stringify(scope), now, existing.id);
        return { ...existing, scope, updated_at: now };
      }
      const created: GrantRecord = { id: idIfNew, ...grant, created_at: now, updated_at: now };
      this.connection
        .q(
          'INSERT INTO grants (id, user_id, client_id, audience, scope, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(created.id, created.user_id, created.client_id, created.audience, JSON.stringify(created.scope), now, now);
      return created;
    });
  }

  async getGrant(id: string): Promise<GrantRecord | undefined> {
    const row = this.connection.q('SELECT * FROM grants WHERE id = ?').get(id) as Row | undefined;
    return row ? toGrant(row) : undefined;
  }

  async findGrant(userId: string, clientId: string, audience: string): Promise<GrantRecord | undefined> {
    const row = this.connection
      .q('SELECT * FROM grants WHERE user_id = ? AND client_id = ? AND audience = ?')
      .get(userId, clientId, audience) as Row | undefined;
    return row ? toGrant(row) : undefined;
  }

  async listGrants(filter: { user_id?: string; client_id?: string; audience?: string }, page: number, perPage: number) {
    const { where, params } = whereOf(filter, ['user_id', 'client_id', 'audience']);
    const rows = this.connection
      .q(`SELECT * FROM grants ${where} ORDER BY created_at, id LIMIT @limit OFFSET @offset`)
      .all({
        ...params,
        limit: perPage,
        offset: page * perPage,
      }) as Row[];
    const total = (this.connection.q(`SELECT count(*) AS n FROM grants ${where}`).get(params) as Row).n as number;
    return { items: rows.map(toGrant), total };
  }

  async deleteGrant(id: string, job: { id: string; now: number }): Promise<GrantRecord | undefined> {
    return this.connection.tx(() => {
      const row = this.connection.q('SELECT * FROM grants WHERE id = ?').get(id) as Row | undefined;
      if (!row) return undefined;
      this.connection.q('DELETE FROM grants WHERE id = ?').run(id);
      this.journal.insertJob({
        id: job.id,
        target: { kind: 'grant', grant_id: id },
        reason: 'grant_deleted',
        requested_at: job.now,
      });
      return toGrant(row);
    });
  }

  /** The bulk load's insert (the SQLite store's bulkImport), inside its transaction: a grant already there stays. */
  importGrant(g: GrantRecord): void {
    this.connection
      .q(
        'INSERT INTO grants (id, user_id, client_id, audience, scope, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      )
      .run(g.id, g.user_id, g.client_id, g.audience, JSON.stringify(g.scope), g.created_at, g.updated_at);
  }
}
