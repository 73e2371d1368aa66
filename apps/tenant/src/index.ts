export { createTenant, openStore, type Tenant, type TenantConfig } from './tenant.ts';
export { createApp } from './app.ts';
export { ManualClock, systemClock, type Clock } from './clock.ts';
export { DEMO, demoEndUser } from './demo/demo-data.ts';
export { memoryLogger, silentLogger, jsonLogger, type Logger } from './observability/logger.ts';
export type { TenantStore } from './store/types.ts';
export { allowConsoleOrigin } from './provisioning/console-origin.ts';
export { generateTenant, generatedTokenValue } from './large-tenant/generate.ts';
export { isLoopbackHost } from './config.ts';
