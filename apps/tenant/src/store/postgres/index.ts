/** PostgreSQL plumbing the BFF reuses for its own store. */
export { createPool, runMigrations as runPostgresMigrations, transaction } from './pool.ts';
