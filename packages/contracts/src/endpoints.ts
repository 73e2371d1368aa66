import type { z } from 'zod';
import type {
  ApplicationImpact,
  ApplicationList,
  ApplicationRevokeResult,
  LeakedSecretBody,
  LeakedSecretImpact,
  LeakedSecretResult,
  RevokeApplicationTokensBody,
} from './applications.ts';
import type { AuditPage, AuditQuery } from './audit-log.ts';
import type { ContainBody, ContainFilter, ContainImpact, ContainResult } from './contain.ts';
import { type Download, del, type FilterFields, get, patch, post, type QueryParams } from './endpoint.ts';
import type { RevokedHistory, UserHistory } from './history.ts';
import type { ActionResult, Impact, ImpactRequest } from './impact.ts';
import type { LocationList } from './locations.ts';
import type {
  SessionSearchFilter,
  SessionSearchQuery,
  SessionSearchResult,
  TokenSearchFilter,
  TokenSearchQuery,
  TokenSearchResult,
} from './search.ts';
import type {
  RevokeSearchSessionsBody,
  RevokeSearchTokensBody,
  SearchApplications,
  SearchRevokeResult,
  SearchSessionsRevokeResult,
  SessionSearchImpact,
  TokenSearchImpact,
} from './search-revoke.ts';
import type { Me, SignOutResult } from './session.ts';
import type { TenantSettings, UpdateTenantSettings } from './settings.ts';
import type { SignOutEverywhereBody, SignOutEverywhereResult, SignOutImpact } from './sign-out-everywhere.ts';
import type {
  AuthorizedAppList,
  ConfirmedActionBody,
  DeviceList,
  DeviceLostBody,
  RefreshTokenList,
  RefreshTokenPage,
  RefreshTokenPageQuery,
  RevokeAllTokensBody,
  SecurityEventList,
  SessionList,
  UnlinkDeviceBody,
} from './user-access.ts';
import type { HistoryQuery, UserDetail, UserSearchQuery, UserSearchResult } from './users.ts';

/** A body as the dashboard sends it: the schema's input, with a search filter's values as typed. */
type Sent<S extends z.ZodType> = z.input<S>;
type WithFilter<S extends z.ZodType, F extends z.ZodType> = Omit<z.input<S>, 'filter'> & { filter: FilterFields<F> };

/**
 * Every route of the BFF's JSON API (and the audit log's CSV), as the BFF mounts it and the
 * dashboard calls it. `/auth/login` and `/auth/callback` are pages the browser navigates to,
 * not calls: they are not here.
 */
