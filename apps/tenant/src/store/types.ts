import type { RateLimiter, WhenFull } from '../domain/rate-limiter.ts';
import type {
  TenantSettings,
  ClientRecord,
  ResourceServerRecord,
  ClientGrantRecord,
  UserRecord,
  GrantRecord,
  SessionRecord,
  RefreshTokenRecord,
  RotationPlanner,
  RotationOutcome,
  NewRefreshToken,
  AuthorizationCodeRecord,
  TenantEvent,
} from '../domain/model.ts';
import type { RevokeReason, RevocationJob, JobClaim } from '../domain/revocation.ts';

// The domain's records, re-exported for the store's callers; they are defined in domain/.
export type {
  TenantFlags,
  TenantSettings,
  RotationType,
  ExpirationType,
  RefreshTokenPolicy,
  TokenEndpointAuthMethod,
  AppType,
  ClientRecord,
  ResourceServerRecord,
  ClientGrantRecord,
  UserRecord,
  GrantRecord,
  DeviceInfo,
  SessionRecord,
  ResourceServerGrant,
  RefreshTokenRecord,
  PresentedSecret,
  RotationState,
  RotationPlan,
  RotationPlanner,
  RotationOutcome,
  NewRefreshToken,
  AuthorizationCodeRecord,
  TenantEvent,
} from '../domain/model.ts';
export type { RevokeReason, RevocationTarget, RevocationJob, JobClaim } from '../domain/revocation.ts';

/**
 * The tenant's storage contract. Methods follow the domain (consume a code, rotate a
 * refresh token, revoke a grant), not tables, so each database can make them atomic in
 * its own way. Every implementation passes `store.contract.test.ts`.
 *
 * Times are milliseconds since the epoch; the caller passes `now` (from the Clock) so the
 * store never reads the wall clock itself.
 */

export interface Page<T> {
  items: T[];
  total: number;
}

export interface CheckpointPage<T> {
  items: T[];
  /** Opaque id to pass as `from` for the next page; undefined at the end. */
  next?: string;
}

/** Live refresh tokens of one application (see TenantStore.summarizeRefreshTokensByClient). */
export interface ClientTokenCounts {
  client_id: string;
  tokens: number;
  users: number;
  devices: number;
  /** The insertion order of the newest of these tokens: a revocation given it covers no later one. */
  issued_through: number;
}

/**
 * What the Management API shows of a refresh token, and all a listing reads of each row: no
 * secret hashes, scope, audience or revocation columns (issue 17: a page of 50 at 1M tokens).
 */
export type RefreshTokenSummary = Pick<
  RefreshTokenRecord,
  'id' | 'user_id' | 'client_id' | 'session_id' | 'rotating' | 'resource_servers' | 'metadata' | 'created_at' | 'expires_at' | 'idle_expires_at' | 'last_exchanged_at' | 'device'
>;

export interface RefreshTokenFilter {
  user_id?: string;
  rotating?: boolean;
  client_id?: string;
  audience?: string;
  session_id?: string;
  device_name?: string;
  grant_id?: string;
}

/**
 * Search across users (issue 20, the tenant's extension GET /api/v2/refresh-tokens/search):
 * every given condition must hold. Strings come validated and normalised by the route.
 */
export interface RefreshTokenSearch {
  /** Inclusive range of address keys (`addressKey` of @rtc/ip-intel): the initial OR the last address in it. */
  ip?: { from: Buffer; to: Buffer };
  /** "AS64500": the initial OR the last ASN. */
  asn?: string;
  /** Substring, ASCII case-insensitive, of the initial OR the last user agent. */
  user_agent?: string;
  /** Substring, ASCII case-insensitive, of the device name. */
  device_name?: string;
  client_id?: string;
  /** Last used (last exchange, or creation if never exchanged) at or after, in ms. */
  last_used_from?: number;
  /** Last used strictly before, in ms. */
  last_used_to?: number;
}

/** Search across users of SSO sessions (GET /api/v2/sessions/search); last used = last interaction. */
export type SessionSearch = Pick<RefreshTokenSearch, 'ip' | 'asn' | 'user_agent' | 'last_used_from' | 'last_used_to'>;

/** What a search answers of each token: what the API shows, and the device name. */
export type RefreshTokenSearchHit = RefreshTokenSummary & Pick<RefreshTokenRecord, 'device_name'>;

/** Persistence of the tenant. All methods are atomic. */
export interface TenantStore {
  readonly dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;

