import type { GrantRecord, NewRefreshToken, UserRecord } from '../domain/model.ts';
import type { TenantSettingsStore } from './contract/tenant-settings.ts';
import type { DirectoryStore } from './contract/directory.ts';
import type { SessionStore } from './contract/sessions.ts';
import type { AuthorizationCodeStore } from './contract/authorization-codes.ts';
import type { RefreshTokenStore } from './contract/refresh-tokens.ts';
import type { RevocationJournalStore } from './contract/revocation-journal.ts';
import type { EventLogStore } from './contract/events.ts';
import type { DpopProofStore } from './contract/dpop-proofs.ts';
import type { RevocationStore } from './contract/revocations.ts';

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
  DpopRefusal,
} from '../domain/model.ts';
export type { RevokeReason, RevocationTarget, RevocationJob, JobClaim } from '../domain/revocation.ts';

export type { Page, CheckpointPage } from './contract/paging.ts';
export type { TenantSettingsStore } from './contract/tenant-settings.ts';
export type { DirectoryStore } from './contract/directory.ts';
export type { SessionStore, SessionSearch } from './contract/sessions.ts';
export type { AuthorizationCodeStore } from './contract/authorization-codes.ts';
export type {
  RefreshTokenStore,
  ClientTokenCounts,
  RefreshTokenSummary,
  RefreshTokenFilter,
  RefreshTokenSearch,
  RefreshTokenSearchHit,
} from './contract/refresh-tokens.ts';
export type { RevocationJournalStore } from './contract/revocation-journal.ts';
export type { EventFilter, EventLogStore } from './contract/events.ts';
export type { DpopProofStore } from './contract/dpop-proofs.ts';
export type { RevocationStore } from './contract/revocations.ts';

/**
 * The tenant's storage contract: one interface per aggregate (in contract/), each store
 * implementing all of them over one database. Methods follow the domain (consume a code,
 * rotate a refresh token, revoke a grant), not tables, so each database can make them atomic
 * in its own way. Every implementation passes the contract suite (contract/*.contract.test.ts).
 *
 * Times are milliseconds since the epoch; the caller passes `now` (from the Clock) so the
 * store never reads the wall clock itself. All methods are atomic.
 */
export interface TenantStore
  extends TenantSettingsStore,
    DirectoryStore,
    SessionStore,
    AuthorizationCodeStore,
    RefreshTokenStore,
    RevocationJournalStore,
    RevocationStore,
    EventLogStore,
    DpopProofStore {
  readonly dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;
  /** Bulk load for the large-tenant generator: no entity limit, one transaction per call. */
  bulkImport(input: { users: UserRecord[]; grants: GrantRecord[]; tokens: NewRefreshToken[] }): Promise<void>;
}