export const endpoints = {
  // The staff member's own session.
  me: get('/api/me').answers<Me>(),
  signOut: post('/auth/logout').answers<SignOutResult>(),

  // Users, and everything about one user's access.
  searchUsers: get('/api/users').query<QueryParams<typeof UserSearchQuery>>().answers<UserSearchResult>(),
  user: get('/api/users/:userId').answers<UserDetail>(),
  devices: get('/api/users/:userId/devices').answers<DeviceList>(),
  unlinkDevice: post('/api/users/:userId/devices/unlink')
    .takes<Sent<typeof UnlinkDeviceBody>>()
    .answers<ActionResult>(),
  deviceLost: post('/api/users/:userId/devices/lost').takes<Sent<typeof DeviceLostBody>>().answers<ActionResult>(),
  authorizedApps: get('/api/users/:userId/authorized-apps').answers<AuthorizedAppList>(),
  revokeGrant: del('/api/users/:userId/authorized-apps/:grantId')
    .takes<Sent<typeof ConfirmedActionBody>>()
    .answers<ActionResult>(),
  refreshTokens: get('/api/users/:userId/refresh-tokens').answers<RefreshTokenList>(),
  refreshTokenPage: get('/api/users/:userId/refresh-tokens/page')
    .query<QueryParams<typeof RefreshTokenPageQuery>>()
    .answers<RefreshTokenPage>(),
  revokeRefreshToken: del('/api/users/:userId/refresh-tokens/:tokenId')
    .takes<Sent<typeof ConfirmedActionBody>>()
    .answers<ActionResult>(),
  revokeAllRefreshTokens: post('/api/users/:userId/refresh-tokens/revoke-all')
    .takes<Sent<typeof RevokeAllTokensBody>>()
    .answers<ActionResult>(),
  sessions: get('/api/users/:userId/sessions').answers<SessionList>(),
  revokeSession: del('/api/users/:userId/sessions/:sessionId')
    .takes<Sent<typeof ConfirmedActionBody>>()
    .answers<ActionResult>(),
  locations: get('/api/users/:userId/locations').answers<LocationList>(),
  securityEvents: get('/api/users/:userId/security-events').answers<SecurityEventList>(),
  signOutImpact: post('/api/users/:userId/sign-out-everywhere/impact').answers<SignOutImpact>(),
  signOutEverywhere: post('/api/users/:userId/sign-out-everywhere')
    .takes<Sent<typeof SignOutEverywhereBody>>()
    .answers<SignOutEverywhereResult>(),
  userImpact: post('/api/users/:userId/impact').takes<Sent<typeof ImpactRequest>>().answers<Impact>(),
  userHistory: get('/api/users/:userId/history').query<QueryParams<typeof HistoryQuery>>().answers<UserHistory>(),
  userRevoked: get('/api/users/:userId/revoked').answers<RevokedHistory>(),

  // Tenant settings.
  settings: get('/api/settings').answers<TenantSettings>(),
  updateSettings: patch('/api/settings').takes<Sent<typeof UpdateTenantSettings>>().answers<TenantSettings>(),

  // The audit log.
  audit: get('/api/audit').query<QueryParams<typeof AuditQuery>>().answers<AuditPage>(),
  auditExport: get('/api/audit/export.csv').query<QueryParams<typeof AuditQuery>>().answers<Download>(),

  // Applications.
  applications: get('/api/applications').answers<ApplicationList>(),
  applicationImpact: post('/api/applications/:clientId/impact').answers<ApplicationImpact>(),
  revokeApplicationTokens: post('/api/applications/:clientId/revoke-all')
    .takes<Sent<typeof RevokeApplicationTokensBody>>()
    .answers<ApplicationRevokeResult>(),
  leakedSecretImpact: post('/api/applications/:clientId/leaked-secret/impact').answers<LeakedSecretImpact>(),
  leakedSecret: post('/api/applications/:clientId/leaked-secret')
    .takes<Sent<typeof LeakedSecretBody>>()
    .answers<LeakedSecretResult>(),

  // Search across users, its revocations, and the incident view's containment.
  searchApplications: get('/api/search/applications').answers<SearchApplications>(),
  tokenSearch: get('/api/search/refresh-tokens')
    .query<QueryParams<typeof TokenSearchQuery>>()
    .answers<TokenSearchResult>(),
  sessionSearch: get('/api/search/sessions')
    .query<QueryParams<typeof SessionSearchQuery>>()
    .answers<SessionSearchResult>(),
  tokenSearchImpact: post('/api/search/refresh-tokens/impact')
    .takes<{ filter: FilterFields<typeof TokenSearchFilter> }>()
    .answers<TokenSearchImpact>(),
  revokeSearchTokens: post('/api/search/refresh-tokens/revoke')
    .takes<WithFilter<typeof RevokeSearchTokensBody, typeof TokenSearchFilter>>()
    .answers<SearchRevokeResult>(),
  sessionSearchImpact: post('/api/search/sessions/impact')
    .takes<{ filter: FilterFields<typeof SessionSearchFilter> }>()
    .answers<SessionSearchImpact>(),
  endSearchSessions: post('/api/search/sessions/revoke')
    .takes<WithFilter<typeof RevokeSearchSessionsBody, typeof SessionSearchFilter>>()
    .answers<SearchSessionsRevokeResult>(),
  containImpact: post('/api/search/contain/impact')
    .takes<{ filter: FilterFields<typeof ContainFilter> }>()
    .answers<ContainImpact>(),
  contain: post('/api/search/contain')
    .takes<WithFilter<typeof ContainBody, typeof ContainFilter>>()
    .answers<ContainResult>(),
} as const;

export type Endpoints = typeof endpoints;
export type EndpointName = keyof Endpoints;

export {
  type BodyOf,
  type Download,
  type Endpoint,
  type Method,
  type PathParams,
  type QueryOf,
  type ResponseOf,
  urlOf,
} from './endpoint.ts';
