import { reportMemoryAfterGcOnSignal, serveBff, stopOnSignals } from '@rtc/bff';
import { DEMO } from '@rtc/tenant';
import { dataDirs } from './data-dir.ts';
import { startEmbeddedStack } from './embedded.ts';

/**
 * `npm start`. With MANAGEMENT_CLIENT_ID set, the BFF alone against the configured tenant
 * (a real Auth0 tenant); otherwise the embedded tenant with demo data and the BFF beside it.
 */
async function main() {
  if (process.env.MANAGEMENT_CLIENT_ID) {
    const bff = await serveBff(process.env);
    stopOnSignals(() => bff.close());
    return;
  }
  const stack = await startEmbeddedStack({
    dataDir: dataDirs.base,
    dataDirs,
    tenantPort: Number(process.env.TENANT_PORT ?? 4400),
    bffPort: Number(process.env.BFF_PORT ?? 4000),
    trustProxy: Number(process.env.BFF_TRUST_PROXY ?? 0) || 0,
    tenant: { options: { trustProxy: Number(process.env.TENANT_TRUST_PROXY ?? 0) || 0 } },
    ...(process.env.DATABASE_URL ? { database: { url: process.env.DATABASE_URL } } : {}),
  });
  console.error(
    [
      '',
      `  Refresh Token Console   ${stack.bffUrl}`,
      `  Embedded tenant         ${stack.tenantUrl}  (Auth0-compatible; demo data in ${dataDirs.tenant}, DATA_DIR / TENANT_DATA_DIR)`,
      '',
      '  Sign in as:',
      ...DEMO.staff.map((s) => `    ${s.role.padEnd(8)} ${s.email.padEnd(22)} ${s.password}`),
      '',
      '  Ctrl-C stops both.',
      '',
    ].join('\n'),
  );
  stopOnSignals(() => stack.close());
}

reportMemoryAfterGcOnSignal();
main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