  // Tenant and keys
  getSettings(): Promise<TenantSettings>;
  updateSettings(patch: (current: TenantSettings) => TenantSettings): Promise<TenantSettings>;
  getSigningKeys(): Promise<{ kid: string; privateJwk: string; publicJwk: string }[]>;
  /** Stores the key only if the tenant has none yet: several instances starting at once agree on one. */
  addFirstSigningKey(key: { kid: string; privateJwk: string; publicJwk: string; created_at: number }): Promise<void>;
  /** Runs `fn` while holding a lock named `name` across every instance on this database. */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** A fixed-window rate limiter whose counts every instance on this database shares. */
  /** Counters shared by every instance on this store; `whenFull` for stores that bound them in memory. */
  createRateLimiter(limit: number, windowMs: number, options?: { whenFull?: WhenFull }): RateLimiter;
  /** A random secret of the tenant's own (cookie signing), created once. */
  getOrCreateSecret(name: string, create: () => string): Promise<string>;
  isEmpty(): Promise<boolean>;

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
  listClientGrants(filter: { client_id?: string; audience?: string }, from: string | undefined, take: number): Promise<CheckpointPage<ClientGrantRecord>>;
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
  upsertGrant(grant: { user_id: string; client_id: string; audience: string; scope: string[] }, idIfNew: string, now: number): Promise<GrantRecord>;
  getGrant(id: string): Promise<GrantRecord | undefined>;
  findGrant(userId: string, clientId: string, audience: string): Promise<GrantRecord | undefined>;
  listGrants(filter: { user_id?: string; client_id?: string; audience?: string }, page: number, perPage: number): Promise<Page<GrantRecord>>;
  /** Deletes the grant and journals the revocation of every refresh token issued under it. */
  deleteGrant(id: string, job: { id: string; now: number }): Promise<GrantRecord | undefined>;

  // Sessions
  createSession(session: SessionRecord, cookieHash: Buffer): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  getSessionByCookie(cookieHash: Buffer): Promise<SessionRecord | undefined>;
  touchSession(id: string, patch: { now: number; idle_expires_at: number | null; clientId?: string; ip?: string | null; asn?: string | null; userAgent?: string | null }): Promise<void>;
  listUserSessions(userId: string, now: number, from: string | undefined, take: number): Promise<CheckpointPage<SessionRecord>>;
  /** Ends the session; with `revokeTokens`, also journals revocation of its refresh tokens. */
  revokeSession(id: string, now: number, revokeTokens: { jobId: string } | null): Promise<SessionRecord | undefined>;
  revokeUserSessions(userId: string, now: number): Promise<number>;
  /**
   * Live sessions (not ended, not expired) matching every condition of `filter`, ordered by id,
   * checkpoint-paged (the tenant's search extension, issue 20).
   */
  searchSessions(filter: SessionSearch, now: number, from: string | undefined, take: number): Promise<CheckpointPage<SessionRecord>>;
  /** How many live sessions `searchSessions` finds, counting no further than `limit` (then `limited`, and the counts of those: at least). */
  countSessionSearch(filter: SessionSearch, now: number, limit: number): Promise<{ sessions: number; users: number; limited: boolean }>;

  // Authorization codes
  saveAuthorizationCode(codeHash: Buffer, code: AuthorizationCodeRecord): Promise<void>;
  /** Returns the code once; a second call for the same code returns `reused` and marks the code so. */
  consumeAuthorizationCode(codeHash: Buffer, now: number): Promise<{ code: AuthorizationCodeRecord; reused: boolean } | undefined>;
  /** Records the refresh token a code's redemption issued; says whether the code was presented again meanwhile. */
  attachRefreshTokenToCode(codeHash: Buffer, refreshTokenId: string): Promise<{ reusedMeanwhile: boolean }>;

