export { createBff, type Bff } from './bff.ts';
export { readConfig, type BffConfig } from './config.ts';
export { startEmbeddedStack, type EmbeddedStack } from './embedded.ts';
