import type Database from 'better-sqlite3';
import type { RateLimiter } from '../../domain/rate-limiter.ts';
import type { TenantSettings } from '../../domain/model.ts';
import type { TenantSettingsStore } from '../contract/tenant-settings.ts';
import { toSettings, type Row } from '../sql/rows.ts';
import { openSqlite } from '@rtc/db/sqlite';
import { COUNTER_MIGRATIONS } from './migrations.ts';
import { SqliteLocks } from './sqlite-locks.ts';
import { SqliteRateLimiter } from './sqlite-rate-limiter.ts';
import type { SqliteConnection } from './connection.ts';
import type { SqliteDirectoryCache } from './directory-cache.ts';
import { DEMO_MARK } from '../sql/rows.ts';

/** The tenant's settings, signing keys and secrets, and what its worker processes share: locks and rate-limit counts. */
export class SqliteTenantSettings implements TenantSettingsStore {
  private readonly locks = new Map<string, Promise<void>>();
  private readonly fileLocks: SqliteLocks;
  /** The rate-limit counters' file (see COUNTER_MIGRATIONS), opened with the first limiter. */
  private counters: Database.Database | undefined;

  /** `path` is the tenant's file (the counters' goes beside it), or `:memory:`. */
  constructor(
    private readonly connection: SqliteConnection,
    private readonly path: string,
    private readonly cache: SqliteDirectoryCache,
  ) {
    this.fileLocks = new SqliteLocks(connection.db);
  }

  async getSettings(): Promise<TenantSettings> {
    return this.cache.read('settings', () =>
      toSettings(this.connection.q('SELECT json FROM tenant_settings WHERE id = 1').get() as Row | undefined),
    );
  }

  async updateSettings(patch: (current: TenantSettings) => TenantSettings): Promise<TenantSettings> {
    return this.connection.tx(() => {
      const row = this.connection.q('SELECT json FROM tenant_settings WHERE id = 1').get() as Row | undefined;
      const current = toSettings(row);
      const next = patch(current);
      this.connection
        .q('INSERT INTO tenant_settings (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json')
        .run(JSON.stringify(next));
      return next;
    });
  }

  async getSigningKeys() {
    const rows = this.connection
      .q('SELECT kid, private_jwk, public_jwk FROM signing_keys ORDER BY created_at DESC')
      .all() as Row[];
    return rows.map((r) => ({
      kid: r.kid as string,
      privateJwk: r.private_jwk as string,
      publicJwk: r.public_jwk as string,
    }));
  }

  async addFirstSigningKey(key: { kid: string; privateJwk: string; publicJwk: string; created_at: number }) {
    this.connection.tx(() => {
      if (this.connection.q('SELECT 1 FROM signing_keys LIMIT 1').get()) return;
      this.connection
        .q('INSERT INTO signing_keys (kid, private_jwk, public_jwk, created_at) VALUES (?, ?, ?, ?)')
        .run(key.kid, key.privateJwk, key.publicJwk, key.created_at);
    });
  }

  /**
   * Callers in this process queue here; across the worker processes on the file, the lock's
   * row (`SqliteLocks`) decides.
   */
  async exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.locks.set(
      name,
      previous.then(() => mine),
    );
    await previous;
    try {
      return await this.fileLocks.hold(name, fn);
    } finally {
      release();
    }
  }

  /** Counted in a file beside the tenant's, so every worker process on it shares the counts. */
  createRateLimiter(limit: number, windowMs: number): RateLimiter {
    this.counters ??= openSqlite(
      this.path === ':memory:' ? ':memory:' : this.path.replace(/(\.sqlite)?$/, '.counters.sqlite'),
      COUNTER_MIGRATIONS,
    );
    return new SqliteRateLimiter(this.counters, limit, windowMs);
  }

  async getOrCreateSecret(name: string, create: () => string): Promise<string> {
    return this.connection.tx(() => {
      const row = this.connection.q('SELECT value FROM tenant_secrets WHERE name = ?').get(name) as Row | undefined;
      if (row) return row.value as string;
      const value = create();
      this.connection.q('INSERT INTO tenant_secrets (name, value) VALUES (?, ?)').run(name, value);
      return value;
    });
  }

  async isEmpty(): Promise<boolean> {
    return !this.connection.q('SELECT 1 FROM clients LIMIT 1').get();
  }

  /** A row of tenant_secrets (the tenant's own values, instance-id among them), never removed. */
  async markDemo(now: number): Promise<void> {
    this.connection
      .q('INSERT INTO tenant_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING')
      .run(DEMO_MARK, new Date(now).toISOString());
  }

  async isDemo(): Promise<boolean> {
    return !!this.connection.q('SELECT 1 FROM tenant_secrets WHERE name = ?').get(DEMO_MARK);
  }

  /** Closes the counters' file, if a limiter opened it (the SQLite store's close). */
  closeCounters(): void {
    if (this.counters?.open) this.counters.close();
  }
}
