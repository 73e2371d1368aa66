import type Database from 'better-sqlite3';
import type { GrantRecord, NewRefreshToken, TenantStore, UserRecord } from '../types.ts';
import { SQLITE_MIGRATIONS } from './migrations.ts';
import { checkpointInBackground, openSqlite } from '@rtc/db/sqlite';
import { addressKey } from '@rtc/ip-intel';
import { SqliteDirectoryCache } from './directory-cache.ts';
import { networkKeyOf, SqliteConnection } from './connection.ts';
import { SqliteTenantSettings } from './tenant-settings.ts';
import { SqliteDirectory } from './directory.ts';
import { SqliteSessions } from './sessions.ts';
import { SqliteAuthorizationCodes } from './authorization-codes.ts';
import { SqliteRefreshTokens } from './refresh-tokens.ts';
import { SqliteRevocationJournal } from './revocation-journal.ts';
import { SqliteRevocations } from './revocations.ts';
import { SqliteEvents } from './events.ts';
import { SqliteDpopProofs } from './dpop-proofs.ts';

/**
 * The tenant on SQLite (better-sqlite3): one part per aggregate of the contract, all on one
 * connection (connection.ts: transactions, locking and durability). Each method of the
 * contract is delegated to its aggregate's part; an operation that writes several aggregates
 * (deleting a user, client or grant, ending a session with its tokens) runs in one
 * transaction of the part that owns it, which calls the other parts inside it.
 */
export class SqliteStore implements TenantStore {
  readonly dialect = 'sqlite' as const;
  private readonly connection: SqliteConnection;
  private readonly settings: SqliteTenantSettings;
  private readonly directory: SqliteDirectory;
  private readonly sessions: SqliteSessions;
  private readonly authorizationCodes: SqliteAuthorizationCodes;
  private readonly refreshTokens: SqliteRefreshTokens;
  private readonly journal: SqliteRevocationJournal;
  private readonly revocations: SqliteRevocations;
  private readonly events: SqliteEvents;
  private readonly dpopProofs: SqliteDpopProofs;

  private readonly stopCheckpointer: (() => Promise<void>) | undefined;

  /** `path` is a file, or `:memory:` for tests. */
  constructor(path: string) {
    // ip_key, ip_network_key: the backfills of migrations 7 and 8, the functions the store writes with.
    const db = openSqlite(path, SQLITE_MIGRATIONS, {
      functions: {
        ip_key: (ip: string | null) => addressKey(ip),
        ip_network_key: (ip: string | null) => networkKeyOf(addressKey(ip)),
      },
    });
    this.connection = new SqliteConnection(db);
    // The log is checkpointed by a thread of its own, not by whichever request's commit fills it.
    if (path !== ':memory:') this.stopCheckpointer = checkpointInBackground(db, path);
    this.journal = new SqliteRevocationJournal(this.connection);
    const directoryCache = new SqliteDirectoryCache(this.connection);
    this.settings = new SqliteTenantSettings(this.connection, path, directoryCache);
    this.sessions = new SqliteSessions(this.connection, this.journal);
    this.directory = new SqliteDirectory(this.connection, this.sessions, this.journal, directoryCache);
    this.authorizationCodes = new SqliteAuthorizationCodes(this.connection);
    this.refreshTokens = new SqliteRefreshTokens(this.connection, this.journal);
    this.revocations = new SqliteRevocations(this.connection, this.journal);
    this.events = new SqliteEvents(this.connection);
    this.dpopProofs = new SqliteDpopProofs(this.connection);
  }

  /** The raw handle, for the large-tenant generator's bulk inserts. */
  get raw(): Database.Database {
    return this.connection.db;
  }

  async close(): Promise<void> {
    await this.stopCheckpointer?.();
    if (this.connection.db.open) this.connection.db.close();
    this.settings.closeCounters();
  }

