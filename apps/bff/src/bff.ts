import { ipDatabase } from '@rtc/ip-intel';
import { join } from 'node:path';
import type { BffStore } from './store/bff-store.ts';
import { PostgresBffStore } from './store/postgres-bff-store.ts';
import { SqliteBffStore } from './store/sqlite-bff-store.ts';
import { createApp } from './app.ts';
import type { BffConfig } from './config.ts';
import type { BffDeps, Logger } from './deps.ts';
import { UserAccessService } from './services/user-access-service.ts';
import { ManagementGateway } from './management/gateway.ts';
import { rateLimitedFetch } from './management/rate-limited-fetch.ts';
import { ManagementTokenProvider } from './management/token-provider.ts';
import { IdentityProvider } from './session/identity-provider.ts';
import { RoleRecheck } from './session/role-recheck.ts';
import { SessionCookie } from './session/session-cookie.ts';

export interface Bff {
  app: ReturnType<typeof createApp>;
  deps: BffDeps;
  close(): Promise<void>;
}

const jsonLogger: Logger = {
  info: (msg, fields) =>
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg, ...fields })}\n`),
  warn: (msg, fields) =>
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'warn', msg, ...fields })}\n`),
  error: (msg, fields) =>
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg, ...fields })}\n`),
};

/** The audit log's store: PostgreSQL when configured (several instances), SQLite otherwise. */
async function openBffStore(config: BffConfig): Promise<BffStore> {
  if (config.database)
    return PostgresBffStore.open(config.database.url, config.database.schema ? { schema: config.database.schema } : {});
  return new SqliteBffStore(join(config.dataDir, 'bff.sqlite'));
}

/** Builds the BFF from its configuration; `store` and `fetch` may be injected by tests. */
export async function createBff(
  config: BffConfig,
  overrides: { store?: BffStore; logger?: Logger; fetch?: typeof fetch; now?: () => number } = {},
): Promise<Bff> {
  const logger = overrides.logger ?? jsonLogger;
  const now = overrides.now ?? Date.now;
  // The IP database behind every address shown (network, country): loaded at start, once per process.
  ipDatabase();
  const store = overrides.store ?? (await openBffStore(config));
  const baseFetch = overrides.fetch ?? fetch;
  const mgmtFetch = rateLimitedFetch({
    ...config.rateLimit,
    fetch: baseFetch,
    onRetry: ({ attempt, waitMs }) => logger.warn('Management API rate limit; retrying', { attempt, waitMs }),
  });
  const tokens = new ManagementTokenProvider({ ...config.management, fetch: mgmtFetch, now });
  const mgmt = new ManagementGateway(config.management.baseUrl, tokens, mgmtFetch, now);
  const secure = config.publicUrl.startsWith('https:');
  const idp = new IdentityProvider(config.oidc);
  const deps: BffDeps = {
    config,
    store,
    cookie: new SessionCookie(config.sessionSecret, config.session, now),
    // __Host- binds the cookie to this exact origin, when it can be Secure.
    cookieOptions: { name: secure ? '__Host-rtc_session' : 'rtc_session', secure },
    idp,
    roles: new RoleRecheck(idp, config.oidc.rolesClaim, logger, now),
    tokens,
    mgmt,
    access: new UserAccessService(mgmt, now),
    logger,
    now,
  };
  return { app: createApp(deps), deps, close: () => store.close() };
}
