import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readBootstrapClient, type BootstrapClient } from './provisioning/bootstrap.ts';

export interface ServerConfig {
  port: number;
  host: string;
  issuer: string;
  dataDir: string;
  /** PostgreSQL instead of SQLite: several instances can share it. */
  databaseUrl: string | undefined;
  /** Seed the demo tenant (published passwords): on a loopback issuer, or when asked explicitly. */
  demo: boolean;
  /** Reachable from other machines (public issuer, non-loopback bind address, or a proxy in front). */
  exposed: boolean;
  /** Hops of X-Forwarded-For to trust (proxies you run in front of the tenant); 0 by default. */
  trustProxy: number;
  /** Things the operator must hear at start-up. */
  warnings: string[];
  refreshRateLimitPerMinute: number | undefined;
  managementRequestsPerSecond: number | undefined;
  revocationLeaseMs: number | undefined;
  revocationBatchSize: number | undefined;
  instanceId: string | undefined;
  /** Processes serving the tenant on one port and one store (node:cluster); 1 serves from this process. */
  workers: number;
  /** Every this many seconds, each process logs its heap (after a full GC when run with --expose-gc); 0: never. */
  heapReportSeconds: number;
  /** The machine-to-machine client created once on a tenant without demo data. */
  bootstrapClient: BootstrapClient | undefined;
  /** A tenant file to apply at start (idempotent). */
  importFile: string | undefined;
  /** Write the tenant file here ('-' for stdout) and exit instead of serving. */
  exportFile: string | undefined;
  /** Log refresh-token exchanges (once per token per hour); TENANT_LOG_EXCHANGES=0 turns it off. */
  logExchanges: boolean;
  /** Days revoked tokens and ended sessions stay in a user's revocation history (TENANT_HISTORY_RETENTION_DAYS, default 30). */
  historyRetentionDays: number | undefined;
  /** Serve TLS with a certificate of a local CA kept in the data dir (for SDKs that build `https://{domain}`). */
  https: boolean;
}

const USAGE = `Usage: npm run tenant -- [--port N] [--host H] [--issuer URL] [--data-dir DIR | --database-url postgres://...]
    [--demo | --no-demo] [--trust-proxy N] [--workers N] [--bootstrap-client ID:SECRET] [--import FILE] [--export FILE|-] [--https]
  The demo tenant (published passwords) is seeded into an empty store only on a loopback issuer,
  unless --demo / TENANT_DEMO=1 forces it (with a warning) or --no-demo / TENANT_DEMO=0 refuses it.
  --bootstrap-client ID:SECRET (or TENANT_BOOTSTRAP_CLIENT_ID + TENANT_BOOTSTRAP_CLIENT_SECRET) creates that machine-to-machine
  client at any start when no client of that id exists, with every Management API scope. --import FILE applies a tenant file at start (idempotent);
  --export FILE (- for stdout) writes the tenant file and exits.
  --https (TENANT_HTTPS=1) serves TLS on https://localhost:<port>/ with a certificate of a local CA made once in the data dir.
  --workers N (TENANT_WORKERS) serves from N processes on one port and one store; default one per two cores (1 under vitest).
Environment: TENANT_PORT, TENANT_HOST, TENANT_ISSUER, TENANT_DATA_DIR (else DATA_DIR/tenant), DATABASE_URL, TENANT_DEMO=0|1,
  TENANT_TRUST_PROXY=N, TENANT_WORKERS=N,
  TENANT_REFRESH_RATE_LIMIT (exchanges per token and IP per minute),
  TENANT_MANAGEMENT_RATE_LIMIT (Management API requests per second per client, default 1000),
  TENANT_REVOCATION_LEASE_MS, TENANT_REVOCATION_BATCH_SIZE, TENANT_INSTANCE_ID,
  TENANT_HEAP_REPORT_SECONDS=N (each process logs its heap every N seconds, after a full GC under node --expose-gc),
  TENANT_LOG_EXCHANGES=0|1 (log refresh-token exchanges, once per token per hour; default 1),
  TENANT_HISTORY_RETENTION_DAYS=N (days revoked tokens and ended sessions stay in a user's revocation history; default 30)`;

