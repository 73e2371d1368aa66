import { ipDatabase } from '@rtc/ip-intel';
import { join } from 'node:path';
import { MemoryRateLimiter } from './auth/rate-limit.ts';
import {
  DEFAULT_SIGN_IN_LIMITS,
  SIGN_IN_WINDOW_MS,
  SignInThrottle,
  type SignInLimits,
} from './domain/sign-in-throttle.ts';
import { createApp } from './app.ts';
import { systemClock, type Clock } from './clock.ts';
import { Keys } from './crypto/keys.ts';
import { OpaqueAccessTokens } from './crypto/opaque-access-tokens.ts';
import { DpopProofs } from './auth/dpop.ts';
import { randomSecret } from './crypto/secrets.ts';
import type { TenantDeps, TenantOptions } from './deps.ts';
import { DEMO } from './demo/demo-data.ts';
import { seedDemoTenant } from './demo/seed.ts';
import { syncManagementApi } from './management/system-api.ts';
import { ensureBootstrapClient, type BootstrapClient, type BootstrapOutcome } from './provisioning/bootstrap.ts';
import { RegisteredOrigins } from './domain/origins.ts';
import { RevocationWorker } from './domain/revocation-worker.ts';
import { jsonLogger, type Logger } from './observability/logger.ts';
import { MAX_ACTIVE_TOKENS_PER_USER_AND_CLIENT } from './domain/defaults.ts';
import { openPostgresStore } from './store/postgres/postgres-store.ts';
import { openSqliteStore } from './store/sqlite/sqlite-store.ts';
import type { TenantStore } from './store/types.ts';

export interface TenantConfig {
  /** The issuer URL; a trailing slash is added when missing. */
  issuer: string;
  /** A `postgres://` URL, a data directory for SQLite, `:memory:`, or a ready store. */
  storage: string | TenantStore;
  /** With PostgreSQL: the schema to keep the tenant in (default: the connection's). */
  schema?: string;
  clock?: Clock;
  logger?: Logger;
  /** Seed the demo tenant when the store is empty. */
  demo?: boolean;
  /**
   * Refuse to start when the demo seed ever wrote the store (its published passwords and
   * secrets; a data dir tried on loopback, then served to the world), even after its demo
   * clients were deleted: set for a tenant reachable from elsewhere without --demo.
   */
  refuseDemoData?: boolean;
  /** Create, once, this machine-to-machine client with every Management API scope (a tenant without demo data). */
  bootstrapClient?: BootstrapClient;
  options?: Partial<TenantOptions>;
  /** Refresh-token exchanges per token and IP per minute. */
  refreshRateLimitPerMinute?: number;
  /** Failed sign-ins per 15 minutes: per account and address, per account, per address. */
  signInLimits?: Partial<SignInLimits>;
  revocationBatchSize?: number;
  /**
   * How long a journaled revocation waits before its rows are marked (they are refused at
   * once either way). 0 by default; end-to-end tests set it to show the eventual consistency
   * Auth0 documents.
   */
  revocationLagMs?: number;
  /** How long an instance holds a revocation job before another may take it over. */
  revocationLeaseMs?: number;
  /** Names this instance in leases and logs (random by default). */
  instanceId?: string;
  /** Which of the worker processes serving this store this one is (`--workers`): each is an instance of its own. */
  worker?: number;
}

export interface Tenant {
  app: ReturnType<typeof createApp>;
  deps: TenantDeps;
  /** What this start did about the bootstrap client, when one was configured. */
  bootstrap?: BootstrapOutcome;
  close(): Promise<void>;
}

export const DEFAULT_OPTIONS: TenantOptions = {
  trustProxy: 0,
  idTokenLifetime: 36_000,
  accessTokenLifetime: 86_400,
  maxActiveTokensPerUserAndClient: MAX_ACTIVE_TOKENS_PER_USER_AND_CLIENT,
  managementRequestsPerSecond: 1000,
  logExchanges: true,
  historyRetentionDays: 30,
};

/**
 * A store from its description: a `postgres://` URL (optionally confined to a schema), a data
 * directory for SQLite, or `:memory:`.
 */
