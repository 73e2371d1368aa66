import { serve } from '@hono/node-server';
import cluster from 'node:cluster';
import { createServer as createHttpsServer } from 'node:https';
import { resolve } from 'node:path';
import { readServerConfig, type ServerConfig } from './config.ts';
import type { LocalTls } from './crypto/local-ca.ts';
import { DEMO } from './demo/demo-data.ts';
import type { BootstrapOutcome } from './provisioning/bootstrap.ts';
import { provision } from './provisioning/cli.ts';
import { createTenant } from './tenant.ts';

/**
 * Starts the embedded tenant: `npm run tenant -- --port 4400 --data-dir .data/tenant`.
 *
 * With `--workers N` (N > 1) this process only supervises: N worker processes (node:cluster)
 * share the listening socket and the store. Everything they must agree on lives in the store:
 * rotations and revocations, rate-limit counts, named locks, settings, the signing key; each
 * worker is an instance of its own for leased background revocation. Worker 0 provisions
 * (demo data, bootstrap client, tenant file) before the others start.
 */
async function main() {
  const config = readServerConfig(process.argv.slice(2), process.env);
  // The local CA and certificate are made (once) before any worker starts, so all serve the same.
  if (config.https && config.exportFile === undefined && cluster.isPrimary) await loadTls(config);
  // An export reads the tenant and exits: one process does it.
  if (config.workers > 1 && config.exportFile === undefined) {
    if (cluster.isPrimary) return supervise(config);
    return serveTenant(config, Number(process.env.TENANT_WORKER));
  }
  return serveTenant(config, undefined);
}

/** The primary of `--workers N`: starts worker 0, then the rest, restarts any that dies, and stops them all on a signal. */
async function supervise(config: ServerConfig) {
  for (const warning of config.warnings) console.error(warning);
  let stopping = false;
  const listening = new Set<number>();
  // Only the first start of worker 0 provisions. A restart must not apply --import again: it
  // would put back a client secret, scopes or a user state an admin has changed since.
  const start = (index: number, provisions = false) =>
    new Promise<void>((resolveStarted, rejectStarted) => {
      const worker = cluster.fork({ TENANT_WORKER: String(index), TENANT_WORKER_PROVISIONS: provisions ? '1' : '0' });
      worker.once('listening', () => {
        listening.add(index);
        resolveStarted();
      });
      worker.once('exit', (code, signal) => {
        if (stopping) return;
        if (!listening.has(index)) {
          rejectStarted(new Error(`tenant worker ${index} exited while starting (${signal ?? `code ${code}`})`));
          return;
        }
        listening.delete(index);
        console.error(`tenant worker ${index} exited (${signal ?? `code ${code}`}); starting it again`);
        void start(index).catch((err: Error) => console.error(err.message));
      });
    });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    let left = workers.length;
    if (left === 0) process.exit(0);
    for (const worker of workers) {
      worker.once('exit', () => --left === 0 && process.exit(0));
      worker.process.kill('SIGTERM');
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await start(0, true);
    await Promise.all(Array.from({ length: config.workers - 1 }, (_, i) => start(i + 1)));
  } catch (err) {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    throw err;
  }
  console.error(`  workers    ${config.workers} processes listening   (--workers / TENANT_WORKERS)`);
}

