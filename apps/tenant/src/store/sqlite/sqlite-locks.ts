import type Database from 'better-sqlite3';
import { whenWritable } from '@rtc/db/sqlite';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long a lock outlives a holder that died without releasing it. */
const LEASE_MS = 30_000;
const RETRY_MS = 25;

/**
 * Named locks held across every process on one SQLite file (worker processes, or two tenants
 * pointed at one data directory), as `pg_advisory_lock` is on PostgreSQL. A transaction cannot
 * stay open across the awaits of the work it guards (the same connection commits inside it),
 * so a lock is a row: taken by one atomic upsert, renewed while the work runs, deleted after.
 * A holder that dies lets its lock lapse after `LEASE_MS`.
 */
export class SqliteLocks {
  private readonly take: Database.Statement;
  private readonly renew: Database.Statement;
  private readonly release: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.take = db.prepare(
      `INSERT INTO locks (name, holder, expires_at) VALUES (@name, @holder, @until)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at WHERE locks.expires_at <= @now`,
    );
    this.renew = db.prepare('UPDATE locks SET expires_at = ? WHERE name = ? AND holder = ?');
    this.release = db.prepare('DELETE FROM locks WHERE name = ? AND holder = ?');
  }

  async hold<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const holder = randomUUID();
    while (
      whenWritable(this.db, () => this.take.run({ name, holder, now: Date.now(), until: Date.now() + LEASE_MS }))
        .changes === 0
    )
      await sleep(RETRY_MS);
    const renewal = setInterval(() => this.renew.run(Date.now() + LEASE_MS, name, holder), LEASE_MS / 3);
    renewal.unref();
    try {
      return await fn();
    } finally {
      clearInterval(renewal);
      this.release.run(name, holder);
    }
  }
}
