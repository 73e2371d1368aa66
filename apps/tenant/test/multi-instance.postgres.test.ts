import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, demoEndUser } from '../src/demo/demo-data.ts';
import { generatedTokenValue, generateTenant } from '../src/large-tenant/generate.ts';
import { json } from './http.ts';

/**
 * Several tenant processes at once on one PostgreSQL database, behind one issuer. Each test
 * talks to both directly. (Two BFF instances: apps/bff/test/multi-instance.postgres.test.ts.)
 */
const TENANT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const URL_BASE = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `mi_${process.pid}_${Date.now().toString(36)}`;
const DB = `${URL_BASE}${URL_BASE.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${SCHEMA}`)}`;

interface Proc {
  child: ChildProcess;
  url: string;
  logs: string[];
}
const procs: Proc[] = [];

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** `npm run tenant` in its own process, waiting for /health. */
async function startTenant(args: string[], env: Record<string, string>, port: number): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts', ...args], {
    cwd: TENANT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc: Proc = { child, url: `http://127.0.0.1:${port}`, logs: [] };
  const collect = (chunk: Buffer) => proc.logs.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  procs.push(proc);
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the tenant exited: ${proc.logs.join('\n')}`);
    const ok = await fetch(`${proc.url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return proc;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the tenant did not start: ${proc.logs.join('\n')}`);
}

let tenantA: Proc;
let tenantB: Proc;
let issuer: string;

const tenantEnv = (id: string) => ({
  DATABASE_URL: DB,
  TENANT_INSTANCE_ID: id,
  TENANT_REVOCATION_LEASE_MS: '1500',
  TENANT_REVOCATION_BATCH_SIZE: '250',
  TENANT_REFRESH_RATE_LIMIT: '5',
});

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: URL_BASE });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${SCHEMA}`);
  await admin.end();
  const [portA, portB] = await Promise.all([freePort(), freePort()]);
  issuer = `http://127.0.0.1:${portA}/`;
  // Both tenant instances start together on the empty schema: one migrates and seeds.
  [tenantA, tenantB] = await Promise.all([
    startTenant(['--port', String(portA), '--issuer', issuer], tenantEnv('A'), portA),
    startTenant(['--port', String(portB), '--issuer', issuer], tenantEnv('B'), portB),
  ]);
}, 120_000);

afterAll(async () => {
  for (const { child } of procs) if (child.exitCode === null) child.kill('SIGKILL');
  const admin = new pg.Client({ connectionString: URL_BASE });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await admin.end();
});

/** An end user's app at one instance: the password grant on a named device, then exchanges. */
const app = (tenant: Proc, client: 'mobile' | 'web' = 'mobile') => {
  const credentials: Record<string, string> =
    client === 'web'
      ? { client_id: DEMO.clients.web.client_id, client_secret: DEMO.clients.web.secret }
      : { client_id: DEMO.clients.mobile.client_id };
  const post = (form: Record<string, string>) =>
    fetch(`${tenant.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...credentials, ...form }),
    });
  return {
    async login(email: string, device: string): Promise<string> {
      const res = await post({
        grant_type: 'password',
        username: email,
        password: DEMO.endUserPassword,
        scope: 'openid profile offline_access',
        device,
      });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
      return (await json(res)).refresh_token;
    },
    async refresh(refreshToken: string): Promise<{ status: number; refreshToken?: string }> {
      const res = await post({ grant_type: 'refresh_token', refresh_token: refreshToken });
      const body = await json(res);
      return { status: res.status, ...(body.refresh_token ? { refreshToken: body.refresh_token } : {}) };
    },
  };
};
const customer = (i: number) => demoEndUser(i);

async function managementToken(tenant: Proc) {
  const res = await fetch(`${tenant.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: DEMO.clients.management.client_id,
      client_secret: DEMO.clients.management.secret,
      audience: `${issuer}api/v2/`,
    }),
  });
  return (await json(res)).access_token as string;
}

