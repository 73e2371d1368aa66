import type pg from 'pg';
import type { RateLimiter, RateLimitResult, WhenFull } from '../../domain/rate-limiter.ts';
import { DEMO_MARK, toSettings } from '../sql/rows.ts';
import type { TenantSettings } from '../../domain/model.ts';
import type { TenantSettingsStore } from '../contract/tenant-settings.ts';
import { prepared, toQuery, type PostgresConnection } from './connection.ts';

/** The tenant's settings, keys and secrets, and what its instances share: advisory locks, rate-limit counts. */
export class PostgresTenantSettings implements TenantSettingsStore {
  constructor(private readonly connection: PostgresConnection) {}

  async getSettings(): Promise<TenantSettings> {
    const row = await this.connection.one(SETTINGS, []);
    return toSettings(row);
  }

  async updateSettings(patch: (current: TenantSettings) => TenantSettings): Promise<TenantSettings> {
    return this.connection.tx(async (db) => {
      await db.query("INSERT INTO tenant_settings (id, json) VALUES (1, '{}') ON CONFLICT (id) DO NOTHING");
      const row = await this.connection.one('SELECT json FROM tenant_settings WHERE id = 1 FOR UPDATE', [], db);
      const next = patch(toSettings(row));
      await db.query('UPDATE tenant_settings SET json = $1 WHERE id = 1', [JSON.stringify(next)]);
      return next;
    });
  }

  async getSigningKeys() {
    const rows = await this.connection.all(
      'SELECT kid, private_jwk, public_jwk FROM signing_keys ORDER BY created_at DESC, kid',
    );
    return rows.map((r) => ({
      kid: r.kid as string,
      privateJwk: r.private_jwk as string,
      publicJwk: r.public_jwk as string,
    }));
  }

  async addFirstSigningKey(key: { kid: string; privateJwk: string; publicJwk: string; created_at: number }) {
    await this.exclusive('signing-keys', async () => {
      if (await this.connection.one('SELECT 1 FROM signing_keys LIMIT 1')) return;
      await this.connection.pool.query(
        'INSERT INTO signing_keys (kid, private_jwk, public_jwk, created_at) VALUES ($1, $2, $3, $4)',
        [key.kid, key.privateJwk, key.publicJwk, key.created_at],
      );
    });
  }

  async exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const client = await this.connection.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
      }
    } finally {
      client.release();
    }
  }

  /** Counted in rows, unbounded: `whenFull` is for stores that bound their counts in memory. */
  createRateLimiter(limit: number, windowMs: number, _options?: { whenFull?: WhenFull }): RateLimiter {
    return new PostgresRateLimiter(this.connection.pool, limit, windowMs);
  }

  async getOrCreateSecret(name: string, create: () => string): Promise<string> {
    await this.connection.pool.query(
      'INSERT INTO tenant_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
      [name, create()],
    );
    return (await this.connection.one('SELECT value FROM tenant_secrets WHERE name = $1', [name]))!.value as string;
  }

  async isEmpty(): Promise<boolean> {
    return !(await this.connection.one('SELECT 1 FROM clients LIMIT 1'));
  }

  /** A row of tenant_secrets (the tenant's own values, instance-id among them), never removed. */
  async markDemo(now: number): Promise<void> {
    await this.connection.pool.query(
      'INSERT INTO tenant_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
      [DEMO_MARK, new Date(now).toISOString()],
    );
  }

  async isDemo(): Promise<boolean> {
    return !!(await this.connection.one('SELECT 1 FROM tenant_secrets WHERE name = $1', [DEMO_MARK]));
  }
}

/** Fixed windows in one upsert: every instance counts into the same row. */
class PostgresRateLimiter implements RateLimiter {
  private sweeps = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  async hit(key: string, now: number): Promise<RateLimitResult> {
    const { rows } = await this.pool.query<{ count: number; reset_at: number }>(
      toQuery(RATE_LIMIT_HIT, [key, now, this.windowMs]),
    );
    if (++this.sweeps % 1000 === 0)
      void this.pool.query('DELETE FROM rate_limits WHERE reset_at < $1', [now - 3_600_000]).catch(() => {});
    const { count, reset_at } = rows[0]!;
    return {
      allowed: count <= this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - count),
      resetAt: Number(reset_at),
    };
  }

  async peek(key: string, now: number): Promise<RateLimitResult> {
    const { rows } = await this.pool.query<{ count: number; reset_at: number }>(
      'SELECT count, reset_at FROM rate_limits WHERE key = $1 AND reset_at > $2',
      [key, now],
    );
    const count = rows[0]?.count ?? 0;
    return {
      allowed: count < this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - count),
      resetAt: rows[0] ? Number(rows[0].reset_at) : now + this.windowMs,
    };
  }

  async reset(key: string): Promise<void> {
    await this.pool.query('DELETE FROM rate_limits WHERE key = $1', [key]);
  }

  async refund(key: string, now: number): Promise<void> {
    await this.pool.query('UPDATE rate_limits SET count = count - 1 WHERE key = $1 AND reset_at > $2 AND count > 0', [
      key,
      now,
    ]);
  }
}

/** Counted on every exchange and Management API request: prepared once per connection. */
const RATE_LIMIT_HIT = prepared(
  'rate_limit_hit',
  `INSERT INTO rate_limits (key, count, reset_at) VALUES ($1, 1, $2::bigint + $3::bigint)
   ON CONFLICT (key) DO UPDATE SET
     count = CASE WHEN rate_limits.reset_at <= $2 THEN 1 ELSE rate_limits.count + 1 END,
     reset_at = CASE WHEN rate_limits.reset_at <= $2 THEN $2::bigint + $3::bigint ELSE rate_limits.reset_at END
   RETURNING count, reset_at`,
);

/** Read on every revocation (whether it deletes the grant): prepared once per connection. */
const SETTINGS = prepared('tenant_settings', 'SELECT json FROM tenant_settings WHERE id = 1');
