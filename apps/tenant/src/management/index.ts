import { revocationHistoryRoutes } from './routes/revocation-history.ts';
import { Hono } from 'hono';
import type { TenantDeps } from '../deps.ts';
import { managementAuth, type ManagementEnv } from './authorize-request.ts';
import { clientGrantRoutes } from './routes/client-grants.ts';
import { clientRoutes } from './routes/clients.ts';
import { clientTokenRevocationRoutes } from './routes/client-token-revocation.ts';
import { deviceCredentialRoutes } from './routes/device-credentials.ts';
import { deviceUnlinkRoutes } from './routes/device-unlink.ts';
import { grantRoutes } from './routes/grants.ts';
import { refreshTokenSearchRoutes } from './routes/refresh-token-search.ts';
import { refreshTokenSummaryRoutes } from './routes/refresh-token-summary.ts';
import { refreshTokenRoutes } from './routes/refresh-tokens.ts';
import { resourceServerRoutes } from './routes/resource-servers.ts';
import { sessionSearchRoutes } from './routes/session-search.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { tenantSettingsRoutes } from './routes/tenant-settings.ts';
import { userRoutes } from './routes/users.ts';

/**
 * Management API v2, wire-compatible with the auth0 SDK (v7) for everything around refresh
 * tokens. Every route needs a client_credentials token for `<issuer>api/v2/` with its scope.
 */
export function managementApi(deps: TenantDeps) {
  return (
    new Hono<ManagementEnv>()
      .use('*', managementAuth(deps, deps.managementRateLimiter))
      .route('/users', revocationHistoryRoutes(deps))
      // Not Auth0's: a user's device unlinked in one request (see the file).
      .route('/users', deviceUnlinkRoutes(deps))
      .route('/users', userRoutes(deps))
      // Not Auth0's: before /refresh-tokens/{id} (see the files).
      .route('/refresh-tokens/summary', refreshTokenSummaryRoutes(deps))
      .route('/refresh-tokens/search', refreshTokenSearchRoutes(deps))
      .route('/refresh-tokens', refreshTokenRoutes(deps))
      .route('/device-credentials', deviceCredentialRoutes(deps))
      .route('/grants', grantRoutes(deps))
      // Not Auth0's: before /sessions/{id} (see the file).
      .route('/sessions/search', sessionSearchRoutes(deps))
      .route('/sessions', sessionRoutes(deps))
      // Not Auth0's: every token of one application (see the file).
      .route('/clients', clientTokenRevocationRoutes(deps))
      .route('/clients', clientRoutes(deps))
      .route('/client-grants', clientGrantRoutes(deps))
      .route('/resource-servers', resourceServerRoutes(deps))
      .route('/tenants', tenantSettingsRoutes(deps))
  );
}
