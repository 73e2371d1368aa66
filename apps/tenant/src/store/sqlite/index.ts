/** SQLite plumbing the BFF reuses for its own store. */
export { openSqlite } from './open.ts';