  // Refresh tokens
  /** Issues a token; revokes the oldest of (user, client) beyond `activeLimit`. */
  issueRefreshToken(token: NewRefreshToken, activeLimit: number): Promise<{ revokedForLimit: string[] }>;
  /**
   * Looks the presented secret up and, under a lock on its family, asks `planner` what to
   * do, then applies the plan in the same transaction. Exactly one of several concurrent
   * exchanges of one secret can see it as `current`.
   */
  rotateRefreshToken(secretHash: Buffer, now: number, planner: RotationPlanner): Promise<RotationOutcome>;
  /** Finds the token a secret belongs to, and whether it is usable now (no state change). */
  findRefreshTokenBySecret(secretHash: Buffer, now: number): Promise<{ token: RefreshTokenRecord; usable: boolean } | undefined>;
  getRefreshToken(id: string): Promise<RefreshTokenRecord | undefined>;
  /** Live tokens only (not revoked, not expired), ordered by id, checkpoint-paged. */
  listRefreshTokens(filter: RefreshTokenFilter, now: number, from: string | undefined, take: number): Promise<CheckpointPage<RefreshTokenRecord>>;
  /**
   * The Management API's listing of one user's live tokens (of one application when given):
   * `listRefreshTokens` reading only the columns the API shows. With `userMustExist`, the page
   * is empty unless the user exists, read by the same statement, so a caller that must answer
   * 404 for an unknown user looks the user up only when the page is empty (a deleted user's
   * tokens stay live until the background revocation marks them).
   */
  listRefreshTokenSummaries(
    filter: { user_id: string; client_id?: string },
    now: number,
    from: string | undefined,
    take: number,
    options?: { userMustExist?: boolean },
  ): Promise<CheckpointPage<RefreshTokenSummary>>;
  /** Live tokens, ordered by id, offset-paged with a total (the device-credentials listing). */
  pageRefreshTokens(filter: RefreshTokenFilter, now: number, page: number, perPage: number): Promise<Page<RefreshTokenRecord>>;
  /** Includes revoked tokens, newest first; for the dashboard's history. */
  listRefreshTokensHistory(filter: RefreshTokenFilter, page: number, perPage: number): Promise<Page<RefreshTokenRecord>>;
  countLiveRefreshTokens(filter: RefreshTokenFilter, now: number): Promise<number>;
  /**
   * Live tokens per application: how many, of how many users, on how many devices (a user's
   * device name; a user's unnamed tokens count as one device). Every application with live
   * tokens, or only `client_id`. For the console's Applications area (issue 20).
   */
  summarizeRefreshTokensByClient(now: number, clientId?: string): Promise<ClientTokenCounts[]>;
  /** The users with live tokens of one application, most tokens first (then by user id), at most `limit`. */
  listRefreshTokenUsersOfClient(clientId: string, now: number, limit: number): Promise<{ user_id: string; tokens: number }[]>;
  /**
   * Live tokens matching every condition of `filter`, ordered by id, checkpoint-paged. Like
   * every listing, it leaves out tokens a journaled bulk revocation covers, marked or not.
   */
  searchRefreshTokens(filter: RefreshTokenSearch, now: number, from: string | undefined, take: number): Promise<CheckpointPage<RefreshTokenSearchHit>>;
  /** Live tokens whose initial or last address lies in `range`, counted from the address indexes alone, no further than `limit` + 1. */
  countAddressCandidates(range: { from: Buffer; to: Buffer }, limit: number): Promise<number>;
  /** How many live tokens `searchRefreshTokens` finds, of how many users, on how many devices (as the summary counts them), counting no further than `limit` (then `limited`, and the counts of those: at least). */
  countRefreshTokenSearch(filter: RefreshTokenSearch, now: number, limit: number): Promise<{ tokens: number; users: number; devices: number; limited: boolean }>;
  updateRefreshTokenMetadata(id: string, metadata: Record<string, string>): Promise<RefreshTokenRecord | undefined>;
  /** Revokes tokens by id at once. Returns the ids that were live. */
  revokeRefreshTokens(ids: string[], reason: RevokeReason, now: number): Promise<string[]>;

  // Bulk revocation journal
  /** Journals the jobs in one transaction: every one is in force when this resolves. */
  enqueueRevocations(jobs: RevocationJob[]): Promise<void>;
  listRevocationJobs(): Promise<RevocationJob[]>;
  /**
   * Marks up to `limit` covered rows revoked; deletes the job when none remain. The job is
   * leased to `claim.owner`: another instance skips it until the lease lapses (its owner died).
   */
  processRevocationBatch(jobId: string, limit: number, now: number, claim: JobClaim): Promise<{ revoked: number; done: boolean; claimed: boolean }>;

  /** Bulk load for the large-tenant generator: no entity limit, one transaction per call. */
  bulkImport(input: { users: UserRecord[]; grants: GrantRecord[]; tokens: NewRefreshToken[] }): Promise<void>;

  // Events
  addEvent(event: TenantEvent): Promise<void>;
  listEvents(filter: { user_id?: string; type?: string; refresh_token_id?: string }, limit: number): Promise<TenantEvent[]>;
}
