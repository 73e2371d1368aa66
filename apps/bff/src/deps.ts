import type { BffStore } from './store/bff-store.ts';
import type { BffConfig } from './config.ts';
import type { UserAccessService } from './services/user-access-service.ts';
import type { ManagementGateway } from './management/gateway.ts';
import type { ManagementTokenProvider } from './management/token-provider.ts';
import type { IdentityProvider } from './session/identity-provider.ts';
import type { RoleRecheck } from './session/role-recheck.ts';
import type { SessionCookie } from './session/session-cookie.ts';
import type { Logger } from './logger.ts';

export type { Logger } from './logger.ts';

/** Everything the BFF's routes need, built once by createBff. */
export interface BffDeps {
  config: BffConfig;
  store: BffStore;
  cookie: SessionCookie;
  cookieOptions: { name: string; secure: boolean };
  /** The staff's identity provider (OIDC), and the 15-minute re-check of their role there. */
  idp: IdentityProvider;
  roles: RoleRecheck;
  tokens: ManagementTokenProvider;
  mgmt: ManagementGateway;
  access: UserAccessService;
  logger: Logger;
  now: () => number;
}