/** Serves the tenant from this process: the only one, or worker `worker` of several. */
async function serveTenant(config: ServerConfig, worker: number | undefined) {
  // Worker 0's first start provisions; the others start after it and find the tenant ready.
  const provisions = worker === undefined || process.env.TENANT_WORKER_PROVISIONS === '1';
  if (worker === undefined) for (const warning of config.warnings) console.error(warning);
  const tenant = await createTenant({
    issuer: config.issuer,
    storage: config.databaseUrl ?? resolve(config.dataDir),
    // An export reads the tenant as it is: no demo seeding, no bootstrap client.
    demo: provisions && config.demo && config.exportFile === undefined,
    refuseDemoData: config.exposed && !config.demo,
    ...(provisions && config.bootstrapClient && config.exportFile === undefined
      ? { bootstrapClient: config.bootstrapClient }
      : {}),
    ...(config.refreshRateLimitPerMinute ? { refreshRateLimitPerMinute: config.refreshRateLimitPerMinute } : {}),
    options: {
      trustProxy: config.trustProxy,
      ...(config.managementRequestsPerSecond
        ? { managementRequestsPerSecond: config.managementRequestsPerSecond }
        : {}),
      logExchanges: config.logExchanges,
      ...(config.historyRetentionDays ? { historyRetentionDays: config.historyRetentionDays } : {}),
    },
    ...(config.revocationLeaseMs ? { revocationLeaseMs: config.revocationLeaseMs } : {}),
    ...(config.revocationBatchSize ? { revocationBatchSize: config.revocationBatchSize } : {}),
    ...(config.instanceId
      ? { instanceId: worker === undefined ? config.instanceId : `${config.instanceId}-w${worker}` }
      : {}),
    ...(worker === undefined ? {} : { worker }),
  });
  const provisioning = provisions ? await provision(tenant, config) : { exported: false, notes: [] };
  if (provisioning.exported) {
    await tenant.close();
    return;
  }
  // Which worker answered, when asked for (TENANT_WORKER_HEADER=1: tracing load across them,
  // the workers test); not by default, as it tells anyone the process layout.
  const fetch: typeof tenant.app.fetch =
    worker === undefined || process.env.TENANT_WORKER_HEADER !== '1'
      ? tenant.app.fetch
      : async (request, ...rest) => {
          const response = await tenant.app.fetch(request, ...rest);
          response.headers.set('x-tenant-worker', String(worker));
          return response;
        };
  if (config.heapReportSeconds > 0) reportHeap(config.heapReportSeconds, worker ?? 0);
  const tls = config.https ? await loadTls(config) : undefined;
  const listen = { fetch, port: config.port, hostname: config.host };
  const onListening = (info: { port: number }) => {
    if (!provisions) return;
    const lines = [
      `Embedded tenant listening on ${tls ? 'https' : 'http'}://${config.host}:${info.port}`,
      `  issuer     ${tenant.deps.issuer}   (--issuer / TENANT_ISSUER)`,
      config.databaseUrl
        ? `  data       PostgreSQL ${new URL(config.databaseUrl).host}${new URL(config.databaseUrl).pathname}   (--database-url / DATABASE_URL)`
        : `  data       ${resolve(config.dataDir)}   (--data-dir / TENANT_DATA_DIR)`,
      `  discovery  ${tenant.deps.issuer}.well-known/openid-configuration`,
      `  mgmt API   ${tenant.deps.issuer}api/v2/${config.demo ? `  (demo client_credentials: ${DEMO.clients.management.client_id})` : ''}`,
      `  demo data  ${config.demo ? 'yes (published passwords: loopback only unless --demo)' : 'no (--demo / TENANT_DEMO=1 to force)'}`,
      `  proxies    ${config.trustProxy} trusted hop(s) of X-Forwarded-For   (--trust-proxy / TENANT_TRUST_PROXY)`,
      `  instance   ${tenant.deps.revocations.instanceId}${worker === undefined ? '' : ` (worker 0 of ${config.workers})`}`,
      ...(tenant.bootstrap && config.bootstrapClient
        ? [
            `  bootstrap  client ${config.bootstrapClient.clientId}: ${BOOTSTRAP_SAID[tenant.bootstrap]}   (--bootstrap-client / TENANT_BOOTSTRAP_CLIENT_ID)`,
          ]
        : []),
      ...(tls ? trustLines(tls) : []),
      ...provisioning.notes,
    ];
    console.error(lines.join('\n'));
  };
  const server = tls
    ? serve(
        { ...listen, createServer: createHttpsServer, serverOptions: { key: tls.key, cert: tls.cert } },
        onListening,
      )
    : serve(listen, onListening);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    server.close();
    await tenant.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** The local CA's certificate for --https; its X.509 library loads only then. */
async function loadTls(config: ServerConfig): Promise<LocalTls> {
  const { localTls } = await import('./crypto/local-ca.ts');
  return localTls(resolve(config.dataDir));
}

/** How to trust the local CA: Node (the auth0 SDK, openid-client), and a browser. */
function trustLines(tls: LocalTls): string[] {
  return [
    `  TLS        a certificate for localhost, 127.0.0.1 and ::1 from this data dir's own CA   (--https / TENANT_HTTPS=1)`,
    `  trust it   Node: NODE_EXTRA_CA_CERTS=${tls.caPath}`,
    `             a browser: import ${tls.caPath} as a certificate authority, or start Chromium with`,
    `             --ignore-certificate-errors-spki-list=${tls.spkiSha256}`,
    ...(tls.warning ? [`  WARNING    ${tls.warning}`] : []),
  ];
}

const BOOTSTRAP_SAID: Record<BootstrapOutcome, string> = {
  created: 'created, with every Management API scope',
  'secret-set': 'had no secret (an imported tenant file carries none); given the configured one',
  exists: 'exists; left as it is (its secret and grant may have changed through the API)',
};

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

/**
 * A line of JSON on stderr every `seconds`: the heap in use, after a full GC when the process
 * runs with --expose-gc (the bench's soak reads it to see whether memory stays flat).
 */
function reportHeap(seconds: number, worker: number) {
  const gc = (globalThis as { gc?: () => void }).gc;
  setInterval(() => {
    gc?.();
    const line = {
      time: new Date().toISOString(),
      level: 'info',
      msg: 'heap',
      worker,
      heap_used_bytes: process.memoryUsage().heapUsed,
      after_gc: gc !== undefined,
    };
    process.stderr.write(`${JSON.stringify(line)}\n`);
  }, seconds * 1000).unref();
}
