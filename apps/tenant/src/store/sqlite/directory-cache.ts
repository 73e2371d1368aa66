import type { SqliteConnection } from './connection.ts';

/** Past this many entries the cache starts again: unknown client ids must not grow it without bound. */
const MAX_ENTRIES = 1_000;

/**
 * Clients, APIs and the tenant's settings: read on every token request, changed a few times a
 * day. Each process keeps what it read, keyed by `directory_version`, a counter that triggers
 * move in the writer's own transaction on every change to those tables (sql/schema.ts), from
 * any process, tool or migration. Every read checks the counter first (one primary-key read of
 * a one-row table) and drops the whole cache when it moved, so nothing is ever served staler
 * than a read of the table itself would be.
 *
 * Inside a transaction nothing is cached or served from the cache: a value read there might
 * be rolled back, and the counter with it.
 */
export class SqliteDirectoryCache {
  private version: unknown = undefined;
  private readonly entries = new Map<string, unknown>();

  constructor(private readonly connection: SqliteConnection) {}

  read<T>(key: string, load: () => T): T {
    if (this.connection.db.inTransaction) return load();
    const version = this.connection.q('SELECT n FROM directory_version WHERE id = 1').get() as
      | { n: unknown }
      | undefined;
    if (version?.n !== this.version || this.entries.size >= MAX_ENTRIES) {
      this.entries.clear();
      this.version = version?.n;
    }
    if (this.entries.has(key)) return this.entries.get(key) as T;
    // Shared by every request from here on: frozen, so no caller can change another's copy.
    const value = deepFreeze(load());
    this.entries.set(key, value);
    return value;
  }
}

/** Every object and array in `value`, recursively; bytes (a secret's hash) cannot be frozen and are left as they are. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
