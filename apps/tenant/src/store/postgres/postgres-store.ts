import type { GrantRecord, NewRefreshToken, TenantStore, UserRecord } from '../types.ts';
import { POSTGRES_MIGRATIONS } from './migrations.ts';
import { createPool, runMigrations } from '@rtc/db/postgres';
import { PostgresConnection } from './connection.ts';
import { PostgresTenantSettings } from './tenant-settings.ts';
import { PostgresDirectory } from './directory.ts';
import { PostgresSessions } from './sessions.ts';
import { PostgresAuthorizationCodes } from './authorization-codes.ts';
import { PostgresRefreshTokens } from './refresh-tokens.ts';
import { PostgresRevocationJournal } from './revocation-journal.ts';
import { PostgresRevocations } from './revocations.ts';
import { PostgresEvents } from './events.ts';
import { PostgresDpopProofs } from './dpop-proofs.ts';

/**
 * The tenant on PostgreSQL, for several instances on one database. Rotation locks the
 * token's row (SELECT ... FOR UPDATE), so concurrent exchanges on any instances have one
 * winner; revocation jobs are leased to one instance and batches skip locked rows.
 *
 * One part per aggregate (the files beside this one), all on one pool; this class builds them
 * and answers each method of the contract from its aggregate's part. A part whose writes reach
 * another aggregate (deleting a user ends their sessions and journals their tokens' revocation)
 * is given that part and calls it with its transaction's client: still one transaction.
 */
export class PostgresStore implements TenantStore {
  readonly dialect = 'postgres' as const;
  private readonly tenantSettings: PostgresTenantSettings;
  private readonly directory: PostgresDirectory;
  private readonly sessions: PostgresSessions;
  private readonly authorizationCodes: PostgresAuthorizationCodes;
  private readonly refreshTokens: PostgresRefreshTokens;
  private readonly journal: PostgresRevocationJournal;
  private readonly revocations: PostgresRevocations;
  private readonly events: PostgresEvents;
  private readonly dpopProofs: PostgresDpopProofs;

  private constructor(private readonly connection: PostgresConnection) {
    this.journal = new PostgresRevocationJournal(connection);
    this.sessions = new PostgresSessions(connection, this.journal);
    this.directory = new PostgresDirectory(connection, this.sessions, this.journal);
    this.tenantSettings = new PostgresTenantSettings(connection);
    this.authorizationCodes = new PostgresAuthorizationCodes(connection);
    this.refreshTokens = new PostgresRefreshTokens(connection);
    this.revocations = new PostgresRevocations(connection, this.journal);
    this.events = new PostgresEvents(connection);
    this.dpopProofs = new PostgresDpopProofs(connection);
  }

  static async open(url: string, options: { schema?: string } = {}): Promise<PostgresStore> {
    const pool = createPool(url, options.schema);
    await runMigrations(pool, POSTGRES_MIGRATIONS, {
      ...(options.schema ? { schema: options.schema } : {}),
      table: 'tenant_schema_migrations',
    });
    return new PostgresStore(new PostgresConnection(pool));
  }

  async close(): Promise<void> {
    await this.connection.pool.end();
  }

  /** Users, their grants and their tokens in one transaction. */
  async bulkImport(input: { users: UserRecord[]; grants: GrantRecord[]; tokens: NewRefreshToken[] }): Promise<void> {
    await this.connection.tx(async (db) => {
      for (const user of input.users) await this.directory.putUser(user, db);
      for (const g of input.grants) await this.directory.importGrant(db, g);
      for (const token of input.tokens) await this.refreshTokens.insertToken(db, token);
    });
  }

  // Tenant settings

  getSettings: TenantStore['getSettings'] = (...args) => this.tenantSettings.getSettings(...args);
  updateSettings: TenantStore['updateSettings'] = (...args) => this.tenantSettings.updateSettings(...args);
  getSigningKeys: TenantStore['getSigningKeys'] = (...args) => this.tenantSettings.getSigningKeys(...args);
  addFirstSigningKey: TenantStore['addFirstSigningKey'] = (...args) => this.tenantSettings.addFirstSigningKey(...args);
  exclusive: TenantStore['exclusive'] = (...args) => this.tenantSettings.exclusive(...args);
  createRateLimiter: TenantStore['createRateLimiter'] = (...args) => this.tenantSettings.createRateLimiter(...args);
  getOrCreateSecret: TenantStore['getOrCreateSecret'] = (...args) => this.tenantSettings.getOrCreateSecret(...args);
  isEmpty: TenantStore['isEmpty'] = (...args) => this.tenantSettings.isEmpty(...args);
  markDemo: TenantStore['markDemo'] = (...args) => this.tenantSettings.markDemo(...args);
  isDemo: TenantStore['isDemo'] = (...args) => this.tenantSettings.isDemo(...args);

