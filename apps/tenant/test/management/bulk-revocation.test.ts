import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { sha256 } from '../../src/crypto/secrets.ts';
import { generatedTokenValue, generateTenant } from '../../src/large-tenant/generate.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { createTenant } from '../../src/tenant.ts';
import { testStorage } from '../fixtures.ts';

const dirs: string[] = [];
const cleanups: (() => Promise<void> | undefined)[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('a 50,000-token revocation interrupted by a restart', () => {
  it('is in force at once, survives the restart, and completes with nothing left usable', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tenant-bulk-'));
    dirs.push(dataDir);
    const issuer = 'http://127.0.0.1:4400/';
    const pg = process.env.TEST_STORE === 'postgres' ? testStorage() : undefined;
    cleanups.push(() => pg?.cleanup());
    const storage = pg?.storage ?? dataDir;
    const schema = pg?.schema ? { schema: pg.schema } : {};
    await generateTenant({
      dataDir: storage,
      ...schema,
      issuer,
      users: 10,
      tokens: 50_000,
      heavyUserTokens: 50_000,
      seed: 'bulk',
      log: () => {},
    });
    const clock = new ManualClock(Date.now());
    // A fixed instance id: a restarted process resumes its own lease at once.
    const open = () =>
      createTenant({
        issuer,
        storage,
        ...schema,
        clock,
        logger: silentLogger,
        revocationBatchSize: 2_000,
        instanceId: 'bulk-test',
      });
    const usable = async (tenant: Awaited<ReturnType<typeof open>>, index: number) =>
      (
        await tenant.deps.store.refreshTokens.findRefreshTokenBySecret(
          sha256(generatedTokenValue('bulk', index)),
          clock.now(),
        )
      )?.usable;

    let tenant = await open();
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'rtc-management',
      client_secret: 'rtc-management-demo-secret-0123456789abcdef',
      audience: `${issuer}api/v2/`,
    });
    const token = (await (
      await tenant.app.request('/oauth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      })
    ).json()) as { access_token: string };
    expect(await usable(tenant, 49_999)).toBe(true);

    const res = await tenant.app.request('/api/v2/users/auth0%7Cheavy/refresh-tokens', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token.access_token}` },
    });
    expect(res.status).toBe(202);
    // In force before any row is marked: the journal is consulted on every exchange.
    expect(await usable(tenant, 0)).toBe(false);
    expect(await usable(tenant, 49_999)).toBe(false);

    // Stop in the middle: some batches applied, the job still journaled.
    for (;;) {
      const [job] = await tenant.deps.store.revocationJournal.listRevocationJobs();
      if (job && (job.revoked_count ?? 0) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await tenant.close();

    tenant = await open();
    try {
      const pending = await tenant.deps.store.revocationJournal.listRevocationJobs();
      expect(pending).toHaveLength(1);
      expect(pending[0]!.revoked_count).toBeLessThan(50_000);
      expect(await usable(tenant, 49_999)).toBe(false);
      await tenant.deps.revocations.idle();
      expect(
        await tenant.deps.store.refreshTokens.countLiveRefreshTokens({ user_id: 'auth0|heavy' }, clock.now()),
      ).toBe(0);
      for (const index of [0, 1, 24_999, 49_999]) expect(await usable(tenant, index)).toBe(false);
    } finally {
      await tenant.close();
    }
  }, 120_000);
});
