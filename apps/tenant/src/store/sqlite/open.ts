import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Opens a SQLite database the way every store here wants it: WAL, synchronous=FULL (each
 * commit on disk before the answer), a busy timeout for other processes, then applies the
 * migrations not yet applied, each once, tracked in `PRAGMA user_version`.
 * `path` is a file (its folder is created) or `:memory:`.
 */
export function openSqlite(path: string, migrations: string[]): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  const applied = db.pragma('user_version', { simple: true }) as number;
  for (let version = applied; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version]!);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
  return db;
}
