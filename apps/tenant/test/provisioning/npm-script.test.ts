import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The README's commands, run as written: `npm run tenant -- ...` from the repository root,
 * through both npm levels (root script, workspace script, tsx).
 */
const ROOT = resolve(import.meta.dirname, '../../../..');
const BOOTSTRAP = 'readme-bootstrap:readme-bootstrap-secret-0123456789abcdefghij';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tenant-npm-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Runs `npm run tenant -- ...args`; resolves with its output once `until` appears in stderr, or
 * when it exits. `stopped()` stops it and resolves once npm, and so the tenant under it, is gone.
 */
function npmTenant(
  args: string[],
  until?: string,
): Promise<{ stdout: string; stderr: string; code: number | null; stopped: () => Promise<void> }> {
  const child = spawn('npm', ['run', '--silent', 'tenant', '--', ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TENANT_DEMO: '', TENANT_PORT: '', TENANT_DATA_DIR: '' },
  });
  // The whole process group: npm, the workspace npm, tsx and node.
  const kill = () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  cleanups.push(kill);
  const exited = new Promise<void>((gone) => child.once('exit', () => gone()));
  const stopped = () => {
    kill();
    return exited;
  };
  let stdout = '';
  let stderr = '';
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`npm run tenant did not get there in time:\n${stderr}`)), 45_000);
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (until && stderr.includes(until)) {
        clearTimeout(timer);
        done({ stdout, stderr, code: null, stopped });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ stdout, stderr, code, stopped });
    });
  });
}

describe('npm run tenant, as the README writes it', () => {
  it('npm run tenant -- --port 5500 --data-dir /tmp/my-tenant: listens on that port and keeps its data in that directory', async () => {
    const port = await freePort();
    const dataDir = tempDir();
    const run = await npmTenant(
      ['--port', String(port), '--data-dir', dataDir, '--no-demo', '--bootstrap-client', BOOTSTRAP],
      'instance',
    );
    expect(run.stderr).toContain(`listening on http://127.0.0.1:${port}`);
    expect(run.stderr).toContain('bootstrap  client readme-bootstrap: created');
    const discovery = await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(((await discovery.json()) as { issuer: string }).issuer).toBe(`http://127.0.0.1:${port}/`);
    expect(existsSync(join(dataDir, 'tenant.sqlite'))).toBe(true);
    const [id, secret] = [BOOTSTRAP.slice(0, BOOTSTRAP.indexOf(':')), BOOTSTRAP.slice(BOOTSTRAP.indexOf(':') + 1)];
    const token = await fetch(`http://127.0.0.1:${port}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: id,
        client_secret: secret,
        audience: `http://127.0.0.1:${port}/api/v2/`,
      }),
    });
    expect(token.status).toBe(200);
  }, 60_000);

  it('a relative --data-dir is relative to where npm was run, not to the workspace', async () => {
    const dataDir = tempDir();
    const rel = relative(ROOT, dataDir);
    const run = await npmTenant(['--port', String(await freePort()), '--data-dir', rel, '--no-demo'], 'instance');
    expect(run.stderr).toContain(`data       ${dataDir}`);
    expect(existsSync(join(dataDir, 'tenant.sqlite'))).toBe(true);
    // Nobody has a Management API client yet: the banner says how to get one.
    expect(run.stderr).toContain('TENANT_BOOTSTRAP_CLIENT_ID');
  }, 60_000);

  it('--import FILE applies a tenant file at start, and --export FILE writes the same tenant back and exits', async () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'tenant.json');
    const tenantFile = {
      version: 1,
      resource_servers: [
        {
          identifier: 'https://orders.test/',
          name: 'Orders',
          scopes: [{ value: 'read:orders', description: 'Read' }],
          token_lifetime: 600,
          allow_offline_access: true,
        },
      ],
      clients: [
        {
          client_id: 'orders-worker',
          name: 'Orders worker',
          app_type: 'non_interactive',
          token_endpoint_auth_method: 'client_secret_post',
          client_secret: 'orders-worker-secret-0123456789',
          grant_types: ['client_credentials'],
        },
      ],
      client_grants: [{ client_id: 'orders-worker', audience: 'https://orders.test/', scope: ['read:orders'] }],
      users: [{ user_id: 'auth0|ann', email: 'ann@orders.test', name: 'Ann', nickname: 'ann' }],
    };
    writeFileSync(file, JSON.stringify(tenantFile));
    const port = await freePort();
    const run = await npmTenant(
      ['--port', String(port), '--data-dir', dataDir, '--no-demo', '--import', file],
      'instance',
    );
    expect(run.stderr).toContain('created 1 resource servers, 1 clients, 1 client grants, 1 users');
    const token = await fetch(`http://127.0.0.1:${port}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'orders-worker',
        client_secret: 'orders-worker-secret-0123456789',
        audience: 'https://orders.test/',
      }),
    });
    expect(token.status).toBe(200);
    // The export opens the same data directory: the server is gone first.
    await run.stopped();

    const out = join(dataDir, 'export.json');
    const exported = await npmTenant(['--data-dir', dataDir, '--export', out]);
    expect(exported.code).toBe(0);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    expect(written.clients).toEqual([expect.objectContaining({ client_id: 'orders-worker', name: 'Orders worker' })]);
    expect(JSON.stringify(written)).not.toContain('orders-worker-secret');
    expect(written.client_grants).toEqual(tenantFile.client_grants);
    expect(written.users).toEqual([expect.objectContaining({ user_id: 'auth0|ann', email: 'ann@orders.test' })]);
  }, 90_000);

  it('--help prints every flag', async () => {
    const run = await npmTenant(['--help']);
    expect(run.code).toBe(0);
    for (const flag of [
      '--port',
      '--host',
      '--issuer',
      '--data-dir',
      '--database-url',
      '--demo',
      '--no-demo',
      '--trust-proxy',
      '--bootstrap-client',
      '--import',
      '--export',
    ]) {
      expect(run.stdout + run.stderr, flag).toContain(flag);
    }
  }, 60_000);
});
