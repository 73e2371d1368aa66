import { serve } from '@hono/node-server';
import { resolve } from 'node:path';
import { readServerConfig } from './config.ts';
import { DEMO } from './demo/demo-data.ts';
import { provision } from './provisioning/cli.ts';
import { createTenant } from './tenant.ts';

/** Starts the embedded tenant: `npm run tenant -- --port 4400 --data-dir .data/tenant`. */
async function main() {
  const config = readServerConfig(process.argv.slice(2), process.env);
  for (const warning of config.warnings) console.error(warning);
  const tenant = await createTenant({
    issuer: config.issuer,
    storage: config.databaseUrl ?? resolve(config.dataDir),
    // An export reads the tenant as it is: no demo seeding, no bootstrap client.
    demo: config.demo && config.exportFile === undefined,
    refuseDemoData: config.exposed && !config.demo,
    ...(config.bootstrapClient && config.exportFile === undefined ? { bootstrapClient: config.bootstrapClient } : {}),
    ...(config.refreshRateLimitPerMinute ? { refreshRateLimitPerMinute: config.refreshRateLimitPerMinute } : {}),
    options: {
      trustProxy: config.trustProxy,
      ...(config.managementRequestsPerSecond ? { managementRequestsPerSecond: config.managementRequestsPerSecond } : {}),
    },
    ...(config.revocationLeaseMs ? { revocationLeaseMs: config.revocationLeaseMs } : {}),
    ...(config.revocationBatchSize ? { revocationBatchSize: config.revocationBatchSize } : {}),
    ...(config.instanceId ? { instanceId: config.instanceId } : {}),
  });
  const provisioning = await provision(tenant, config);
  if (provisioning.exported) {
    await tenant.close();
    return;
  }
  const server = serve({ fetch: tenant.app.fetch, port: config.port, hostname: config.host }, (info) => {
    const lines = [
      `Embedded tenant listening on http://${config.host}:${info.port}`,
      `  issuer     ${tenant.deps.issuer}   (--issuer / TENANT_ISSUER)`,
      config.databaseUrl
        ? `  data       PostgreSQL ${new URL(config.databaseUrl).host}${new URL(config.databaseUrl).pathname}   (--database-url / DATABASE_URL)`
        : `  data       ${resolve(config.dataDir)}   (--data-dir / TENANT_DATA_DIR)`,
      `  discovery  ${tenant.deps.issuer}.well-known/openid-configuration`,
      `  mgmt API   ${tenant.deps.issuer}api/v2/${config.demo ? `  (demo client_credentials: ${DEMO.clients.management.client_id})` : ''}`,
      `  demo data  ${config.demo ? 'yes (published passwords: loopback only unless --demo)' : 'no (--demo / TENANT_DEMO=1 to force)'}`,
      `  proxies    ${config.trustProxy} trusted hop(s) of X-Forwarded-For   (--trust-proxy / TENANT_TRUST_PROXY)`,
      `  instance   ${tenant.deps.revocations.instanceId}`,
      ...provisioning.notes,
    ];
    console.error(lines.join('\n'));
  });
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

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
