import type { RateLimiter, WhenFull } from '../auth/rate-limit.ts';

/**
 * The tenant's storage contract. Methods follow the domain (consume a code, rotate a
 * refresh token, revoke a grant), not tables, so each database can make them atomic in
 * its own way. Every implementation passes `store.contract.test.ts`.
 *
 * Times are milliseconds since the epoch; the caller passes `now` (from the Clock) so the
 * store never reads the wall clock itself.
 */

export interface TenantFlags {
  /** "Refresh Token Revocation Deletes Grant": /oauth/revoke also deletes the grant. */
  revoke_refresh_token_grant: boolean;
  /** Allows the legacy /delegation endpoint (references 001 and 004). */
  allow_legacy_delegation_grant_types: boolean;
}

export interface TenantSettings {
  friendly_name: string;
  support_email: string | null;
  flags: TenantFlags;
  /** Auth0's tenant-level session lifetimes, in hours. */
  session_lifetime: number;
  idle_session_lifetime: number;
}

export type RotationType = 'rotating' | 'non-rotating';
export type ExpirationType = 'expiring' | 'non-expiring';

/** Auth0's client `refresh_token` object. Lifetimes are in seconds. */
export interface RefreshTokenPolicy {
  rotation_type: RotationType;
  expiration_type: ExpirationType;
  leeway: number;
  token_lifetime: number;
  idle_token_lifetime: number;
  infinite_token_lifetime: boolean;
  infinite_idle_token_lifetime: boolean;
}

export type TokenEndpointAuthMethod = 'none' | 'client_secret_post' | 'client_secret_basic';
export type AppType = 'native' | 'spa' | 'regular_web' | 'non_interactive';

export interface ClientRecord {
  client_id: string;
  name: string;
  description: string;
  app_type: AppType;
  /** SHA-256 of the secret; null for public clients. */
  client_secret_hash: Buffer | null;
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  callbacks: string[];
  allowed_logout_urls: string[];
  /** Origins allowed for web_message responses (Auth0's `web_origins`); kept, not yet used here. */
  web_origins?: string[];
  grant_types: string[];
  refresh_token: RefreshTokenPolicy;
  is_first_party: boolean;
  created_at: number;
  updated_at: number;
}

export interface ResourceServerRecord {
  id: string;
  identifier: string;
  name: string;
  scopes: { value: string; description: string }[];
  token_lifetime: number;
  allow_offline_access: boolean;
  is_system: boolean;
}

/** A client's permission to call an API with client_credentials. */
export interface ClientGrantRecord {
  id: string;
  client_id: string;
  audience: string;
  scope: string[];
}

export interface UserRecord {
  user_id: string;
  email: string;
  email_verified: boolean;
  name: string;
  nickname: string;
  given_name: string | null;
  family_name: string | null;
  picture: string | null;
  password_hash: string | null;
  /** Custom claims, e.g. the dashboard role of a staff account. */
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
  blocked: boolean;
  created_at: number;
  updated_at: number;
  last_login: number | null;
  last_ip: string | null;
  logins_count: number;
}

/** A user's consent for a client to act on an API with some scopes. */
export interface GrantRecord {
  id: string;
  user_id: string;
  client_id: string;
  audience: string;
  scope: string[];
  created_at: number;
  updated_at: number;
}

export interface DeviceInfo {
  initial_ip: string | null;
  initial_asn: string | null;
  initial_user_agent: string | null;
  last_ip: string | null;
  last_asn: string | null;
  last_user_agent: string | null;
}

export interface SessionRecord {
  id: string;
  user_id: string;
  created_at: number;
  updated_at: number;
  authenticated_at: number;
  last_interacted_at: number;
  idle_expires_at: number | null;
  expires_at: number | null;
  device: DeviceInfo;
  /** Clients that received tokens in this session. */
  clients: string[];
  authentication_methods: { name: string; timestamp: number }[];
  revoked_at: number | null;
}

export interface ResourceServerGrant {
  audience: string;
  scopes: string;
}

/**
 * A refresh token as the Management API sees it: one stable id for the life of the token.
 * A rotating token keeps its id across exchanges (its secret changes; `last_exchanged_at`
 * moves), which is how Auth0 lists it, so a device's count does not grow with every refresh.
 */
export interface RefreshTokenRecord {
  id: string;
  user_id: string;
  client_id: string;
  grant_id: string | null;
  session_id: string | null;
  device_name: string | null;
  audience: string;
  scope: string[];
  resource_servers: ResourceServerGrant[];
  rotating: boolean;
  created_at: number;
  /** Absolute expiry, fixed when the family was first issued; null when infinite. */
  expires_at: number | null;
  /** Slides forward on every exchange; null when infinite. */
  idle_expires_at: number | null;
  last_exchanged_at: number | null;
  device: DeviceInfo;
  metadata: Record<string, string>;
  revoked_at: number | null;
  revoked_reason: RevokeReason | null;
  /** Reuse interval in seconds copied from the client when issued. */
  leeway: number;
  /** How long idle expiry slides on each exchange, seconds; null when infinite. */
  idle_lifetime: number | null;
}

