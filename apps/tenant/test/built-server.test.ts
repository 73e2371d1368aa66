import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTenant } from '../build.ts';
import { DEMO } from '../src/demo/demo-data.ts';

/**
 * The built tenant (`npm run build`: apps/tenant/dist/server.mjs, see build.ts), as it is
 * deployed and benchmarked: plain Node, no TypeScript loader, two worker processes (the
 * bundle forks itself), the native SQLite driver and the IP database's data packages found
 * from the bundle's place. A sign-in from a forwarded address, its refresh, and the address's
 * network read back through the Management API cross all of them.
 */
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
// A T-Mobile US address (AS21928) of the IP database's data packages.
const FORWARDED_FOR = '172.56.21.77';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

let child: ChildProcess;
let bundle: string;
let dataDir: string;
let url: string;
const logs: string[] = [];

const form = (body: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(body).toString(),
});

describe.skipIf(process.env.TEST_STORE === 'postgres')('the built tenant (dist/server.mjs) under plain Node', () => {
  beforeAll(async () => {
    // Beside where `npm run build` puts it, so that node_modules resolve as they do there.
    bundle = await buildTenant(join(ROOT, 'apps/tenant/dist', `test-${process.pid}-${Date.now()}`, 'server.mjs'));
    dataDir = mkdtempSync(join(tmpdir(), 'rtc-built-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}/`;
    child = spawn(
      process.execPath,
      // --demo: behind a trusted proxy the demo data is off unless asked for.
      [bundle, '--workers', '2', '--port', String(port), '--data-dir', dataDir, '--trust-proxy', '1', '--demo'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '', TENANT_WORKER_HEADER: '1' },
      },
    );
    child.stdout!.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    for (let i = 0; i < 300; i++) {
      if (child.exitCode !== null) break;
      // Up once both workers are: the supervisor says so after the last one listens.
      const healthy = await fetch(`${url}health`).then(
        (r) => r.ok,
        () => false,
      );
      if (healthy && /workers\s+2 processes/.test(logs.join(''))) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the built tenant did not start:\n${logs.join('')}`);
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    if (bundle) rmSync(dirname(bundle), { recursive: true, force: true });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs without a TypeScript loader, as two workers that both answer', async () => {
    // Each new connection goes to a worker in turn (node:cluster's round robin), and each
    // answer names its worker (TENANT_WORKER_HEADER=1).
    const workerOf = () =>
      new Promise<string>((resolve, reject) =>
        get(`${url}health`, { agent: false }, (res) => {
          res.resume();
          resolve(String(res.headers['x-tenant-worker']));
        }).on('error', reject),
      );
    const answered = new Set<string>();
    for (let i = 0; i < 8; i++) answered.add(await workerOf());
    expect([...answered].sort()).toEqual(['0', '1']);
  });

  it('signs in, refreshes, and reads the network of the address back through the Management API', async () => {
    const management = (await (
      await fetch(
        `${url}oauth/token`,
        form({
          grant_type: 'client_credentials',
          client_id: DEMO.clients.management.client_id,
          client_secret: DEMO.clients.management.secret,
          audience: `${url}api/v2/`,
        }),
      )
    ).json()) as { access_token: string };
    const auth = { authorization: `Bearer ${management.access_token}` };
    // A user of its own: the demo users' published passwords are refused from a forwarded,
    // non-loopback address.
    const created = await fetch(`${url}api/v2/users`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        connection: 'Username-Password-Authentication',
        email: 'built@example.test',
        password: 'a-password-of-this-test-only',
      }),
    });
    expect(created.status).toBe(201);
    const { user_id } = (await created.json()) as { user_id: string };

    const signIn = await fetch(
      `${url}oauth/token`,
      form(
        {
          grant_type: 'password',
          client_id: DEMO.clients.mobile.client_id,
          username: 'built@example.test',
          password: 'a-password-of-this-test-only',
          scope: 'openid offline_access',
        },
        { 'x-forwarded-for': FORWARDED_FOR },
      ),
    );
    expect(signIn.status, await signIn.clone().text()).toBe(200);
    const issued = (await signIn.json()) as { refresh_token: string };
    const refreshed = await fetch(
      `${url}oauth/token`,
      form({
        grant_type: 'refresh_token',
        client_id: DEMO.clients.mobile.client_id,
        refresh_token: issued.refresh_token,
      }),
    );
    expect(refreshed.status).toBe(200);

    const listed = await fetch(`${url}api/v2/users/${encodeURIComponent(user_id)}/refresh-tokens`, { headers: auth });
    expect(listed.status).toBe(200);
    const { tokens } = (await listed.json()) as { tokens: { device: { initial_ip: string; initial_asn: string } }[] };
    expect(tokens.map((t) => t.device)).toEqual([
      expect.objectContaining({ initial_ip: FORWARDED_FOR, initial_asn: 'AS21928' }),
    ]);
  });
});
