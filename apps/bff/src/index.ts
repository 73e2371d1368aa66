export { createBff, type Bff } from './bff.ts';
export { readConfig, type BffConfig } from './config.ts';
export { DASHBOARD_DIST } from './dashboard-dist.ts';
export type { Logger } from './deps.ts';
export { reportMemoryAfterGcOnSignal, stopOnSignals } from './process-signals.ts';
export { serveBff } from './serve.ts';