export async function openStore(
  storage: string | TenantStore,
  options: { schema?: string } = {},
): Promise<TenantStore> {
  if (typeof storage !== 'string') return storage;
  if (/^postgres(ql)?:\/\//.test(storage)) return openPostgresStore(storage, options);
  return openSqliteStore(storage === ':memory:' ? ':memory:' : join(storage, 'tenant.sqlite'));
}

const signInThrottle = (store: TenantStore, limits: SignInLimits) =>
  new SignInThrottle({
    perAccountAndAddress: store.settings.createRateLimiter(limits.perAccountAndAddress, SIGN_IN_WINDOW_MS, {
      whenFull: 'refuse',
    }),
    perAccount: store.settings.createRateLimiter(limits.perAccount, SIGN_IN_WINDOW_MS, { whenFull: 'refuse' }),
    perAddress: store.settings.createRateLimiter(limits.perAddress, SIGN_IN_WINDOW_MS, { whenFull: 'refuse' }),
  });

/** Opens (or creates) a tenant: store, keys, demo data, background revocation. */
export async function createTenant(config: TenantConfig): Promise<Tenant> {
  const issuer = config.issuer.endsWith('/') ? config.issuer : `${config.issuer}/`;
  const clock = config.clock ?? systemClock;
  const logger = config.logger ?? jsonLogger();
  // Load the IP database (device ASNs) at start, not on the first sign-in; once per process.
  ipDatabase();
  const store = await openStore(config.storage, config.schema ? { schema: config.schema } : {});
  // Instances starting together on an empty database: one seeds, the others wait and see it done.
  // Marked by the seed for good; the demo machine client too, for stores seeded before the mark.
  if (
    config.refuseDemoData &&
    ((await store.settings.isDemo()) || (await store.directory.getClient(DEMO.clients.management.client_id)))
  ) {
    await store.close();
    throw new Error(
      'This store holds the demo tenant, whose passwords and machine secret are published, and this tenant is reachable ' +
        'from elsewhere. Start it on a fresh data dir or database, or pass --demo to accept the risk knowingly.',
    );
  }
  if (config.demo) {
    await store.settings.exclusive('demo-seed', async () => {
      if (await store.settings.isEmpty()) await seedDemoTenant(store, { issuer, now: clock.now() });
    });
  }
  await syncManagementApi(store, issuer);
  const bootstrap = config.bootstrapClient
    ? await ensureBootstrapClient(store, { ...config.bootstrapClient, issuer, now: clock.now() })
    : undefined;
  const keys = await Keys.load(store.settings, clock.now());
  const cookieSecret = await store.settings.getOrCreateSecret('cookie', () => randomSecret(32));
  const opaqueAccessTokens = new OpaqueAccessTokens(
    await store.settings.getOrCreateSecret('userinfo-access-token-key', () => randomSecret(32)),
  );
  // DPoP server nonces are an HMAC under this key: every worker and instance issues and accepts the same.
  const dpopNonceKey = Buffer.from(
    await store.settings.getOrCreateSecret('dpop-nonce-key', () => randomSecret(32)),
    'utf8',
  );
  // A SQLite tenant's worker k is the same instance after a restart and resumes its own leases
  // at once; on PostgreSQL every process is an instance of its own.
  const instanceId =
    config.instanceId ??
    (store.dialect === 'sqlite'
      ? `${await store.settings.getOrCreateSecret('instance-id', () => randomSecret(9))}${config.worker === undefined ? '' : `-w${config.worker}`}`
      : randomSecret(9));
  const revocations = new RevocationWorker(store.revocationJournal, clock, logger, {
    batchSize: config.revocationBatchSize ?? 2000,
    pollMs: 1000,
    lagMs: config.revocationLagMs ?? 0,
    leaseMs: config.revocationLeaseMs ?? 10_000,
    instanceId,
  });
  const options = { ...DEFAULT_OPTIONS, ...config.options };
  // Limits counted on every request (refresh exchanges, Management API calls): a SQLite tenant
  // served by one process counts them in memory, as a write per request to the file costs
  // more than the exchange's own rotation (measured: ~130 µs of the event loop per hit);
  // worker processes (`--workers`) and PostgreSQL instances count them in the store, together.
  // Sign-in failures are always counted in the store: rare, and a lockout survives a restart.
  const hotPathLimiter = (limit: number, windowMs: number) =>
    store.dialect === 'sqlite' && config.worker === undefined
      ? new MemoryRateLimiter(limit, windowMs)
      : store.settings.createRateLimiter(limit, windowMs);
  const deps: TenantDeps = {
    store,
    clock,
    keys,
    opaqueAccessTokens,
    logger,
    issuer,
    cookieSecret,
    // Shared by every instance on the same database (Auth0's 'Refresh Tokens' page: per token and IP).
    refreshRateLimiter: hotPathLimiter(config.refreshRateLimitPerMinute ?? 120, 60_000),
    signInThrottle: signInThrottle(store, { ...DEFAULT_SIGN_IN_LIMITS, ...config.signInLimits }),
    managementRateLimiter: hotPathLimiter(options.managementRequestsPerSecond, 1000),
    revocations,
    origins: new RegisteredOrigins(store.directory, clock),
    dpop: new DpopProofs(store, clock, logger, dpopNonceKey),
    options,
  };
  revocations.start();
  return {
    app: createApp(deps),
    deps,
    ...(bootstrap ? { bootstrap } : {}),
    async close() {
      await revocations.stop();
      await store.close();
    },
  };
}
