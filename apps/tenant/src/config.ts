import { parseArgs } from 'node:util';

export interface ServerConfig {
  port: number;
  host: string;
  issuer: string;
  dataDir: string;
  /** PostgreSQL instead of SQLite: several instances can share it. */
  databaseUrl: string | undefined;
  demo: boolean;
  refreshRateLimitPerMinute: number | undefined;
  managementRequestsPerSecond: number | undefined;
  revocationLeaseMs: number | undefined;
  revocationBatchSize: number | undefined;
  instanceId: string | undefined;
}

const USAGE = `Usage: npm run tenant -- [--port N] [--host H] [--issuer URL] [--data-dir DIR | --database-url postgres://...] [--no-demo]
Environment: TENANT_PORT, TENANT_HOST, TENANT_ISSUER, TENANT_DATA_DIR, DATABASE_URL, TENANT_DEMO=0,
  TENANT_REFRESH_RATE_LIMIT (exchanges per token and IP per minute),
  TENANT_MANAGEMENT_RATE_LIMIT (Management API requests per second per client, default 1000), TENANT_REVOCATION_LEASE_MS, TENANT_REVOCATION_BATCH_SIZE, TENANT_INSTANCE_ID`;

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
      'no-demo': { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const port = Number(values.port ?? env.TENANT_PORT ?? 4400);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port: ${values.port ?? env.TENANT_PORT}\n${USAGE}`);
  const host = values.host ?? env.TENANT_HOST ?? '127.0.0.1';
  const issuer = values.issuer ?? env.TENANT_ISSUER ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/`;
  try {
    new URL(issuer);
  } catch {
    throw new Error(`Invalid issuer URL: ${issuer}\n${USAGE}`);
  }
  return {
    port,
    host,
    issuer,
    dataDir: values['data-dir'] ?? env.TENANT_DATA_DIR ?? '.data/tenant',
    databaseUrl: values['database-url'] ?? env.DATABASE_URL ?? undefined,
    demo: !(values['no-demo'] || env.TENANT_DEMO === '0'),
    refreshRateLimitPerMinute: optionalNumber(env.TENANT_REFRESH_RATE_LIMIT, 'TENANT_REFRESH_RATE_LIMIT'),
    managementRequestsPerSecond: optionalNumber(env.TENANT_MANAGEMENT_RATE_LIMIT, 'TENANT_MANAGEMENT_RATE_LIMIT'),
    revocationLeaseMs: optionalNumber(env.TENANT_REVOCATION_LEASE_MS, 'TENANT_REVOCATION_LEASE_MS'),
    revocationBatchSize: optionalNumber(env.TENANT_REVOCATION_BATCH_SIZE, 'TENANT_REVOCATION_BATCH_SIZE'),
    instanceId: env.TENANT_INSTANCE_ID || undefined,
  };
}

function optionalNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number`);
  return n;
}
