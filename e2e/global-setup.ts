import { DASHBOARD_DIST } from '@rtc/stack';
import { startTestStack } from '@rtc/testkit';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Starts the stack once for the run; the URLs reach the tests through the environment. */
export default async function globalSetup() {
  if (!existsSync(join(DASHBOARD_DIST, 'index.html')))
    throw new Error('The dashboard is not built: run `npm run build` first (npm test does).');
  // A lag on journaled revocations, as Auth0's listings trail its answers: the dashboard's
  // "Revoked" state is then really exercised. One trusted proxy hop, as behind a load
  // balancer: an end user's app may name its address in X-Forwarded-For (customer.login's
  // `from`); requests without the header (the browser, the BFF) keep their socket's address.
  // The journeys share the staff sign-ins of the setup project for the whole run, which can
  // take longer than the 10-minute step-up window: here a sign-in stays recent for the
  // session's 12 hours. The step-up journey runs a stack of its own with the real window.
  const stack = await startTestStack({
    staticDir: DASHBOARD_DIST,
    tenant: { revocationLagMs: 1500, options: { trustProxy: 1 } },
    stepUp: { maxAgeSeconds: 12 * 3600 },
  });
  process.env.E2E_BFF_URL = stack.bffUrl;
  process.env.E2E_TENANT_URL = stack.tenantUrl;
  return async () => stack.stop();
}