  /** One transaction, however large: users, grants and tokens through their parts. */
  async bulkImport(input: { users: UserRecord[]; grants: GrantRecord[]; tokens: NewRefreshToken[] }): Promise<void> {
    // Generated data can be generated again: skip the fsync per commit while loading.
    this.connection.db.pragma('synchronous = OFF');
    try {
      this.connection.tx(() => {
        for (const user of input.users) this.directory.writeUser(user);
        for (const grant of input.grants) this.directory.importGrant(grant);
        for (const token of input.tokens) this.refreshTokens.insertToken(token);
      });
    } finally {
      this.connection.q('PRAGMA synchronous = FULL').run();
    }
  }

  // ---------------------------------------------------------------- tenant

  getSettings: TenantStore['getSettings'] = () => this.settings.getSettings();
  updateSettings: TenantStore['updateSettings'] = (patch) => this.settings.updateSettings(patch);
  getSigningKeys: TenantStore['getSigningKeys'] = () => this.settings.getSigningKeys();
  addFirstSigningKey: TenantStore['addFirstSigningKey'] = (key) => this.settings.addFirstSigningKey(key);
  exclusive: TenantStore['exclusive'] = (name, fn) => this.settings.exclusive(name, fn);
  createRateLimiter: TenantStore['createRateLimiter'] = (limit, windowMs) =>
    this.settings.createRateLimiter(limit, windowMs);
  getOrCreateSecret: TenantStore['getOrCreateSecret'] = (name, create) => this.settings.getOrCreateSecret(name, create);
  isEmpty: TenantStore['isEmpty'] = () => this.settings.isEmpty();
  markDemo: TenantStore['markDemo'] = (now) => this.settings.markDemo(now);
  isDemo: TenantStore['isDemo'] = () => this.settings.isDemo();

  // ---------------------------------------------------------------- directory: clients and APIs

  getClient: TenantStore['getClient'] = (clientId) => this.directory.getClient(clientId);
  listClients: TenantStore['listClients'] = (page, perPage) => this.directory.listClients(page, perPage);
  putClient: TenantStore['putClient'] = (client) => this.directory.putClient(client);
  getResourceServer: TenantStore['getResourceServer'] = (identifier) => this.directory.getResourceServer(identifier);
  listResourceServers: TenantStore['listResourceServers'] = () => this.directory.listResourceServers();
  putResourceServer: TenantStore['putResourceServer'] = (rs) => this.directory.putResourceServer(rs);
  retargetResourceServer: TenantStore['retargetResourceServer'] = (oldIdentifier, newIdentifier) =>
    this.directory.retargetResourceServer(oldIdentifier, newIdentifier);
  getClientGrant: TenantStore['getClientGrant'] = (clientId, audience) =>
    this.directory.getClientGrant(clientId, audience);
  putClientGrant: TenantStore['putClientGrant'] = (grant) => this.directory.putClientGrant(grant);
  deleteClient: TenantStore['deleteClient'] = (clientId, job) => this.directory.deleteClient(clientId, job);
  getResourceServerById: TenantStore['getResourceServerById'] = (id) => this.directory.getResourceServerById(id);
  createResourceServer: TenantStore['createResourceServer'] = (rs) => this.directory.createResourceServer(rs);
  deleteResourceServer: TenantStore['deleteResourceServer'] = (id) => this.directory.deleteResourceServer(id);
  getClientGrantById: TenantStore['getClientGrantById'] = (id) => this.directory.getClientGrantById(id);
  listClientGrants: TenantStore['listClientGrants'] = (filter, from, take) =>
    this.directory.listClientGrants(filter, from, take);
  countClientGrants: TenantStore['countClientGrants'] = (filter) => this.directory.countClientGrants(filter);
  createClientGrant: TenantStore['createClientGrant'] = (grant) => this.directory.createClientGrant(grant);
  updateClientGrantScope: TenantStore['updateClientGrantScope'] = (id, scope) =>
    this.directory.updateClientGrantScope(id, scope);
  deleteClientGrant: TenantStore['deleteClientGrant'] = (id) => this.directory.deleteClientGrant(id);

  // ---------------------------------------------------------------- directory: users