describe('two tenant instances on one database', () => {
  it('a token rotated through A is stale on B', async () => {
    const first = await app(tenantA).login(customer(1).email, 'Phone');
    const second = await app(tenantA).refresh(first);
    expect(second.status).toBe(200);
    const third = await app(tenantB).refresh(second.refreshToken!);
    expect(third.status).toBe(200);
    // The second is now the previous one, used outside leeway: reuse, on either instance.
    expect((await app(tenantA).refresh(second.refreshToken!)).status).toBe(403);
    expect((await app(tenantB).refresh(third.refreshToken!)).status).toBe(403);
  });

  it('a revocation through A is enforced on B at once', async () => {
    const token = await app(tenantA).login(customer(2).email, 'Laptop');
    const res = await fetch(`${tenantA.url}/api/v2/users/${encodeURIComponent(customer(2).user_id)}/refresh-tokens`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${await managementToken(tenantA)}` },
    });
    expect(res.status).toBe(202);
    expect((await app(tenantB).refresh(token)).status).toBe(403);
  });

  it('concurrent exchanges of one token across both instances have exactly one winner', async () => {
    const token = await app(tenantA).login(customer(3).email, 'Race Phone');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => app(i % 2 ? tenantA : tenantB).refresh(token)),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    // The others: reuse (403), or past the shared per-token rate limit (429); never a second success.
    expect(results.every((r) => r.status === 200 || r.status === 403 || r.status === 429)).toBe(true);
  });

  it('refresh-token rate limits hold across instances', async () => {
    const token = await app(tenantA, 'web').login(customer(4).email, 'Desktop');
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await app(i % 2 ? tenantA : tenantB, 'web').refresh(token)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('background revocation is claimed by one instance, and finished by the other when that one is killed', async () => {
    await generateTenant({
      dataDir: DB,
      issuer,
      users: 2,
      tokens: 30_000,
      heavyUserTokens: 30_000,
      seed: 'mi',
      log: () => {},
    });
    const db = new pg.Client({ connectionString: DB });
    await db.connect();
    try {
      const res = await fetch(`${tenantA.url}/api/v2/users/auth0%7Cheavy/refresh-tokens`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${await managementToken(tenantA)}` },
      });
      expect(res.status).toBe(202);
      // One instance takes the job (A, which accepted it, usually; B when its own poll got there
      // first) and the other leaves it alone while that lease holds.
      let job: { claimed_by: string; revoked_count: number } | undefined;
      for (let i = 0; i < 200; i++) {
        job = (await db.query('SELECT claimed_by, revoked_count FROM revocation_jobs')).rows[0];
        if (job && Number(job.revoked_count) >= 1000) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(['A', 'B']).toContain(job?.claimed_by);
      const [claimer, survivor, survivorId] =
        job!.claimed_by === 'A' ? [tenantA, tenantB, 'B'] : [tenantB, tenantA, 'A'];
      claimer.child.kill('SIGKILL');
      await new Promise((resolve) => claimer.child.once('exit', resolve));
      const left = Number(
        (
          await db.query(
            "SELECT count(*) AS n FROM refresh_tokens WHERE user_id = 'auth0|heavy' AND revoked_at IS NULL",
          )
        ).rows[0].n,
      );
      expect(left).toBeGreaterThan(0); // killed mid-way
      // Nothing is usable meanwhile: the journal is in force on the survivor.
      expect((await app(survivor).refresh(generatedTokenValue('mi', 0))).status).toBe(403);
      // The survivor takes over once the lease lapses, and finishes.
      await expect
        .poll(
          async () =>
            Number(
              (
                await db.query(
                  "SELECT count(*) AS n FROM refresh_tokens WHERE user_id = 'auth0|heavy' AND revoked_at IS NULL",
                )
              ).rows[0].n,
            ),
          { timeout: 30_000, interval: 250 },
        )
        .toBe(0);
      expect((await db.query('SELECT count(*) AS n FROM revocation_jobs')).rows[0].n).toBe(0);
      expect(
        survivor.logs.some(
          (line) => line.includes('"msg":"revocation completed"') && line.includes(`"instance":"${survivorId}"`),
        ),
      ).toBe(true);
      for (const i of [0, 2, 29_998])
        expect((await app(survivor).refresh(generatedTokenValue('mi', i))).status).toBe(403);
    } finally {
      await db.end();
    }
  }, 90_000);
});
