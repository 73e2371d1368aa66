import type Database from 'better-sqlite3';
import { whenWritable } from '@rtc/db/sqlite';
import { createHash } from 'node:crypto';
import type { RateLimiter, RateLimitResult } from '../../domain/rate-limiter.ts';

/**
 * Fixed-window counters in SQLite (the counters file beside the tenant's), so every worker process
 * on the tenant counts together (as `PostgresRateLimiter` does across instances).
 *
 * Nothing live is ever evicted from the table, so both `whenFull` policies of the in-memory
 * limiter hold without a bound: a flood of new keys cannot push out a live lockout, and a new
 * key is always counted. Expired windows are swept once per window.
 *
 * A count is worth less than a rotation: each hit commits to the WAL without an fsync of its
 * own (synchronous=NORMAL), so a crash loses nothing and a power cut at worst forgets the last
 * moments' counts.
 */
/**
 * A key's row is named by its SHA-256: keys carry what callers count by (an account name typed
 * at sign-in, up to the body limit), and a row per attempt must stay small however long that is.
 */
const rowKey = (key: string) => createHash('sha256').update(key).digest('base64url');

export class SqliteRateLimiter implements RateLimiter {
  private readonly upsert: Database.Statement;
  private readonly read: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly giveBack: Database.Statement;
  private readonly sweep: Database.Statement;
  private readonly walOnly: Database.Statement;
  private readonly full: Database.Statement;
  private nextSweep = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO rate_limits (key, count, reset_at) VALUES (@key, 1, @now + @window)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN reset_at <= @now THEN 1 ELSE count + 1 END,
         reset_at = CASE WHEN reset_at <= @now THEN @now + @window ELSE reset_at END
       RETURNING count, reset_at`,
    );
    this.read = db.prepare('SELECT count, reset_at FROM rate_limits WHERE key = ? AND reset_at > ?');
    this.remove = db.prepare('DELETE FROM rate_limits WHERE key = ?');
    this.giveBack = db.prepare('UPDATE rate_limits SET count = count - 1 WHERE key = ? AND reset_at > ? AND count > 0');
    // A window that has ended counts as no window (hit restarts it), whichever limiter wrote it.
    this.sweep = db.prepare('DELETE FROM rate_limits WHERE reset_at <= ?');
    this.walOnly = db.prepare('PRAGMA synchronous = NORMAL');
    this.full = db.prepare('PRAGMA synchronous = FULL');
  }

  /** One statement, atomic across processes: it takes the write lock before it reads. */
  private write<T>(fn: () => T): T {
    this.walOnly.run();
    try {
      return whenWritable(this.db, fn);
    } finally {
      this.full.run();
    }
  }

  async hit(key: string, now: number): Promise<RateLimitResult> {
    const row = this.write(() => {
      if (now >= this.nextSweep) {
        this.sweep.run(now);
        this.nextSweep = now + this.windowMs;
      }
      return this.upsert.get({ key: rowKey(key), now, window: this.windowMs }) as { count: number; reset_at: number };
    });
    return {
      allowed: row.count <= this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - row.count),
      resetAt: row.reset_at,
    };
  }

  async peek(key: string, now: number): Promise<RateLimitResult> {
    const row = this.read.get(rowKey(key), now) as { count: number; reset_at: number } | undefined;
    const count = row?.count ?? 0;
    return {
      allowed: count < this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - count),
      resetAt: row ? row.reset_at : now + this.windowMs,
    };
  }

  async reset(key: string): Promise<void> {
    this.write(() => this.remove.run(rowKey(key)));
  }

  async refund(key: string, now: number): Promise<void> {
    this.write(() => this.giveBack.run(rowKey(key), now));
  }
}
