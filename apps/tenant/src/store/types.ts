import type { GrantRecord, NewRefreshToken, UserRecord } from '../domain/model.ts';
import type { AuthorizationCodeStore } from './contract/authorization-codes.ts';
import type { DirectoryStore } from './contract/directory.ts';
import type { DpopProofStore } from './contract/dpop-proofs.ts';
import type { EventLogStore } from './contract/events.ts';
import type { RefreshTokenStore } from './contract/refresh-tokens.ts';
import type { RevocationJournalStore } from './contract/revocation-journal.ts';
import type { RevocationStore } from './contract/revocations.ts';
import type { SessionStore } from './contract/sessions.ts';
import type { TenantSettingsStore } from './contract/tenant-settings.ts';

/**
 * The tenant's storage: one part per aggregate (its interface in contract/), all over one
 * database, so a caller names the aggregate it works on: `store.refreshTokens.rotateRefreshToken(...)`.
 * Methods follow the domain (consume a code, rotate a refresh token, revoke a grant), not tables,
 * so each database can make them atomic in its own way. Every implementation passes the contract
 * suite (contract/*.contract.test.ts).
 *
 * Times are milliseconds since the epoch; the caller passes `now` (from the Clock) so the
 * store never reads the wall clock itself. All methods are atomic.
 */
export interface TenantStore {
  readonly dialect: 'sqlite' | 'postgres';
  readonly settings: TenantSettingsStore;
  readonly directory: DirectoryStore;
  readonly sessions: SessionStore;
  readonly authorizationCodes: AuthorizationCodeStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly revocationJournal: RevocationJournalStore;
  readonly revocations: RevocationStore;
  readonly events: EventLogStore;
  readonly dpopProofs: DpopProofStore;
  close(): Promise<void>;
  /** Bulk load for the large-tenant generator: no entity limit, one transaction per call. */
  bulkImport(input: BulkImport): Promise<void>;
  /**
   * Runs the large-tenant generator's `load` (its bulkImport calls) with the refresh tokens'
   * secondary indexes dropped, then builds them once from the loaded rows: one sort each,
   * instead of a dozen random index pages written by every token inserted. Only while nothing
   * serves the tenant. The indexes are built again however `load` ends, each on its own (a
   * failure to build one is thrown after the others are built, with the load's own error). A
   * process killed during the load leaves them missing: SQLite builds them at the next start,
   * PostgreSQL at the next bulk load (run the generator again).
   */
  bulkLoad<T>(load: () => Promise<T>): Promise<T>;
}

/** What the large-tenant generator loads in one call. */
export interface BulkImport {
  users: UserRecord[];
  grants: GrantRecord[];
  tokens: NewRefreshToken[];
}