  // Directory: clients, APIs, client grants, users, grants

  getClient: TenantStore['getClient'] = (...args) => this.directory.getClient(...args);
  listClients: TenantStore['listClients'] = (...args) => this.directory.listClients(...args);
  putClient: TenantStore['putClient'] = (...args) => this.directory.putClient(...args);
  getResourceServer: TenantStore['getResourceServer'] = (...args) => this.directory.getResourceServer(...args);
  listResourceServers: TenantStore['listResourceServers'] = (...args) => this.directory.listResourceServers(...args);
  putResourceServer: TenantStore['putResourceServer'] = (...args) => this.directory.putResourceServer(...args);
  retargetResourceServer: TenantStore['retargetResourceServer'] = (...args) =>
    this.directory.retargetResourceServer(...args);
  getClientGrant: TenantStore['getClientGrant'] = (...args) => this.directory.getClientGrant(...args);
  putClientGrant: TenantStore['putClientGrant'] = (...args) => this.directory.putClientGrant(...args);
  deleteClient: TenantStore['deleteClient'] = (...args) => this.directory.deleteClient(...args);
  getResourceServerById: TenantStore['getResourceServerById'] = (...args) =>
    this.directory.getResourceServerById(...args);
  createResourceServer: TenantStore['createResourceServer'] = (...args) => this.directory.createResourceServer(...args);
  deleteResourceServer: TenantStore['deleteResourceServer'] = (...args) => this.directory.deleteResourceServer(...args);
  getClientGrantById: TenantStore['getClientGrantById'] = (...args) => this.directory.getClientGrantById(...args);
  listClientGrants: TenantStore['listClientGrants'] = (...args) => this.directory.listClientGrants(...args);
  countClientGrants: TenantStore['countClientGrants'] = (...args) => this.directory.countClientGrants(...args);
  createClientGrant: TenantStore['createClientGrant'] = (...args) => this.directory.createClientGrant(...args);
  updateClientGrantScope: TenantStore['updateClientGrantScope'] = (...args) =>
    this.directory.updateClientGrantScope(...args);
  deleteClientGrant: TenantStore['deleteClientGrant'] = (...args) => this.directory.deleteClientGrant(...args);
  getUser: TenantStore['getUser'] = (...args) => this.directory.getUser(...args);
  getUserByEmail: TenantStore['getUserByEmail'] = (...args) => this.directory.getUserByEmail(...args);
  putUser: TenantStore['putUser'] = (...args) => this.directory.putUser(...args);
  createUser: TenantStore['createUser'] = (...args) => this.directory.createUser(...args);
  updateUser: TenantStore['updateUser'] = (...args) => this.directory.updateUser(...args);
  deleteUser: TenantStore['deleteUser'] = (...args) => this.directory.deleteUser(...args);
  recordLogin: TenantStore['recordLogin'] = (...args) => this.directory.recordLogin(...args);
  searchUsers: TenantStore['searchUsers'] = (...args) => this.directory.searchUsers(...args);
  upsertGrant: TenantStore['upsertGrant'] = (...args) => this.directory.upsertGrant(...args);
  getGrant: TenantStore['getGrant'] = (...args) => this.directory.getGrant(...args);
  findGrant: TenantStore['findGrant'] = (...args) => this.directory.findGrant(...args);
  listGrants: TenantStore['listGrants'] = (...args) => this.directory.listGrants(...args);
  deleteGrant: TenantStore['deleteGrant'] = (...args) => this.directory.deleteGrant(...args);

  // Sessions

  createSession: TenantStore['createSession'] = (...args) => this.sessions.createSession(...args);
  getSession: TenantStore['getSession'] = (...args) => this.sessions.getSession(...args);
  getSessionByCookie: TenantStore['getSessionByCookie'] = (...args) => this.sessions.getSessionByCookie(...args);
  touchSession: TenantStore['touchSession'] = (...args) => this.sessions.touchSession(...args);
  listUserSessions: TenantStore['listUserSessions'] = (...args) => this.sessions.listUserSessions(...args);
  revokeSession: TenantStore['revokeSession'] = (...args) => this.sessions.revokeSession(...args);
  revokeUserSessions: TenantStore['revokeUserSessions'] = (...args) => this.sessions.revokeUserSessions(...args);
  searchSessions: TenantStore['searchSessions'] = (...args) => this.sessions.searchSessions(...args);
  countSessionSearch: TenantStore['countSessionSearch'] = (...args) => this.sessions.countSessionSearch(...args);

  // Authorization codes

