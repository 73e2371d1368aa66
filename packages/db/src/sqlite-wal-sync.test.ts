import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from './sqlite.ts';
import { walSyncer } from './sqlite-wal-sync.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An fsync that finishes when the test says, recording each one. */
function controlledFsync() {
  const calls: { path: string; finish: () => void }[] = [];
  const fsync = (path: string) => new Promise<void>((finish) => calls.push({ path, finish }));
  return { calls, fsync };
}

describe('walSyncer', () => {
  it('shares one fsync among the calls made while another runs, and never answers a call with an fsync that began before it', async () => {
    const { calls, fsync } = controlledFsync();
    const sync = walSyncer('/data/tenant.db', fsync);
    const settled: string[] = [];
    const first = sync().then(() => settled.push('first'));
    const second = sync().then(() => settled.push('second'));
    const third = sync().then(() => settled.push('third'));
    expect(calls.map((c) => c.path)).toEqual(['/data/tenant.db-wal']);
    calls[0]!.finish();
    await first;
    // The second and third came while the first fsync ran: they wait for one more, shared.
    expect(settled).toEqual(['first']);
    await new Promise((r) => setImmediate(r));
    expect(calls).toHaveLength(2);
    calls[1]!.finish();
    await Promise.all([second, third]);
    expect(settled).toEqual(['first', 'second', 'third']);
    expect(calls).toHaveLength(2);
  });

  it('a failed fsync fails its callers and the next call starts a new one', async () => {
    let fail = true;
    const sync = walSyncer('/nowhere/x.db', async () => {
      if (fail) throw new Error('EIO');
    });
    await expect(sync()).rejects.toThrow('EIO');
    fail = false;
    await expect(sync()).resolves.toBeUndefined();
  });

  it("fsyncs a real database's WAL file", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wal-sync-'));
    dirs.push(dir);
    const path = join(dir, 'x.db');
    const db = openSqlite(path, []);
    db.exec('CREATE TABLE t (v)');
    db.pragma('synchronous = NORMAL');
    db.prepare('INSERT INTO t VALUES (1)').run();
    await expect(walSyncer(path)()).resolves.toBeUndefined();
    db.close();
  });
});
