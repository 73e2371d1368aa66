import { serve, type ServerType } from '@hono/node-server';
import { createBff, DASHBOARD_DIST, type Bff, type BffConfig, type Logger } from '@rtc/bff';
import {
  allowConsoleOrigin,
  createTenant,
  DEMO,
  isLoopbackHost,
  type Logger as TenantLogger,
  type Tenant,
  type TenantConfig,
} from '@rtc/tenant';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface EmbeddedStackOptions {
  /** The tenant's SQLite folder is `<dataDir>/tenant` and the BFF's `<dataDir>/bff`, unless `dataDirs` names them. */
  dataDir: string;
  dataDirs?: { tenant: string; bff: string };
  tenantPort?: number;
  bffPort?: number;
  host?: string;
  /** The console's URL as browsers see it; defaults to http://localhost:<bffPort>. */
  publicUrl?: string;
  staticDir?: string | null;
  logger?: Logger;
  tenantLogger?: TenantLogger;
  sessionSecret?: string;
  /** PostgreSQL for both the tenant and the BFF's audit log (in `schema`, if given); SQLite in dataDir otherwise. */
  database?: { url: string; schema?: string };
  /** Hops of X-Forwarded-For the BFF trusts (BFF_TRUST_PROXY); 0 by default. */
  trustProxy?: number;
  /** The BFF's clock (tests move it forward to cross session timeouts). */
  now?: () => number;
  /** Extra tenant configuration for tests (rate limits, revocation lag, its clock). */
  tenant?: Pick<TenantConfig, 'options' | 'revocationLagMs' | 'refreshRateLimitPerMinute' | 'clock'>;
  /** How recent a staff sign-in the biggest actions need (STEP_UP_MAX_AGE_MINUTES); 10 minutes by default. */
  stepUp?: BffConfig['stepUp'];
}

export interface EmbeddedStack {
  tenant: Tenant;
  bff: Bff;
  tenantUrl: string;
  bffUrl: string;
  close(): Promise<void>;
}

const listen = (fetch: (req: Request) => Response | Promise<Response>, port: number, host: string) =>
  new Promise<ServerType>((resolveServer, reject) => {
    const server = serve({ fetch, port, hostname: host }, () => resolveServer(server));
    server.once('error', reject);
  });

const close = (server: ServerType) => new Promise<void>((done) => server.close(() => done()));

/** A secret kept in the data directory, so a restart keeps staff signed in. */
function persistentSecret(dataDir: string): string {
  const path = join(dataDir, 'session-secret');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(path, secret, { mode: 0o600 });
  return secret;
}

/**
 * The demo, in one process: the embedded tenant with its demo data, and the BFF pointed at
 * it with the demo's machine-to-machine and dashboard clients. Port 0 picks free ports.
 */
export async function startEmbeddedStack(options: EmbeddedStackOptions): Promise<EmbeddedStack> {
  const host = options.host ?? '127.0.0.1';
  // The demo's staff passwords and machine secret are published in the README: only this
  // machine may reach them, unless the operator insists (TENANT_DEMO=1).
  if (!isLoopbackHost(host) && process.env.TENANT_DEMO !== '1') {
    throw new Error(
      `The embedded demo stack listens on loopback only (asked for ${host}): its demo passwords are ` +
        `published. Point the console at a real tenant (README), or set TENANT_DEMO=1 to force it.`,
    );
  }
  // Bind the tenant first: its issuer must name the port it listens on.
  const tenantServer = await listen(() => new Response('starting', { status: 503 }), options.tenantPort ?? 0, host);
  const tenantPort = (tenantServer.address() as AddressInfo).port;
  const tenantUrl = `http://${host}:${tenantPort}`;
  await close(tenantServer);
  const tenant = await createTenant({
    issuer: `${tenantUrl}/`,
    storage: options.database?.url ?? options.dataDirs?.tenant ?? join(options.dataDir, 'tenant'),
    ...(options.database?.schema ? { schema: options.database.schema } : {}),
    demo: true,
    ...(options.tenantLogger ? { logger: options.tenantLogger } : {}),
    ...options.tenant,
  });
  const tenantHttp = await listen(tenant.app.fetch, tenantPort, host);

  const bffProbe = await listen(() => new Response('starting', { status: 503 }), options.bffPort ?? 0, host);
  const bffPort = (bffProbe.address() as AddressInfo).port;
  await close(bffProbe);
  const publicUrl = options.publicUrl ?? `http://localhost:${bffPort}`;
  await allowConsoleOrigin(tenant.deps.store, publicUrl);

  const config: BffConfig = {
    publicUrl,
    management: {
      baseUrl: `${tenantUrl}/api/v2`,
      tokenUrl: `${tenantUrl}/oauth/token`,
      audience: `${tenantUrl}/api/v2/`,
      clientId: DEMO.clients.management.client_id,
      clientSecret: DEMO.clients.management.secret,
    },
    oidc: {
      issuer: `${tenantUrl}/`,
      clientId: DEMO.clients.dashboard.client_id,
      clientSecret: DEMO.clients.dashboard.secret,
      rolesClaim: DEMO.rolesClaim,
      scope: 'openid profile email offline_access',
    },
    sessionSecret: options.sessionSecret ?? persistentSecret(options.dataDirs?.bff ?? join(options.dataDir, 'bff')),
    session: { idleSeconds: 30 * 60, absoluteSeconds: 12 * 3600 },
    dataDir: options.dataDirs?.bff ?? join(options.dataDir, 'bff'),
    staticDir: options.staticDir === undefined ? DASHBOARD_DIST : options.staticDir,
    tenantName: 'Acme (embedded demo tenant)',
    embedded: true,
    rateLimit: { retries: 3, maxWaitMs: 10_000 },
    ...(options.database ? { database: options.database } : {}),
    trustProxy: options.trustProxy ?? 0,
    ...(options.stepUp ? { stepUp: options.stepUp } : {}),
  };
  const bff = await createBff(config, {
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const bffHttp = await listen(bff.app.fetch, bffPort, host);
  return {
    tenant,
    bff,
    tenantUrl,
    bffUrl: publicUrl,
    async close() {
      await Promise.all([close(bffHttp), close(tenantHttp)]);
      await bff.close();
      await tenant.close();
    },
  };
}
