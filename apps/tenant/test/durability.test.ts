import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { createTenant } from '../src/tenant.ts';
import { DEMO } from '../src/demo/demo-data.ts';
import { testStorage } from './fixtures.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  await pgWhere?.cleanup();
});

/** On disk (SQLite data directory), or the same PostgreSQL schema each time. */
const pgWhere = process.env.TEST_STORE === 'postgres' ? testStorage() : undefined;
const open = (dataDir: string, clock: ManualClock) =>
  createTenant({
    issuer: 'http://127.0.0.1:4400/',
    storage: pgWhere?.storage ?? dataDir,
    ...(pgWhere?.schema ? { schema: pgWhere.schema } : {}),
    clock,
    logger: silentLogger,
    demo: true,
  });

const form = (body: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(body).toString(),
});

describe(`restart durability (${pgWhere ? 'PostgreSQL' : 'SQLite on disk'})`, () => {
  it('keeps keys, tokens, rotations, revocations and settings across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tenant-'));
    dirs.push(dataDir);
    const clock = new ManualClock();
    let tenant = await open(dataDir, clock);
    const kid = tenant.deps.keys.kid;
    const login = async (device: string) => {
      const res = await tenant.app.request(
        '/oauth/token',
        form({
          grant_type: 'password',
          client_id: DEMO.clients.mobile.client_id,
          username: DEMO.sampleUser.email,
          password: DEMO.endUserPassword,
          scope: 'openid offline_access',
          device,
        }),
      );
      return ((await res.json()) as { refresh_token: string }).refresh_token;
    };
    const refresh = (token: string) =>
      tenant.app.request(
        '/oauth/token',
        form({ grant_type: 'refresh_token', client_id: DEMO.clients.mobile.client_id, refresh_token: token }),
      );

    const kept = await login('kept');
    const rotatedFrom = await login('rotated');
    const rotatedTo = ((await (await refresh(rotatedFrom)).json()) as { refresh_token: string }).refresh_token;
    const revoked = await login('revoked');
    await tenant.app.request('/oauth/revoke', form({ client_id: DEMO.clients.mobile.client_id, token: revoked }));
    await tenant.deps.store.settings.updateSettings((s) => ({
      ...s,
      flags: { ...s.flags, revoke_refresh_token_grant: true },
    }));
    const usersBefore = (await tenant.deps.store.directory.searchUsers({ page: 0, perPage: 1 })).total;
    await tenant.close();

    tenant = await open(dataDir, clock);
    try {
      expect(tenant.deps.keys.kid).toBe(kid);
      expect((await tenant.deps.store.directory.searchUsers({ page: 0, perPage: 1 })).total).toBe(usersBefore);
      expect((await tenant.deps.store.settings.getSettings()).flags.revoke_refresh_token_grant).toBe(true);
      expect((await refresh(kept)).status).toBe(200);
      expect((await refresh(revoked)).status).toBe(403);
      const successor = await refresh(rotatedTo);
      expect(successor.status).toBe(200);
      const newest = ((await successor.json()) as { refresh_token: string }).refresh_token;
      // The secret rotated away before the restart is still recognised as reuse: a reuse event,
      // and the whole family (its newest token too) revoked.
      expect((await refresh(rotatedFrom)).status).toBe(403);
      const events = await tenant.deps.store.events.listEvents({}, 100);
      expect(events.filter((e) => e.type === 'ferrt')).toHaveLength(1);
      expect((await refresh(newest)).status).toBe(403);
    } finally {
      await tenant.close();
    }
  });
});
