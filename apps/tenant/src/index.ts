export { createTenant, openStore, type Tenant, type TenantConfig } from './tenant.ts';
export { createApp } from './app.ts';
export { ManualClock, systemClock, type Clock } from './clock.ts';
export { DEMO, demoEndUser } from './demo/demo-data.ts';
export { memoryLogger, silentLogger, jsonLogger, type Logger } from './observability/logger.ts';
export type { TenantStore } from './store/types.ts';
export { allowConsoleOrigin } from './provisioning/console-origin.ts';
export { generateTenant, generatedTokenValue } from './large-tenant/generate.ts';
export { isLoopbackHost } from './config.ts';

// The pieces the benchmarks and the crash tests drive directly, below HTTP: the stores, the
// rotation's plan and the token row as stored. They reach the tenant through this entry only.
export { openSqliteStore, type SqliteTenantStore } from './store/sqlite/sqlite-store.ts';
export { openPostgresStore } from './store/postgres/postgres-store.ts';
export { SQLITE_MIGRATIONS } from './store/sqlite/migrations.ts';
export { toRefreshToken, type Row } from './store/sql/rows.ts';
export type { RotationOutcome, RotationPlanner } from './domain/model.ts';
export { planExchange } from './domain/refresh-tokens.ts';
export { newRefreshSecret } from './domain/refresh-secrets.ts';
export { sha256 } from './crypto/secrets.ts';
