import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkpointInBackground, openSqlite } from './sqlite.ts';

describe('checkpointInBackground', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const open = () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-checkpointer-'));
    dirs.push(dir);
    const path = join(dir, 'db.sqlite');
    return { path, db: openSqlite(path, ['CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL);']) };
  };

  it('copies the log into the database file from its own thread; the connection never does', async () => {
    const { path, db } = open();
    const stop = checkpointInBackground(db, path, 20);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = statSync(path).size;
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    // 2,000 commits of 2 KB: with SQLite's own threshold the writer would have checkpointed.
    for (let i = 0; i < 2_000; i++) insert.run(Buffer.alloc(2048, i % 256));
    // The file grows only when a checkpoint copies pages into it: the thread's, here.
    await expect.poll(() => statSync(path).size, { timeout: 20_000 }).toBeGreaterThan(before + 2_000_000);
    await stop();
    // Stopped, the connection checkpoints itself again as SQLite does by default.
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(2_000);
    db.close();
  });

  it('lets a script whose last step is stopping it finish: stop() keeps the process alive until the thread is gone', async () => {
    const { path, db } = open();
    const { execFileSync } = await import('node:child_process');
    db.close();
    // A process whose only pending work is stop(): it must end normally (0), not with Node's
    // "unsettled top-level await" (13), which is what an unreferenced wait gave.
    const script = `import { checkpointInBackground, openSqlite } from ${JSON.stringify(new URL('./sqlite.ts', import.meta.url).pathname)};
const db = openSqlite(${JSON.stringify(path)}, []);
const stop = checkpointInBackground(db, ${JSON.stringify(path)}, 20);
await stop();
db.close();`;
    expect(() =>
      execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'pipe' }),
    ).not.toThrow();
  });

  it('hands checkpoints back to the connection when its thread fails (here: it cannot open the file)', async () => {
    const { db } = open();
    const stop = checkpointInBackground(db, join(tmpdir(), 'rtc-no-such-dir', 'gone.sqlite'), 20);
    await expect.poll(() => db.pragma('wal_autocheckpoint', { simple: true }), { timeout: 10_000 }).toBe(1000);
    await stop();
    db.close();
  });
});
