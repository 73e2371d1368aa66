import type {
  ClientGrantRecord,
  ClientRecord,
  GrantRecord,
  ResourceServerRecord,
  UserRecord,
} from '../../domain/model.ts';
import type { CheckpointPage, Page } from './paging.ts';

/**
 * Who and what the tenant knows: applications, APIs and their client grants, users, and users'
 * consent (grants). Deleting a client, user or grant also journals the revocation of the
 * refresh tokens it holds, in the same transaction.
 */
export interface DirectoryStore {
  // Clients and APIs
  getClient(clientId: string): Promise<ClientRecord | undefined>;
  listClients(page: number, perPage: number): Promise<Page<ClientRecord>>;
  putClient(client: ClientRecord): Promise<void>;
  getResourceServer(identifier: string): Promise<ResourceServerRecord | undefined>;
  listResourceServers(): Promise<ResourceServerRecord[]>;
  putResourceServer(rs: ResourceServerRecord): Promise<void>;
  /** Changes an API's identifier, and the client grants that name it. */
  retargetResourceServer(oldIdentifier: string, newIdentifier: string): Promise<void>;
  getClientGrant(clientId: string, audience: string): Promise<ClientGrantRecord | undefined>;
  putClientGrant(grant: ClientGrantRecord): Promise<void>;
  /**
   * Deletes the client with its client grants and its users' grants (consent), and journals
   * the revocation of every refresh token it holds: refused from this commit on.
   */
  deleteClient(clientId: string, job: { id: string; now: number }): Promise<ClientRecord | undefined>;
  getResourceServerById(id: string): Promise<ResourceServerRecord | undefined>;
  /** Adds an API; false (nothing written) when its id or identifier is taken. */
  createResourceServer(rs: ResourceServerRecord): Promise<boolean>;
  /** Deletes the API and the client grants that name it. */
  deleteResourceServer(id: string): Promise<ResourceServerRecord | undefined>;
  getClientGrantById(id: string): Promise<ClientGrantRecord | undefined>;
  /** Ordered by id, checkpoint-paged. */
  listClientGrants(
    filter: { client_id?: string; audience?: string },
    from: string | undefined,
    take: number,
  ): Promise<CheckpointPage<ClientGrantRecord>>;
  countClientGrants(filter: { client_id?: string; audience?: string }): Promise<number>;
  /** Adds a client grant; false (nothing written) when its id, or its client and audience, are taken. */
  createClientGrant(grant: ClientGrantRecord): Promise<boolean>;
  updateClientGrantScope(id: string, scope: string[]): Promise<ClientGrantRecord | undefined>;
  deleteClientGrant(id: string): Promise<ClientGrantRecord | undefined>;

  // Users
  getUser(userId: string): Promise<UserRecord | undefined>;
  getUserByEmail(email: string): Promise<UserRecord | undefined>;
  putUser(user: UserRecord): Promise<void>;
  /** Adds a user; false (nothing written) when the id or the email (any case) is taken. */
  createUser(user: UserRecord): Promise<boolean>;
  /** Replaces an existing user; `email_taken` when another user has its email (any case). */
  updateUser(user: UserRecord): Promise<'updated' | 'not_found' | 'email_taken'>;
  /**
   * Deletes the user with their grants, ends their sessions, and journals the revocation of
   * every refresh token they hold: refused from this commit on.
   */
  deleteUser(userId: string, job: { id: string; now: number }): Promise<UserRecord | undefined>;
  recordLogin(userId: string, ip: string | null, now: number): Promise<void>;
  searchUsers(query: {
    q?: string;
    /** Restrict `q` to one field (Lucene `email:...`); `*` in `q` is a wildcard. */
    field?: 'email' | 'name' | 'user_id';
    page: number;
    perPage: number;
    sort?: { field: 'email' | 'name' | 'created_at' | 'last_login' | 'user_id'; order: 1 | -1 };
  }): Promise<Page<UserRecord>>;

  // Grants (consent)
  upsertGrant(
    grant: { user_id: string; client_id: string; audience: string; scope: string[] },
    idIfNew: string,
    now: number,
  ): Promise<GrantRecord>;
  getGrant(id: string): Promise<GrantRecord | undefined>;
  findGrant(userId: string, clientId: string, audience: string): Promise<GrantRecord | undefined>;
  listGrants(
    filter: { user_id?: string; client_id?: string; audience?: string },
    page: number,
    perPage: number,
  ): Promise<Page<GrantRecord>>;
  /** Deletes the grant and journals the revocation of every refresh token issued under it. */
  deleteGrant(id: string, job: { id: string; now: number }): Promise<GrantRecord | undefined>;
}