  getUser: TenantStore['getUser'] = (userId) => this.directory.getUser(userId);
  getUserByEmail: TenantStore['getUserByEmail'] = (email) => this.directory.getUserByEmail(email);
  putUser: TenantStore['putUser'] = (user) => this.directory.putUser(user);
  createUser: TenantStore['createUser'] = (user) => this.directory.createUser(user);
  updateUser: TenantStore['updateUser'] = (user) => this.directory.updateUser(user);
  deleteUser: TenantStore['deleteUser'] = (userId, job) => this.directory.deleteUser(userId, job);
  recordLogin: TenantStore['recordLogin'] = (userId, ip, now) => this.directory.recordLogin(userId, ip, now);
  searchUsers: TenantStore['searchUsers'] = (query) => this.directory.searchUsers(query);

  // ---------------------------------------------------------------- directory: grants (consent)

  upsertGrant: TenantStore['upsertGrant'] = (grant, idIfNew, now) => this.directory.upsertGrant(grant, idIfNew, now);
  getGrant: TenantStore['getGrant'] = (id) => this.directory.getGrant(id);
  findGrant: TenantStore['findGrant'] = (userId, clientId, audience) =>
    this.directory.findGrant(userId, clientId, audience);
  listGrants: TenantStore['listGrants'] = (filter, page, perPage) => this.directory.listGrants(filter, page, perPage);
  deleteGrant: TenantStore['deleteGrant'] = (id, job) => this.directory.deleteGrant(id, job);

  // ---------------------------------------------------------------- sessions

  createSession: TenantStore['createSession'] = (session, cookieHash) =>
    this.sessions.createSession(session, cookieHash);
  getSession: TenantStore['getSession'] = (id) => this.sessions.getSession(id);
  getSessionByCookie: TenantStore['getSessionByCookie'] = (cookieHash) => this.sessions.getSessionByCookie(cookieHash);
  touchSession: TenantStore['touchSession'] = (id, patch) => this.sessions.touchSession(id, patch);
  listUserSessions: TenantStore['listUserSessions'] = (userId, now, from, take) =>
    this.sessions.listUserSessions(userId, now, from, take);
  revokeSession: TenantStore['revokeSession'] = (id, now, revokeTokens) =>
    this.sessions.revokeSession(id, now, revokeTokens);
  revokeUserSessions: TenantStore['revokeUserSessions'] = (userId, now) =>
    this.sessions.revokeUserSessions(userId, now);
  searchSessions: TenantStore['searchSessions'] = (filter, now, from, take) =>
    this.sessions.searchSessions(filter, now, from, take);
  countSessionSearch: TenantStore['countSessionSearch'] = (filter, now, limit) =>
    this.sessions.countSessionSearch(filter, now, limit);

  // ---------------------------------------------------------------- authorization codes

  saveAuthorizationCode: TenantStore['saveAuthorizationCode'] = (codeHash, code) =>
    this.authorizationCodes.saveAuthorizationCode(codeHash, code);
  findAuthorizationCode: TenantStore['findAuthorizationCode'] = (codeHash) =>
    this.authorizationCodes.findAuthorizationCode(codeHash);
  consumeAuthorizationCode: TenantStore['consumeAuthorizationCode'] = (codeHash, now) =>
    this.authorizationCodes.consumeAuthorizationCode(codeHash, now);
  attachRefreshTokenToCode: TenantStore['attachRefreshTokenToCode'] = (codeHash, refreshTokenId) =>
    this.authorizationCodes.attachRefreshTokenToCode(codeHash, refreshTokenId);

  // ---------------------------------------------------------------- refresh tokens