/** Flags win over environment variables, which win over defaults. */
export function readServerConfig(argv: string[], env: NodeJS.ProcessEnv): ServerConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      issuer: { type: 'string' },
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      demo: { type: 'boolean' },
      'no-demo': { type: 'boolean' },
      'trust-proxy': { type: 'string' },
      workers: { type: 'string' },
      'bootstrap-client': { type: 'string' },
      import: { type: 'string' },
      export: { type: 'string' },
      https: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const port = Number(values.port ?? env.TENANT_PORT ?? 4400);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`Invalid port: ${values.port ?? env.TENANT_PORT}\n${USAGE}`);
  const host = values.host ?? env.TENANT_HOST ?? '127.0.0.1';
  const issuerHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const https = values.https === true || env.TENANT_HTTPS === '1';
  // Over TLS the default issuer names localhost, the name the local certificate is for, and
  // what the auth0 SDK's `domain: 'localhost:<port>'` turns into `https://localhost:<port>/`.
  const issuer =
    values.issuer ?? env.TENANT_ISSUER ?? (https ? `https://localhost:${port}/` : `http://${issuerHost}:${port}/`);
  let issuerUrl: URL;
  try {
    issuerUrl = new URL(issuer);
  } catch {
    throw new Error(`Invalid issuer URL: ${issuer}\n${USAGE}`);
  }
  const warnings: string[] = [];
  const trustProxyValue = values['trust-proxy'] ?? env.TENANT_TRUST_PROXY ?? '0';
  const trustProxy = Number(trustProxyValue);
  if (!/^\d+$/.test(trustProxyValue) || trustProxy > 10)
    throw new Error(
      `--trust-proxy / TENANT_TRUST_PROXY must be a number of proxy hops from 0 to 10, got ${trustProxyValue}\n${USAGE}`,
    );
  // Reachable from elsewhere: a public issuer, a bind address other than loopback (0.0.0.0
  // listens everywhere whatever the issuer says), or a proxy in front.
  const exposed = !isLoopbackHost(issuerUrl.hostname) || !isLoopbackHost(host) || trustProxy > 0;
  // Flags win over the environment; neither said: only a tenant nobody else can reach gets the demo.
  const demoAsked = values.demo
    ? true
    : values['no-demo']
      ? false
      : env.TENANT_DEMO === '1'
        ? true
        : env.TENANT_DEMO === '0'
          ? false
          : undefined;
  const demo = demoAsked ?? !exposed;
  if (demoAsked && exposed) {
    warnings.push(
      `WARNING: demo data forced on a tenant reachable from elsewhere (issuer ${issuer}, listening on ${host}): ` +
        "anyone who can reach it can sign in with the README's published demo passwords and use the demo " +
        'machine-to-machine secret. Never do this on a real deployment.',
    );
  }
  const workersValue = values.workers ?? env.TENANT_WORKERS;
  // Tests start tenants by the dozen on a small machine: one process each unless a test asks.
  const workers =
    workersValue === undefined || workersValue === '' ? (env.VITEST ? 1 : defaultWorkers()) : Number(workersValue);
  if (!/^\d+$/.test(workersValue ?? '1') || workers < 1 || workers > 64)
    throw new Error(
      `--workers / TENANT_WORKERS must be a number of processes from 1 to 64, got ${workersValue}\n${USAGE}`,
    );
  return {
    port,
    host,
    issuer,
    // DATA_DIR is npm start's folder for both apps: the tenant's is its tenant/ folder.
    dataDir: fromInvocationDir(
      values['data-dir'] ?? (env.TENANT_DATA_DIR || undefined) ?? join(env.DATA_DIR || '.data', 'tenant'),
      env,
    )!,
    databaseUrl: values['database-url'] ?? env.DATABASE_URL ?? undefined,
    demo,
    exposed,
    trustProxy,
    warnings,
    refreshRateLimitPerMinute: optionalNumber(env.TENANT_REFRESH_RATE_LIMIT, 'TENANT_REFRESH_RATE_LIMIT'),
    managementRequestsPerSecond: optionalNumber(env.TENANT_MANAGEMENT_RATE_LIMIT, 'TENANT_MANAGEMENT_RATE_LIMIT'),
    revocationLeaseMs: optionalNumber(env.TENANT_REVOCATION_LEASE_MS, 'TENANT_REVOCATION_LEASE_MS'),
    revocationBatchSize: optionalNumber(env.TENANT_REVOCATION_BATCH_SIZE, 'TENANT_REVOCATION_BATCH_SIZE'),
    instanceId: env.TENANT_INSTANCE_ID || undefined,
    workers,
    logExchanges: readSwitch(env.TENANT_LOG_EXCHANGES, 'TENANT_LOG_EXCHANGES', true),
    historyRetentionDays: optionalNumber(env.TENANT_HISTORY_RETENTION_DAYS, 'TENANT_HISTORY_RETENTION_DAYS'),
    heapReportSeconds: optionalNumber(env.TENANT_HEAP_REPORT_SECONDS, 'TENANT_HEAP_REPORT_SECONDS') ?? 0,
    bootstrapClient: readBootstrapClient(values['bootstrap-client'], env),
    importFile: fromInvocationDir(values.import, env),
    exportFile: values.export === '-' ? '-' : fromInvocationDir(values.export, env),
    https,
  };
}

/**
 * A relative path as the operator meant it: from the directory they ran `npm run tenant` in
 * (npm's INIT_CWD), not the workspace directory npm runs the script in.
 */
function fromInvocationDir(path: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return path === undefined ? undefined : resolve(env.INIT_CWD ?? process.cwd(), path);
}

/** localhost, 127.0.0.0/8 and ::1: an issuer only this machine can reach. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function readSwitch(value: string | undefined, name: string, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (value !== '0' && value !== '1') throw new Error(`${name} must be 0 or 1, got ${value}`);
  return value === '1';
}

function optionalNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number`);
  return n;
}

/**
 * One process per two cores: a process keeps about two busy, its event loop and its RS256
 * signatures on libuv's thread pool. On two cores one process measured faster than two (the
 * second event loop has no core of its own, and the two wait on each other's write lock; see
 * BENCHMARKS.md), and it holds the IP database and SQLite's page cache once, not twice.
 */
export function defaultWorkers(cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / 2));
}