export type RevokeReason =
  | 'management_api'
  | 'oauth_revoke'
  | 'grant_deleted'
  | 'session_revoked'
  | 'user_tokens_revoked'
  | 'client_tokens_revoked'
  | 'reuse_detected'
  | 'entity_limit'
  | 'device_unlinked'
  | 'code_reused';

/** The secret value of a refresh token as presented by a client. */
export interface PresentedSecret {
  /** SHA-256 of the presented value. */
  hash: Buffer;
}

/** The state of one family, as the rotation planner sees it under lock. */
export interface RotationState {
  token: RefreshTokenRecord;
  /** Which of the family's secrets was presented. */
  presented: 'current' | 'previous' | 'stale';
  /** Until when the previous secret may still be exchanged (reuse leeway). */
  previous_valid_until: number | null;
  /** A pending bulk revocation (user, grant, session, client) already covers this token. */
  revoked_by_job: boolean;
  /** The token's user, read in the same transaction: a blocked or deleted user's token is refused, not rotated. */
  user: 'active' | 'blocked' | 'missing';
}

/** What the domain decided to do with a presented refresh token; applied atomically. */
export type RotationPlan =
  | { kind: 'reject' }
  | { kind: 'revoke-family'; reason: 'reuse_detected' }
  | {
      kind: 'exchange';
      /** A rotating token gets a new secret; a non-rotating one keeps its own. */
      newSecretHash: Buffer | null;
      /** True when the previous secret was used within leeway: the current secret is replaced. */
      replacesCurrent: boolean;
      previousValidUntil: number | null;
      idleExpiresAt: number | null;
      lastExchangedAt: number;
      lastIp: string | null;
      lastAsn: string | null;
      lastUserAgent: string | null;
    };

export type RotationPlanner = (state: RotationState) => RotationPlan;

export type RotationOutcome =
  | { kind: 'unknown' }
  | { kind: 'rejected'; token: RefreshTokenRecord }
  | { kind: 'reuse-detected'; token: RefreshTokenRecord }
  | { kind: 'exchanged'; token: RefreshTokenRecord };

export interface NewRefreshToken {
  id: string;
  secretHash: Buffer;
  user_id: string;
  client_id: string;
  grant_id: string | null;
  session_id: string | null;
  device_name: string | null;
  audience: string;
  scope: string[];
  resource_servers: ResourceServerGrant[];
  rotating: boolean;
  created_at: number;
  expires_at: number | null;
  idle_expires_at: number | null;
  idle_lifetime: number | null;
  leeway: number;
  device: DeviceInfo;
  metadata?: Record<string, string>;
}

/**
 * A bulk revocation. It takes effect the moment it is journaled: every token it covers is
 * refused from then on, while the rows themselves are marked revoked in the background.
 */
export type RevocationTarget =
  | { kind: 'token'; token_id: string }
  | { kind: 'user'; user_id: string; client_id?: string; audience?: string }
  | { kind: 'grant'; grant_id: string }
  | { kind: 'session'; session_id: string }
  /** Every token of an application, across all users; with `audience`, of that API only. */
  | { kind: 'client'; client_id: string; audience?: string }
  | { kind: 'device'; user_id: string; device_name: string };

export interface RevocationJob {
  id: string;
  target: RevocationTarget;
  reason: RevokeReason;
  requested_at: number;
  /** Filled by the store: tokens issued up to this point of its insertion order are covered. */
  cutoff_seq?: number;
  revoked_count?: number;
  /** The instance working on it, until `claimed_until`. */
  claimed_by?: string | null;
  claimed_until?: number | null;
}

export interface JobClaim {
  owner: string;
  leaseMs: number;
}

export interface AuthorizationCodeRecord {
  client_id: string;
  user_id: string;
  redirect_uri: string;
  scope: string[];
  audience: string;
  nonce: string | null;
  code_challenge: string | null;
  code_challenge_method: string | null;
  session_id: string;
  grant_id: string;
  device_name: string | null;
  auth_time: number;
  expires_at: number;
  /** The refresh token issued when the code was redeemed, so a second redemption can revoke it. */
  refresh_token_id?: string | null;
  /** Set when the code was presented again after its redemption. */
  reused?: boolean;
}

export interface TenantEvent {
  id: string;
  /** Auth0 log event types where one exists (e.g. `ferrt`: failed exchange, reused rotating token). */
  type: string;
  description: string;
  user_id: string | null;
  client_id: string | null;
  refresh_token_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  created_at: number;
}

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
}

export interface RefreshTokenFilter {
  user_id?: string;
  rotating?: boolean;
  client_id?: string;
  audience?: string;
  session_id?: string;
  device_name?: string;
  grant_id?: string;
}

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
  updateRefreshTokenMetadata(id: string, metadata: Record<string, string>): Promise<RefreshTokenRecord | undefined>;
  /** Revokes tokens by id at once. Returns the ids that were live. */
  revokeRefreshTokens(ids: string[], reason: RevokeReason, now: number): Promise<string[]>;

  // Bulk revocation journal
  enqueueRevocation(job: RevocationJob): Promise<void>;
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
