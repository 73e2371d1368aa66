import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import pg from 'pg';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../src/demo/demo-data.ts';

/**
 * A DPoP proof is accepted once by the whole tenant, not once per process: its jti is kept in
 * the store. SQLite: `--workers 2` on one file, one keep-alive connection to each worker (as
 * test/workers.test.ts). PostgreSQL: two tenant processes on one database behind one issuer
 * (as test/multi-instance.postgres.test.ts). A proof accepted by one is replayed to the other.
 */
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const ON_POSTGRES = process.env.TEST_STORE === 'postgres';
const URL_BASE = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `dpop_${process.pid}_${Date.now().toString(36)}`;

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const children: ChildProcess[] = [];
let dataDir: string | undefined;
let issuer: string;
/** targets[n]: a connection to process n (a worker, or an instance). */
const targets: Client[] = [];

function start(args: string[], env: Record<string, string>): { child: ChildProcess; logs: string[] } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/tenant/src/server.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const collect = (chunk: Buffer) => logs.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  children.push(child);
  return { child, logs };
}

async function untilHealthy(url: string, proc: { child: ChildProcess; logs: string[] }) {
  for (let i = 0; ; i++) {
    if (proc.child.exitCode !== null || i > 600) throw new Error(`the tenant did not start:\n${proc.logs.join('\n')}`);
    if (
      await fetch(`${url}health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await sleep(50);
  }
}

beforeAll(async () => {
  if (ON_POSTGRES) {
    const admin = new pg.Client({ connectionString: URL_BASE });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${SCHEMA}`);
    await admin.end();
    const db = `${URL_BASE}${URL_BASE.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${SCHEMA}`)}`;
    const [portA, portB] = await Promise.all([freePort(), freePort()]);
    issuer = `http://127.0.0.1:${portA}/`;
    const env = { DATABASE_URL: db, TENANT_DEMO: '1' };
    const a = start(['--port', String(portA), '--issuer', issuer], { ...env, TENANT_INSTANCE_ID: 'A' });
    await untilHealthy(issuer, a);
    const b = start(['--port', String(portB), '--issuer', issuer], { ...env, TENANT_INSTANCE_ID: 'B' });
    await untilHealthy(`http://127.0.0.1:${portB}/`, b);
    targets.push(new Client(issuer), new Client(`http://127.0.0.1:${portB}`));
    return;
  }
  dataDir = mkdtempSync(join(tmpdir(), 'rtc-dpop-workers-'));
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}/`;
  const proc = start(['--workers', '2', '--port', String(port), '--data-dir', dataDir], { TENANT_WORKER_HEADER: '1' });
  for (let i = 0; !proc.logs.some((line) => /workers\s+2 processes listening/.test(line)); i++) {
    if (proc.child.exitCode !== null || i > 600) throw new Error(`the tenant did not start:\n${proc.logs.join('\n')}`);
    await sleep(50);
  }
  // The primary hands new connections to the workers in turn: keep one reaching each.
  const spare: Client[] = [];
  for (let i = 0; i < 10 && (!targets[0] || !targets[1]); i++) {
    const client = new Client(issuer, { pipelining: 1, keepAliveTimeout: 60_000 });
    const res = await client.request({ method: 'GET', path: '/health' });
    await res.body.dump();
    const n = Number(res.headers['x-tenant-worker']);
    if (targets[n]) spare.push(client);
    else targets[n] = client;
  }
  await Promise.all(spare.map((c) => c.close()));
  expect(targets.filter(Boolean)).toHaveLength(2);
}, 120_000);

afterAll(async () => {
  await Promise.all(targets.map((c) => c?.close()));
  for (const child of children) {
    if (child.exitCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (ON_POSTGRES) {
    const admin = new pg.Client({ connectionString: URL_BASE });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await admin.end();
  }
});

async function token(target: number, form: Record<string, string>, dpop: string) {
  const res = await targets[target]!.request({
    method: 'POST',
    path: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', dpop },
    body: new URLSearchParams({ client_id: DEMO.clients.mobile.client_id, ...form }).toString(),
  });
  const body = (await res.body.json()) as Record<string, string>;
  if (!ON_POSTGRES) expect(res.headers['x-tenant-worker'], `meant for worker ${target}`).toBe(String(target));
  return { status: res.statusCode, body };
}

describe(`a DPoP proof replayed to another ${ON_POSTGRES ? 'instance (PostgreSQL)' : 'worker (SQLite, --workers 2)'}`, () => {
  it('is refused there, because its jti is in the store; a fresh proof by the same key is accepted there', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    const proof = () =>
      new SignJWT({ htm: 'POST', htu: `${issuer}oauth/token`, jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
        .setIssuedAt()
        .sign(privateKey);

    const first = await proof();
    const login = await token(
      0,
      {
        grant_type: 'password',
        username: DEMO.sampleUser.email,
        password: DEMO.endUserPassword,
        scope: 'openid offline_access',
      },
      first,
    );
    expect(login.status).toBe(200);
    expect(login.body.token_type).toBe('DPoP');

    // The same proof, at once, to the other process: refused, and the token is untouched.
    const replayed = await token(1, { grant_type: 'refresh_token', refresh_token: login.body.refresh_token! }, first);
    expect(replayed).toMatchObject({ status: 400, body: { error: 'invalid_dpop_proof' } });
    expect(replayed.body.error_description).toMatch(/jti/);

    // A proof accepted by the second process is refused by the first.
    const second = await proof();
    const refreshed = await token(1, { grant_type: 'refresh_token', refresh_token: login.body.refresh_token! }, second);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.token_type).toBe('DPoP');
    const back = await token(0, { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token! }, second);
    expect(back).toMatchObject({ status: 400, body: { error: 'invalid_dpop_proof' } });
    expect(
      (await token(0, { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token! }, await proof()))
        .status,
    ).toBe(200);
  });
});
