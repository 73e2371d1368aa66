import { admitConsole, freePort, startProcess, startTenant, type Proc } from '@rtc/stack';
import { Browser, DEMO, demoEndUser, endUserApp, expectedOf, json, signIn } from '@rtc/testkit';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Two BFF processes behind one public URL, on one PostgreSQL database, against one tenant.
 * (Several tenant instances: apps/tenant/test/multi-instance.postgres.test.ts.)
 */
const URL_BASE = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `mb_${process.pid}_${Date.now().toString(36)}`;
const DB = `${URL_BASE}${URL_BASE.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${SCHEMA}`)}`;

const procs: Proc[] = [];
let dataDir: string;
let tenant: Proc;
let bff1: Proc;
let bff2: Proc;

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: URL_BASE });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${SCHEMA}`);
  await admin.end();
  dataDir = mkdtempSync(join(tmpdir(), 'rtc-multi-bff-'));
  const [tenantPort, port1, port2] = await Promise.all([freePort(), freePort(), freePort()]);
  tenant = await startTenant(dataDir, tenantPort, { DATABASE_URL: DB });
  procs.push(tenant);
  const publicUrl = `http://127.0.0.1:${port1}`;
  await admitConsole(DB, publicUrl);
  const issuer = `${tenant.url}/`;
  const bffEnv = (port: number) => ({
    BFF_PORT: String(port),
    BFF_PUBLIC_URL: publicUrl, // both behind one public URL, as behind a load balancer
    MANAGEMENT_API_URL: `${tenant.url}/api/v2`,
    MANAGEMENT_TOKEN_URL: `${tenant.url}/oauth/token`,
    MANAGEMENT_AUDIENCE: `${issuer}api/v2/`,
    MANAGEMENT_CLIENT_ID: DEMO.clients.management.client_id,
    MANAGEMENT_CLIENT_SECRET: DEMO.clients.management.secret,
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: DEMO.clients.dashboard.client_id,
    OIDC_CLIENT_SECRET: DEMO.clients.dashboard.secret,
    SESSION_SECRET: 'multi-instance-shared-session-secret-0123456789',
    DATABASE_URL: DB,
  });
  [bff1, bff2] = await Promise.all([
    startProcess('apps/bff/src/server.ts', [], bffEnv(port1), port1),
    startProcess('apps/bff/src/server.ts', [], bffEnv(port2), port2),
  ]);
  procs.push(bff1, bff2);
}, 120_000);

afterAll(async () => {
  await Promise.all(procs.map((proc) => proc.kill9()));
  rmSync(dataDir, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString: URL_BASE });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await admin.end();
});

describe('two BFF instances', () => {
  it('share sessions (the encrypted cookie), one audit log, and sign-out', async () => {
    const support = await signIn({ bffUrl: bff1.url } as Parameters<typeof signIn>[0], 'support');
    const host1 = new URL(bff1.url).host;
    const cookie = support.browser.cookie(host1, 'rtc_session')!;
    const other = new Browser();
    other.setCookie(new URL(bff2.url).host, 'rtc_session', cookie);
    const me = await other.fetch(`${bff2.url}/api/me`);
    expect(me.status).toBe(200);
    const { csrf_token } = await json(me);

    const user = demoEndUser(5);
    const app = endUserApp(tenant.url, DEMO.clients.mobile.client_id);
    const token = await app.login(user.email, 'Shared Phone');
    const headers = {
      origin: new URL(bff1.url).origin,
      'x-csrf-token': csrf_token,
      'content-type': 'application/json',
    };
    // The action runs on the preview it confirms (taken here on the other instance).
    const preview = await json(
      await other.fetch(`${bff2.url}/api/users/${encodeURIComponent(user.user_id)}/impact`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ action: 'refresh_tokens.revoke_all' }),
      }),
    );
    const revoke = await other.fetch(
      `${bff2.url}/api/users/${encodeURIComponent(user.user_id)}/refresh-tokens/revoke-all`,
      {
        method: 'POST',
        headers,
        body: JSON.stringify({ expected: expectedOf(preview) }),
      },
    );
    expect(revoke.status).toBe(200);
    expect((await app.refresh(token)).status).toBe(403);
    const audit = await json(
      await support.api('GET', `/api/audit?user_id=${encodeURIComponent(user.user_id)}&kind=change`),
    );
    expect(audit.entries).toEqual([
      expect.objectContaining({
        action: 'refresh_tokens.revoke_all',
        actor: expect.objectContaining({ name: 'Sam Support' }),
      }),
    ]);

    expect((await support.api('POST', '/auth/logout')).status).toBe(200);
    expect((await other.fetch(`${bff2.url}/api/me`)).status).toBe(401);
  }, 60_000);
});
