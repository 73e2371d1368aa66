import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { historyAndFresh, type Migrations } from './migrations.ts';

export type { Migrations };

/**
 * Opens a SQLite database the way every store here wants it: WAL, synchronous=FULL (each
 * commit on disk before the answer), a busy timeout for other processes, then applies the
 * migrations not yet applied, each once, tracked in `PRAGMA user_version` (a new database from
 * `migrations.fresh`, if given: see Migrations).
 * `path` is a file (its folder is created) or `:memory:`. `functions` are registered (as
 * deterministic SQL functions) before the migrations run, so a migration can backfill with them.
 *
 * The file holds secrets (the tenant's signing key, cookie secrets, the audit log), so its
 * folder is private (0700) and the file 0600 before SQLite opens it: SQLite creates the
 * `-wal` and `-shm` files with the database file's own mode.
 */
export function openSqlite(
  path: string,
  migrations: string[] | Migrations,
  options: { functions?: Record<string, (...args: never[]) => unknown> } = {},
): Database.Database {
  if (path !== ':memory:') keepPrivate(path);
  const db = new Database(path);
  for (const [name, fn] of Object.entries(options.functions ?? {}))
    db.function(name, { deterministic: true }, fn as (...args: unknown[]) => unknown);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('foreign_keys = ON');
  const { history, fresh } = historyAndFresh(migrations);
  const appliedVersion = () => db.pragma('user_version', { simple: true }) as number;
  if (fresh !== undefined && appliedVersion() === 0) {
    db.transaction(() => {
      // Read again under the write lock: another process may have created it meanwhile.
      if (appliedVersion() !== 0) return;
      db.exec(fresh);
      db.pragma(`user_version = ${history.length}`);
    }).immediate();
  }
  const applied = appliedVersion();
  for (let version = applied; version < history.length; version++) {
    db.transaction(() => {
      db.exec(history[version]!);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
  return db;
}

/** The folder 0700 and the database file (and its WAL and shared memory, if any) 0600. */
function keepPrivate(path: string): void {
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  // An existing folder or file (an older version, a restored backup) is tightened too, if ours.
  const ours = (p: string) => typeof process.getuid !== 'function' || statSync(p).uid === process.getuid();
  if (ours(folder)) chmodSync(folder, 0o700);
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file) && ours(file)) chmodSync(file, 0o600);
  }
}

const BUSY_TIMEOUT_MS = 5000;
const pause = new Int32Array(new SharedArrayBuffer(4));
const noWaiting = new WeakMap<Database.Database, { off: Database.Statement; on: Database.Statement }>();

/**
 * Runs `write` (a transaction begun IMMEDIATE, or one writing statement) and, while another
 * process on the file holds the write lock, tries again in steps of 20 µs doubling to 1 ms.
 *
 * SQLite's own busy handler would wait too, but it sleeps in coarse steps (measured: it went
 * on 12-13 ms after the lock was free; ours 1-3 ms), and better-sqlite3 is synchronous, so each
 * sleep stops this process's event loop. Worker processes on one file (`--workers`) hold the
 * lock for tens of microseconds at a time: sleeping milliseconds for it cost more than the work. `write` must have no effect outside
 * the database until it returns (it may run again), which holds for a transaction function.
 */
export function whenWritable<T>(db: Database.Database, write: () => T): T {
  let toggles = noWaiting.get(db);
  if (!toggles) {
    toggles = {
      off: db.prepare('PRAGMA busy_timeout = 0'),
      on: db.prepare(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`),
    };
    noWaiting.set(db, toggles);
  }
  toggles.off.run();
  try {
    for (let waited = 0, step = 0.02; ; ) {
      try {
        return write();
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' || waited >= BUSY_TIMEOUT_MS) throw err;
        Atomics.wait(pause, 0, 0, step);
        waited += step;
        step = Math.min(step * 2, 1);
      }
    }
  } finally {
    toggles.on.run();
  }
}
export { checkpointInBackground } from './sqlite-checkpointer.ts';
export { walSyncer } from './sqlite-wal-sync.ts';
