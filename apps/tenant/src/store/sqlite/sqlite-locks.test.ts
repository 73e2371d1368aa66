import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteTenantStore } from './sqlite-store.ts';

/** Two handles on one file stand for two worker processes: each has its own connection. */
describe('settings.exclusive of SQLite stores on one file', () => {
  const dirs: string[] = [];
  const stores: SqliteTenantStore[] = [];
  const open = (dir: string) => {
    const store = openSqliteStore(join(dir, 'tenant.sqlite'));
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('runs one holder at a time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-locks-'));
    dirs.push(dir);
    const [a, b] = [open(dir), open(dir)];
    const timeline: string[] = [];
    const work = (store: SqliteTenantStore, name: string) =>
      store.settings.exclusive('demo-seed', async () => {
        timeline.push(`${name} in`);
        await sleep(60);
        timeline.push(`${name} out`);
      });
    await Promise.all([work(a, 'a'), work(b, 'b'), work(a, 'a2'), work(b, 'b2')]);
    for (let i = 0; i < timeline.length; i += 2) expect(timeline[i + 1]).toBe(timeline[i]!.replace(' in', ' out'));
    expect(timeline).toHaveLength(8);
  });

  it('frees the lock when the work fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-locks-'));
    dirs.push(dir);
    const [a, b] = [open(dir), open(dir)];
    await expect(
      a.settings.exclusive('x', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await b.settings.exclusive('x', async () => 'taken')).toBe('taken');
  });

  it('lets a lock lapse once its holder is gone past the lease', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-locks-'));
    dirs.push(dir);
    const [a, b] = [open(dir), open(dir)];
    // A holder that died: its row is there, its lease already over.
    a.raw.prepare('INSERT INTO locks (name, holder, expires_at) VALUES (?, ?, ?)').run('x', 'dead', Date.now() - 1);
    expect(await b.settings.exclusive('x', async () => 'taken')).toBe('taken');
    a.raw
      .prepare('INSERT INTO locks (name, holder, expires_at) VALUES (?, ?, ?)')
      .run('y', 'alive', Date.now() + 60_000);
    const waiting = b.settings.exclusive('y', async () => 'taken');
    expect(await Promise.race([waiting, sleep(200, 'still waiting')])).toBe('still waiting');
    a.raw.prepare('DELETE FROM locks WHERE name = ?').run('y');
    expect(await waiting).toBe('taken');
  });
});