  saveAuthorizationCode: TenantStore['saveAuthorizationCode'] = (...args) =>
    this.authorizationCodes.saveAuthorizationCode(...args);
  findAuthorizationCode: TenantStore['findAuthorizationCode'] = (...args) =>
    this.authorizationCodes.findAuthorizationCode(...args);
  consumeAuthorizationCode: TenantStore['consumeAuthorizationCode'] = (...args) =>
    this.authorizationCodes.consumeAuthorizationCode(...args);
  attachRefreshTokenToCode: TenantStore['attachRefreshTokenToCode'] = (...args) =>
    this.authorizationCodes.attachRefreshTokenToCode(...args);

  // Refresh tokens

  issueRefreshToken: TenantStore['issueRefreshToken'] = (...args) => this.refreshTokens.issueRefreshToken(...args);
  rotateRefreshToken: TenantStore['rotateRefreshToken'] = (...args) => this.refreshTokens.rotateRefreshToken(...args);
  findRefreshTokenBySecret: TenantStore['findRefreshTokenBySecret'] = (...args) =>
    this.refreshTokens.findRefreshTokenBySecret(...args);
  getRefreshToken: TenantStore['getRefreshToken'] = (...args) => this.refreshTokens.getRefreshToken(...args);
  listRefreshTokens: TenantStore['listRefreshTokens'] = (...args) => this.refreshTokens.listRefreshTokens(...args);
  listRefreshTokenSummaries: TenantStore['listRefreshTokenSummaries'] = (...args) =>
    this.refreshTokens.listRefreshTokenSummaries(...args);
  pageRefreshTokens: TenantStore['pageRefreshTokens'] = (...args) => this.refreshTokens.pageRefreshTokens(...args);
  listRevokedRefreshTokens: TenantStore['listRevokedRefreshTokens'] = (...args) =>
    this.refreshTokens.listRevokedRefreshTokens(...args);
  listEndedSessions: TenantStore['listEndedSessions'] = (...args) => this.sessions.listEndedSessions(...args);
  listRefreshTokensHistory: TenantStore['listRefreshTokensHistory'] = (...args) =>
    this.refreshTokens.listRefreshTokensHistory(...args);
  countLiveRefreshTokens: TenantStore['countLiveRefreshTokens'] = (...args) =>
    this.refreshTokens.countLiveRefreshTokens(...args);
  summarizeRefreshTokensByClient: TenantStore['summarizeRefreshTokensByClient'] = (...args) =>
    this.refreshTokens.summarizeRefreshTokensByClient(...args);
  listRefreshTokenUsersOfClient: TenantStore['listRefreshTokenUsersOfClient'] = (...args) =>
    this.refreshTokens.listRefreshTokenUsersOfClient(...args);
  searchRefreshTokens: TenantStore['searchRefreshTokens'] = (...args) =>
    this.refreshTokens.searchRefreshTokens(...args);
  countAddressCandidates: TenantStore['countAddressCandidates'] = (...args) =>
    this.refreshTokens.countAddressCandidates(...args);
  countRefreshTokenSearch: TenantStore['countRefreshTokenSearch'] = (...args) =>
    this.refreshTokens.countRefreshTokenSearch(...args);
  updateRefreshTokenMetadata: TenantStore['updateRefreshTokenMetadata'] = (...args) =>
    this.refreshTokens.updateRefreshTokenMetadata(...args);
  revokeRefreshTokens: TenantStore['revokeRefreshTokens'] = (...args) =>
    this.refreshTokens.revokeRefreshTokens(...args);

  applyRevocationPlan: TenantStore['applyRevocationPlan'] = (...args) => this.revocations.applyRevocationPlan(...args);

  // Bulk revocation journal

  enqueueRevocations: TenantStore['enqueueRevocations'] = (...args) => this.journal.enqueueRevocations(...args);
  listRevocationJobs: TenantStore['listRevocationJobs'] = (...args) => this.journal.listRevocationJobs(...args);
  processRevocationBatch: TenantStore['processRevocationBatch'] = (...args) =>
    this.journal.processRevocationBatch(...args);

  // Events

  addEvent: TenantStore['addEvent'] = (...args) => this.events.addEvent(...args);
  listEvents: TenantStore['listEvents'] = (...args) => this.events.listEvents(...args);
  countEvents: TenantStore['countEvents'] = (...args) => this.events.countEvents(...args);

  // DPoP proofs seen

  rememberDpopProof: TenantStore['rememberDpopProof'] = (...args) => this.dpopProofs.rememberDpopProof(...args);
  sweepDpopProofs: TenantStore['sweepDpopProofs'] = (...args) => this.dpopProofs.sweepDpopProofs(...args);
}
