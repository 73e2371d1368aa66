/** PostgreSQL plumbing the BFF reuses for its own store. */
export { createPool, dropSchema, runMigrations as runPostgresMigrations, transaction } from './pool.ts';
