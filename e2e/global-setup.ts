import { DASHBOARD_DIST } from '@rtc/stack';
import { startTestStack } from '@rtc/testkit';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Starts the stack once for the run; the URLs reach the tests through the environment. */
export default async function globalSetup() {
  if (!existsSync(join(DASHBOARD_DIST, 'index.html'))) throw new Error('The dashboard is not built: run `npm run build` first (npm test does).');
  // A lag on journaled revocations, as Auth0's listings trail its answers: the dashboard's
  // "Revoked" state is then really exercised. One trusted proxy hop, as behind a load
  // balancer: an end user's app may name its address in X-Forwarded-For (customer.login's
  // `from`); requests without the header (the browser, the BFF) keep their socket's address.
  const stack = await startTestStack({ staticDir: DASHBOARD_DIST, tenant: { revocationLagMs: 1500, options: { trustProxy: 1 } } });
  process.env.E2E_BFF_URL = stack.bffUrl;
  process.env.E2E_TENANT_URL = stack.tenantUrl;
  return async () => stack.stop();
}
