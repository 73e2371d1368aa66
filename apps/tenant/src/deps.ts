import type { Clock } from './clock.ts';
import type { Keys } from './crypto/keys.ts';
import type { OpaqueAccessTokens } from './crypto/opaque-access-tokens.ts';
import type { RegisteredOrigins } from './domain/origins.ts';
import type { RateLimiter } from './domain/rate-limiter.ts';
import type { SignInThrottle } from './domain/sign-in-throttle.ts';
import type { Logger } from './observability/logger.ts';
import type { TenantStore } from './store/types.ts';
import type { RevocationWorker } from './domain/revocation-worker.ts';
import type { DpopProofs } from './auth/dpop.ts';

/** Everything the tenant's routes need, built once by `createTenant` and passed to `createApp`. */
export interface TenantDeps {
  /** The tenant's storage by aggregate: `store.refreshTokens`, `store.directory`, `store.sessions`, ... */
  store: TenantStore;
  clock: Clock;
  keys: Keys;
  /** Seals the access tokens of a request without an API audience (/userinfo only), as Auth0 does. */
  opaqueAccessTokens: OpaqueAccessTokens;
  logger: Logger;
  /** The tenant's issuer URL, with its trailing slash as Auth0 has it: `https://x.auth0.com/`. */
  issuer: string;
  /** Signs login transactions and the tenant's session cookie. */
  cookieSecret: string;
  refreshRateLimiter: RateLimiter;
  /** Failed sign-ins, counted before the password is checked (login form and password grant). */
  signInThrottle: SignInThrottle;
  /** Management API requests per second per caller, counted in the store: every worker and instance together. */
  managementRateLimiter: RateLimiter;
  revocations: RevocationWorker;
  /** Every client's browser origins, for CORS; the client routes call `forget()` when they write. */
  origins: RegisteredOrigins;
  /** DPoP proofs (RFC 9449): verified, their jti remembered in the store, server nonces. */
  dpop: DpopProofs;
  options: TenantOptions;
}

export interface TenantOptions {
  /**
   * Hops of X-Forwarded-For to trust: the proxies you run in front of the tenant. The client's
   * address is the right-most one those proxies did not add; 0 (default) uses the socket's.
   */
  trustProxy: number;
  /** Lifetime of ID tokens, seconds (Auth0's default is 36000). */
  idTokenLifetime: number;
  /** Access token lifetime when the API sets none, seconds. */
  accessTokenLifetime: number;
  /** Live refresh tokens per user and application before the oldest is revoked. */
  maxActiveTokensPerUserAndClient: number;
  /** Management API requests per second per calling client (Auth0 answers 429 beyond its limit). */
  managementRequestsPerSecond: number;
  /**
   * Log refresh-token exchanges (`sertft`, once per token per hour: domain/tenant-log.ts).
   * On by default; off (TENANT_LOG_EXCHANGES=0) saves the hourly insert on the hot path.
   */
  logExchanges: boolean;
  /** Not Auth0's: how many days revoked tokens and ended sessions stay listed in a user's revocation history. */
  historyRetentionDays: number;
}

/** Hono's variables for this app. */
export interface TenantEnv {
  Variables: { requestId: string };
}

/** The Management API's audience for this tenant. */
export const managementAudience = (issuer: string) => `${issuer}api/v2/`;
/** The audience of tokens that may only call /userinfo. */
export const userinfoAudience = (issuer: string) => `${issuer}userinfo`;
