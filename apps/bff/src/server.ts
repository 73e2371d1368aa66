import { serve } from '@hono/node-server';
import { DEMO } from '@rtc/tenant';
import { resolve } from 'node:path';
import { createBff } from './bff.ts';
import { readConfig } from './config.ts';
import { DASHBOARD_DIST, startEmbeddedStack } from './embedded.ts';

/**
 * `npm start`. With MANAGEMENT_CLIENT_ID set, the BFF alone against the configured tenant
 * (a real Auth0 tenant); otherwise the embedded tenant with demo data and the BFF beside it.
 */
async function main() {
  const port = Number(process.env.BFF_PORT ?? 4000);
  if (process.env.MANAGEMENT_CLIENT_ID) {
    const config = readConfig(process.env, { staticDir: process.env.BFF_STATIC_DIR ?? DASHBOARD_DIST });
    const bff = await createBff(config);
    const server = serve({ fetch: bff.app.fetch, port, hostname: process.env.BFF_HOST ?? '127.0.0.1' }, () =>
      console.error(`Refresh Token Console: ${config.publicUrl}  (tenant ${config.management.baseUrl})`),
    );
    onStop(async () => {
      server.close();
      await bff.close();
    });
    return;
  }
  const stack = await startEmbeddedStack({
    dataDir: resolve(process.env.DATA_DIR ?? '.data'),
    tenantPort: Number(process.env.TENANT_PORT ?? 4400),
    bffPort: port,
    trustProxy: Number(process.env.BFF_TRUST_PROXY ?? 0) || 0,
    tenant: { options: { trustProxy: Number(process.env.TENANT_TRUST_PROXY ?? 0) || 0 } },
    ...(process.env.DATABASE_URL ? { database: { url: process.env.DATABASE_URL } } : {}),
  });
  console.error(
    [
      '',
      `  Refresh Token Console   ${stack.bffUrl}`,
      `  Embedded tenant         ${stack.tenantUrl}  (Auth0-compatible; demo data in ${resolve(process.env.DATA_DIR ?? '.data')})`,
      '',
      '  Sign in as:',
      ...DEMO.staff.map((s) => `    ${s.role.padEnd(8)} ${s.email.padEnd(22)} ${s.password}`),
      '',
      '  Ctrl-C stops both.',
      '',
    ].join('\n'),
  );
  onStop(() => stack.close());
}

/**
 * Diagnostics: started with --expose-gc, SIGUSR2 runs a full garbage collection and logs the
 * memory left, so a soak can tell a leak from a heap that simply has not been collected yet.
 */
const gc = (globalThis as { gc?: () => void }).gc;
if (gc) {
  process.on('SIGUSR2', () => {
    gc();
    const { heapUsed, rss, external } = process.memoryUsage();
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'memory after gc', heapUsed, rss, external })}\n`);
  });
}

function onStop(stop: () => Promise<void>) {
  let stopping = false;
  const handler = async () => {
    if (stopping) return;
    stopping = true;
    await stop();
    process.exit(0);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
