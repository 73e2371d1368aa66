import { DEMO, generatedTokenValue, generateTenant, sha256, openSqliteStore } from '@rtc/tenant';
import { endUserApp } from '@rtc/testkit';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startTenant, type Proc } from '@rtc/stack';
import { openSqlite } from '@rtc/db/sqlite';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function tenantOn(dataDir: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const proc = await startTenant(dataDir, port, { TENANT_REFRESH_RATE_LIMIT: '100000', ...env });
  cleanup.push(() => proc.kill9());
  return proc;
}

function dataDir() {
  const dir = mkdtempSync(join(tmpdir(), 'rtc-crash-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The store as it is on disk right now (the server is dead or alive; WAL allows both). */
function onDisk(dir: string) {
  const store = openSqliteStore(join(dir, 'tenant.sqlite'));
  cleanup.push(() => store.close());
  return store;
}

/**
 * Rows not yet marked revoked. Listings leave out what a journaled revocation covers from the
 * moment it is journaled, so only the rows tell how far the background worker got.
 */
function unmarkedRows(dir: string, filter: { user_id: string; client_id?: string }): number {
  const db = openSqlite(join(dir, 'tenant.sqlite'), []);
  try {
    const byClient = filter.client_id === undefined ? '' : ' AND client_id = @client_id';
    return db
      .prepare(`SELECT count(*) FROM refresh_tokens WHERE user_id = @user_id${byClient} AND revoked_at IS NULL`)
      .pluck()
      .get(filter) as number;
  } finally {
    db.close();
  }
}

async function managementToken(tenant: Proc) {
  const res = await fetch(`${tenant.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: DEMO.clients.management.client_id,
      client_secret: DEMO.clients.management.secret,
      audience: `${tenant.url}/api/v2/`,
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('kill -9, then restart', () => {
  it('during a burst of rotations: no family has two live tokens, and the tenant serves again', async () => {
    const dir = dataDir();
    const tenant = await tenantOn(dir);
    // A reuse interval, so the secret before the current one is legitimately usable for a while:
    // the check below then tells a correct pair from a family that kept an older secret alive.
    const mgmt = { authorization: `Bearer ${await managementToken(tenant)}`, 'content-type': 'application/json' };
    const mobile = (await (
      await fetch(`${tenant.url}/api/v2/clients/${DEMO.clients.mobile.client_id}`, { headers: mgmt })
    ).json()) as { refresh_token: Record<string, unknown> };
    const patched = await fetch(`${tenant.url}/api/v2/clients/${DEMO.clients.mobile.client_id}`, {
      method: 'PATCH',
      headers: mgmt,
      body: JSON.stringify({ refresh_token: { ...mobile.refresh_token, leeway: 60 } }),
    });
    expect(patched.status).toBe(200);
    const app = endUserApp(tenant.url);
    // One after another: sign-in attempts are counted before the password check (10 at once per account and address).
    const chains: { seen: string[] }[] = [];
    for (let i = 0; i < 16; i++) chains.push({ seen: [await app.login(DEMO.sampleUser.email, `Crash ${i}`)] });
    let stop = false;
    const burst = chains.map(async (chain) => {
      while (!stop) {
        const result = await app.refresh(chain.seen.at(-1)!).catch(() => undefined);
        if (result?.status !== 200) return;
        chain.seen.push(result.refreshToken!);
      }
    });
    await new Promise((r) => setTimeout(r, 1500));
    await tenant.kill9();
    stop = true;
    await Promise.all(burst);
    expect(chains.reduce((n, c) => n + c.seen.length, 0)).toBeGreaterThan(100);

    const store = onDisk(dir);
    for (const chain of chains) {
      const usable: boolean[] = [];
      for (const value of chain.seen)
        usable.push(!!(await store.refreshTokens.findRefreshTokenBySecret(sha256(value), Date.now()))?.usable);
      // Within the reuse interval the last two secrets the app saw may both work (the newest may
      // also be one the crash kept from it); nothing older than those two may, ever.
      expect(usable.slice(0, -2).filter(Boolean)).toEqual([]);
      expect(usable.filter(Boolean).length).toBeLessThanOrEqual(2);
    }
    expect(store.raw.pragma('integrity_check', { simple: true })).toBe('ok');

    const again = await tenantOn(dir);
    const fresh = await endUserApp(again.url).login(DEMO.sampleUser.email, 'After crash');
    expect((await endUserApp(again.url).refresh(fresh)).status).toBe(200);
  }, 60_000);

  it('during a 50,000-token background revocation: it completes after restart, nothing left usable', async () => {
    const dir = dataDir();
    await generateTenant({
      dataDir: dir,
      issuer: 'http://127.0.0.1:1/',
      users: 5,
      tokens: 50_000,
      heavyUserTokens: 50_000,
      seed: 'crash',
      log: () => {},
    });
    const tenant = await tenantOn(dir, { TENANT_REVOCATION_BATCH_SIZE: '500' });
    const res = await fetch(`${tenant.url}/api/v2/users/auth0%7Cheavy/refresh-tokens`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${await managementToken(tenant)}` },
    });
    expect(res.status).toBe(202);
    const store = onDisk(dir);
    await expect
      .poll(async () => (await store.revocationJournal.listRevocationJobs())[0]?.revoked_count ?? 0, {
        timeout: 20_000,
        interval: 20,
      })
      .toBeGreaterThan(0);
    await tenant.kill9();
    // Killed part-way: some rows marked, not all; the listing already counts none.
    const left = unmarkedRows(dir, { user_id: 'auth0|heavy' });
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(50_000);
    expect(await store.refreshTokens.countLiveRefreshTokens({ user_id: 'auth0|heavy' }, Date.now())).toBe(0);
    for (const i of [0, 25_000, 49_999])
      expect(
        (await store.refreshTokens.findRefreshTokenBySecret(sha256(generatedTokenValue('crash', i)), Date.now()))!
          .usable,
      ).toBe(false);

    const again = await tenantOn(dir);
    await expect.poll(() => unmarkedRows(dir, { user_id: 'auth0|heavy' }), { timeout: 30_000, interval: 250 }).toBe(0);
    await expect
      .poll(() => store.revocationJournal.listRevocationJobs(), { timeout: 5_000, interval: 100 })
      .toEqual([]);
    expect((await endUserApp(again.url).refresh(generatedTokenValue('crash', 0))).status).toBe(403);
  }, 180_000);

  it("during a grant deletion: every token of the deleted grant is refused, the other grant's still work", async () => {
    const dir = dataDir();
    await generateTenant({
      dataDir: dir,
      issuer: 'http://127.0.0.1:1/',
      users: 5,
      tokens: 20_000,
      heavyUserTokens: 20_000,
      seed: 'grant',
      log: () => {},
    });
    const tenant = await tenantOn(dir, { TENANT_REVOCATION_BATCH_SIZE: '200' });
    const token = await managementToken(tenant);
    const grants = (await (
      await fetch(`${tenant.url}/api/v2/grants?user_id=auth0%7Cheavy`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { id: string; clientID: string }[];
    const mobile = grants.find((g) => g.clientID === DEMO.clients.mobile.client_id)!;
    expect(
      (
        await fetch(`${tenant.url}/api/v2/grants/${mobile.id}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${token}` },
        })
      ).status,
    ).toBe(204);
    await tenant.kill9();

    const again = await tenantOn(dir);
    // Generated token i belongs to the mobile app when i is even, to the web app when odd.
    const mobileApp = endUserApp(again.url);
    const webApp = endUserApp(again.url, DEMO.clients.web.client_id, DEMO.clients.web.secret);
    for (const i of [0, 2, 10_000, 19_998])
      expect((await mobileApp.refresh(generatedTokenValue('grant', i))).status).toBe(403);
    for (const i of [1, 19_999]) expect((await webApp.refresh(generatedTokenValue('grant', i))).status).toBe(200);
    await expect
      .poll(() => unmarkedRows(dir, { user_id: 'auth0|heavy', client_id: DEMO.clients.mobile.client_id }), {
        timeout: 30_000,
        interval: 250,
      })
      .toBe(0);
  }, 180_000);
});
