import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientRecord } from '../../domain/model.ts';
import { openSqliteStore, type SqliteTenantStore } from './sqlite-store.ts';

const client = (client_id: string, name: string): ClientRecord =>
  ({
    client_id,
    name,
    app_type: 'regular_web',
    token_endpoint_auth_method: 'client_secret_post',
    client_secret_hash: null,
    grant_types: ['refresh_token'],
    callbacks: [],
    allowed_logout_urls: [],
    web_origins: [],
    allowed_origins: [],
    refresh_token: {
      rotation_type: 'non-rotating',
      expiration_type: 'non-expiring',
      leeway: 0,
      token_lifetime: 0,
      infinite_token_lifetime: true,
      idle_token_lifetime: 0,
      infinite_idle_token_lifetime: true,
    },
    created_at: 1,
  }) as unknown as ClientRecord;

/**
 * Clients, APIs and settings are cached per process behind `directory_version`. Two handles on
 * one file stand for two worker processes; a third, raw connection for a tool that writes the
 * file directly. Whoever wrote, the next read anywhere sees it.
 */
describe('the directory cache', () => {
  const dirs: string[] = [];
  const stores: SqliteTenantStore[] = [];
  const open = (dir: string) => {
    const store = openSqliteStore(join(dir, 'tenant.sqlite'));
    stores.push(store);
    return store;
  };
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-dircache-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("serves another process's change to a client, an API or the settings at the next read", async () => {
    const dir = newDir();
    const [a, b] = [open(dir), open(dir)];
    await a.directory.putClient(client('app', 'First'));
    await a.directory.putResourceServer({
      id: 'rs',
      identifier: 'https://api/',
      name: 'API',
      scopes: [],
      token_lifetime: 60,
    } as never);
    // Read (and cached) in b.
    expect((await b.directory.getClient('app'))?.name).toBe('First');
    expect((await b.directory.getResourceServer('https://api/'))?.token_lifetime).toBe(60);
    const before = (await b.settings.getSettings()).session_lifetime;

    await a.directory.putClient(client('app', 'Second'));
    expect((await b.directory.getClient('app'))?.name).toBe('Second');
    await a.directory.putResourceServer({
      id: 'rs',
      identifier: 'https://api/',
      name: 'API',
      scopes: [],
      token_lifetime: 120,
    } as never);
    expect((await b.directory.getResourceServer('https://api/'))?.token_lifetime).toBe(120);
    await a.settings.updateSettings((s) => ({ ...s, session_lifetime: before + 1 }));
    expect((await b.settings.getSettings()).session_lifetime).toBe(before + 1);

    // A client unknown when first asked, created since, is found: a miss is not remembered past a change.
    expect(await b.directory.getClient('later')).toBeUndefined();
    await a.directory.putClient(client('later', 'Later'));
    expect((await b.directory.getClient('later'))?.name).toBe('Later');
  });

  it('follows a write made outside the store, and a deletion', async () => {
    const dir = newDir();
    const store = open(dir);
    await store.directory.putClient(client('app', 'First'));
    expect((await store.directory.getClient('app'))?.name).toBe('First');
    const raw = new Database(join(dir, 'tenant.sqlite'));
    try {
      raw.prepare("UPDATE clients SET json = json_set(json, '$.name', 'Edited') WHERE client_id = 'app'").run();
      expect((await store.directory.getClient('app'))?.name).toBe('Edited');
      raw.prepare("DELETE FROM clients WHERE client_id = 'app'").run();
      expect(await store.directory.getClient('app')).toBeUndefined();
    } finally {
      raw.close();
    }
  });

  it('hands out records no caller can change for the next', async () => {
    const store = open(newDir());
    await store.directory.putClient(client('app', 'First'));
    const read = await store.directory.getClient('app');
    expect(() => {
      (read as { name: string }).name = 'Changed';
    }).toThrow(TypeError);
    expect(() => (read!.grant_types as string[]).push('password')).toThrow(TypeError);
    expect((await store.directory.getClient('app'))?.grant_types).toEqual(['refresh_token']);
  });
});
