export { admitConsole } from './admit-console.ts';
export { startEmbeddedStack, type EmbeddedStack, type EmbeddedStackOptions } from './embedded.ts';
export { freePort, ROOT, startProcess, startTenant, TENANT_SERVER, type Proc } from './processes.ts';
export { DASHBOARD_DIST } from '@rtc/bff';
/** The demo tenant's published clients and sign-ins, which the stack configures the BFF with, and the call that admits a console's URL. */
export { allowConsoleOrigin, DEMO, demoEndUser } from '@rtc/tenant';