  issueRefreshToken: TenantStore['issueRefreshToken'] = (token, activeLimit) =>
    this.refreshTokens.issueRefreshToken(token, activeLimit);
  rotateRefreshToken: TenantStore['rotateRefreshToken'] = (secretHash, now, planner) =>
    this.refreshTokens.rotateRefreshToken(secretHash, now, planner);
  findRefreshTokenBySecret: TenantStore['findRefreshTokenBySecret'] = (secretHash, now) =>
    this.refreshTokens.findRefreshTokenBySecret(secretHash, now);
  getRefreshToken: TenantStore['getRefreshToken'] = (id) => this.refreshTokens.getRefreshToken(id);
  listRefreshTokens: TenantStore['listRefreshTokens'] = (filter, now, from, take) =>
    this.refreshTokens.listRefreshTokens(filter, now, from, take);
  listRefreshTokenSummaries: TenantStore['listRefreshTokenSummaries'] = (filter, now, from, take, options) =>
    this.refreshTokens.listRefreshTokenSummaries(filter, now, from, take, options);
  pageRefreshTokens: TenantStore['pageRefreshTokens'] = (filter, now, page, perPage) =>
    this.refreshTokens.pageRefreshTokens(filter, now, page, perPage);
  listRevokedRefreshTokens: TenantStore['listRevokedRefreshTokens'] = (...args) =>
    this.refreshTokens.listRevokedRefreshTokens(...args);
  listEndedSessions: TenantStore['listEndedSessions'] = (...args) => this.sessions.listEndedSessions(...args);
  listRefreshTokensHistory: TenantStore['listRefreshTokensHistory'] = (filter, page, perPage) =>
    this.refreshTokens.listRefreshTokensHistory(filter, page, perPage);
  countLiveRefreshTokens: TenantStore['countLiveRefreshTokens'] = (filter, now) =>
    this.refreshTokens.countLiveRefreshTokens(filter, now);
  summarizeRefreshTokensByClient: TenantStore['summarizeRefreshTokensByClient'] = (now, clientId) =>
    this.refreshTokens.summarizeRefreshTokensByClient(now, clientId);
  listRefreshTokenUsersOfClient: TenantStore['listRefreshTokenUsersOfClient'] = (clientId, now, limit) =>
    this.refreshTokens.listRefreshTokenUsersOfClient(clientId, now, limit);
  searchRefreshTokens: TenantStore['searchRefreshTokens'] = (filter, now, from, take) =>
    this.refreshTokens.searchRefreshTokens(filter, now, from, take);
  countAddressCandidates: TenantStore['countAddressCandidates'] = (range, limit) =>
    this.refreshTokens.countAddressCandidates(range, limit);
  countRefreshTokenSearch: TenantStore['countRefreshTokenSearch'] = (filter, now, limit) =>
    this.refreshTokens.countRefreshTokenSearch(filter, now, limit);
  updateRefreshTokenMetadata: TenantStore['updateRefreshTokenMetadata'] = (id, metadata) =>
    this.refreshTokens.updateRefreshTokenMetadata(id, metadata);
  revokeRefreshTokens: TenantStore['revokeRefreshTokens'] = (ids, reason, now) =>
    this.refreshTokens.revokeRefreshTokens(ids, reason, now);

  applyRevocationPlan: TenantStore['applyRevocationPlan'] = (...args) => this.revocations.applyRevocationPlan(...args);

  // ---------------------------------------------------------------- bulk revocation journal

  enqueueRevocations: TenantStore['enqueueRevocations'] = (jobs) => this.journal.enqueueRevocations(jobs);
  listRevocationJobs: TenantStore['listRevocationJobs'] = () => this.journal.listRevocationJobs();
  processRevocationBatch: TenantStore['processRevocationBatch'] = (jobId, limit, now, claim) =>
    this.journal.processRevocationBatch(jobId, limit, now, claim);

  // ---------------------------------------------------------------- events

  addEvent: TenantStore['addEvent'] = (event) => this.events.addEvent(event);
  listEvents: TenantStore['listEvents'] = (filter, limit, order) => this.events.listEvents(filter, limit, order);
  countEvents: TenantStore['countEvents'] = (filter) => this.events.countEvents(filter);

  // ---------------------------------------------------------------- DPoP proofs seen

  rememberDpopProof: TenantStore['rememberDpopProof'] = (jtiHash, expiresAt, now) =>
    this.dpopProofs.rememberDpopProof(jtiHash, expiresAt, now);
  sweepDpopProofs: TenantStore['sweepDpopProofs'] = (now, limit) => this.dpopProofs.sweepDpopProofs(now, limit);
}
