import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, demoEndUser } from '../src/demo/demo-data.ts';

/**
 * `npm run tenant -- --workers 2`: two processes on one port and one SQLite file, driven over
 * one keep-alive connection to each worker. Every answer names its worker (`x-tenant-worker`),
 * and each call checks it reached the worker it meant to.
 */
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const REFRESH_LIMIT = 4;
const MANAGEMENT_LIMIT = 5;

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** The fields these tests read from the tenant's JSON answers: a token response, an OAuth error, the settings. */
type AnswerBody = {
  access_token: string;
  refresh_token: string;
  error: string;
  flags: { revoke_refresh_token_grant: boolean };
};

type Answer = { status: number; body: AnswerBody; worker: string | undefined };

let child: ChildProcess;
let dataDir: string;
let url: string;
const logs: string[] = [];
/** workers[n]: a connection the tenant handed to worker n. */
const workers: Client[] = [];

async function call(
  worker: number,
  method: string,
  path: string,
  options: { form?: Record<string, string>; json?: unknown; token?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await workers[worker]!.request({
    method: method as 'GET',
    path,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.body.text();
  const answer = {
    status: res.statusCode,
    body: text ? JSON.parse(text) : undefined,
    worker: res.headers['x-tenant-worker'] as string | undefined,
  };
  expect(answer.worker, `${method} ${path} was meant for worker ${worker}`).toBe(String(worker));
  return answer;
}

const signIn = (
  worker: number,
  client: 'mobile' | 'web',
  email: string = DEMO.sampleUser.email,
  password = 'demo-user-password',
) =>
  call(worker, 'POST', '/oauth/token', {
    form: {
      grant_type: 'password',
      client_id: DEMO.clients[client].client_id,
      ...(client === 'web' ? { client_secret: DEMO.clients.web.secret } : {}),
      username: email,
      password,
      scope: 'openid offline_access',
    },
  });

const exchange = (worker: number, client: 'mobile' | 'web', refreshToken: string) =>
  call(worker, 'POST', '/oauth/token', {
    form: {
      grant_type: 'refresh_token',
      client_id: DEMO.clients[client].client_id,
      ...(client === 'web' ? { client_secret: DEMO.clients.web.secret } : {}),
      refresh_token: refreshToken,
    },
  });

async function managementToken(worker: number): Promise<string> {
  const { body } = await call(worker, 'POST', '/oauth/token', {
    form: {
      grant_type: 'client_credentials',
      client_id: DEMO.clients.management.client_id,
      client_secret: DEMO.clients.management.secret,
      audience: `${url}api/v2/`,
    },
  });
  return body.access_token;
}

describe.skipIf(process.env.TEST_STORE === 'postgres')('a tenant of two worker processes on one SQLite file', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'rtc-workers-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}/`;
    // A tenant file applied at start: the restart test checks it is applied once, not again.
    const tenantFile = join(dataDir, 'tenant.json');
    writeFileSync(
      tenantFile,
      JSON.stringify({
        version: 1,
        settings: { flags: { revoke_refresh_token_grant: false, allow_legacy_delegation_grant_types: true } },
      }),
    );
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'apps/tenant/src/server.ts',
        '--workers',
        '2',
        '--port',
        String(port),
        '--data-dir',
        dataDir,
        '--import',
        tenantFile,
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          TENANT_WORKER_HEADER: '1',
          TENANT_REFRESH_RATE_LIMIT: String(REFRESH_LIMIT),
          TENANT_MANAGEMENT_RATE_LIMIT: String(MANAGEMENT_LIMIT),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const collect = (chunk: Buffer) => logs.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    // The primary says so once every worker listens. Up to a minute: on a machine busy with
    // other suites, starting two TypeScript processes one after the other took over 15 s.
    for (let i = 0; !logs.some((line) => /workers\s+2 processes listening/.test(line)); i++) {
      if (child.exitCode !== null || i > 1200) throw new Error(`the tenant did not start:\n${logs.join('\n')}`);
      await sleep(50);
    }
    // The primary hands new connections to the workers in turn: keep one reaching each.
    const spare: Client[] = [];
    for (let i = 0; i < 10 && (!workers[0] || !workers[1]); i++) {
      const client = new Client(url, { pipelining: 1, keepAliveTimeout: 60_000 });
      const res = await client.request({ method: 'GET', path: '/health' });
      await res.body.dump();
      const n = Number(res.headers['x-tenant-worker']);
      if (workers[n]) spare.push(client);
      else workers[n] = client;
    }
    await Promise.all(spare.map((c) => c.close()));
    expect(workers.filter(Boolean)).toHaveLength(2);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((c) => c?.close()));
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lets exactly one of two simultaneous exchanges of one rotating refresh token through, one on each worker', async () => {
    for (let round = 0; round < 3; round++) {
      const { body } = await signIn(round % 2, 'mobile');
      const answers = await Promise.all([
        exchange(0, 'mobile', body.refresh_token),
        exchange(1, 'mobile', body.refresh_token),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 403]);
      expect(answers.find((a) => a.status === 403)!.body.error).toBe('invalid_grant');
    }
  });

  it('refuses on one worker, at once, a token revoked through the other', async () => {
    const single = (await signIn(0, 'web')).body.refresh_token as string;
    expect((await exchange(1, 'web', single)).status).toBe(200);
    expect(
      (
        await call(0, 'POST', '/oauth/revoke', {
          form: { client_id: DEMO.clients.web.client_id, client_secret: DEMO.clients.web.secret, token: single },
        })
      ).status,
    ).toBe(200);
    expect((await exchange(1, 'web', single)).body.error).toBe('invalid_grant');

    // A bulk revocation (journaled, rows marked in the background) through worker 1, refused on worker 0.
    const user = demoEndUser(3);
    const bulk = (await signIn(1, 'web', user.email)).body.refresh_token as string;
    const admin = await managementToken(1);
    expect(
      (await call(1, 'DELETE', `/api/v2/users/${encodeURIComponent(user.user_id)}/refresh-tokens`, { token: admin }))
        .status,
    ).toBe(202);
    expect((await exchange(0, 'web', bulk)).body.error).toBe('invalid_grant');
  });

  it('counts refresh-token exchanges of one token across both workers together', async () => {
    // acme-web's tokens do not rotate: the same value is presented each time.
    const token = (await signIn(0, 'web', demoEndUser(4).email)).body.refresh_token as string;
    const statuses = [];
    for (let i = 0; i <= REFRESH_LIMIT; i++) statuses.push((await exchange(i % 2, 'web', token)).status);
    expect(statuses).toEqual([...Array(REFRESH_LIMIT).fill(200), 429]);
  });

  it('counts failed sign-ins of one account across both workers together', async () => {
    const { email } = demoEndUser(5);
    // 10 failures per account and address per 15 minutes (DEFAULT_SIGN_IN_LIMITS), five on each worker.
    for (let i = 0; i < 10; i++) expect((await signIn(i % 2, 'mobile', email, 'wrong-password')).status).toBe(403);
    const refused = await signIn(0, 'mobile', email, 'demo-user-password');
    expect(refused.status).toBe(429);
    expect((await signIn(1, 'mobile', email, 'demo-user-password')).status).toBe(429);
  });

  it('applies a settings change made through one worker on the other at once', async () => {
    const admin = await managementToken(0);
    const flags = (worker: number) =>
      call(worker, 'GET', '/api/v2/tenants/settings', { token: admin }).then((a) => a.body.flags);
    expect((await flags(1)).revoke_refresh_token_grant).toBe(false);
    expect(
      (
        await call(0, 'PATCH', '/api/v2/tenants/settings', {
          token: admin,
          json: { flags: { revoke_refresh_token_grant: true } },
        })
      ).status,
    ).toBe(200);
    expect((await flags(1)).revoke_refresh_token_grant).toBe(true);

    // And the effect: /oauth/revoke on worker 1 now deletes the grant, so the user's other
    // token of the same application goes too.
    const user = demoEndUser(6);
    const first = (await signIn(0, 'web', user.email)).body.refresh_token as string;
    const second = (await signIn(0, 'web', user.email)).body.refresh_token as string;
    expect(
      (
        await call(1, 'POST', '/oauth/revoke', {
          form: { client_id: DEMO.clients.web.client_id, client_secret: DEMO.clients.web.secret, token: first },
        })
      ).status,
    ).toBe(200);
    expect((await exchange(0, 'web', second)).body.error).toBe('invalid_grant');
    await call(1, 'PATCH', '/api/v2/tenants/settings', {
      token: admin,
      json: { flags: { revoke_refresh_token_grant: false } },
    });
  });

  it('counts Management API requests per second across both workers together', async () => {
    const admin = await managementToken(0);
    // A fresh one-second window: the earlier tests' requests have lapsed.
    await sleep(1100);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => call(i % 2, 'GET', '/api/v2/tenants/settings', { token: admin })),
    );
    // Each worker saw four, within its own limit of five: only a shared count refuses any.
    expect(answers.filter((a) => a.status === 200)).toHaveLength(MANAGEMENT_LIMIT);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(8 - MANAGEMENT_LIMIT);
  });
  it('starts a worker that dies again, without applying the tenant file a second time', async () => {
    await sleep(1100); // a fresh window of the Management API's limit (five a second here)
    const admin = await managementToken(0);
    expect(
      (
        await call(0, 'PATCH', '/api/v2/tenants/settings', {
          token: admin,
          json: { flags: { revoke_refresh_token_grant: true } },
        })
      ).status,
    ).toBe(200);

    // Both workers killed at once (the primary's children), as a crash would.
    const pids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map(Number);
    expect(pids).toHaveLength(2);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    for (let i = 0; logs.filter((line) => /exited .*starting it again/.test(line)).length < 2; i++) {
      if (i > 200) throw new Error(`the workers were not started again:\n${logs.join('\n')}`);
      await sleep(50);
    }
    // The admin's change stands: worker 0's restart did not apply --import again.
    const fresh = new Client(url, { pipelining: 1 });
    try {
      for (let i = 0; ; i++) {
        const res = await fresh
          .request({ method: 'GET', path: '/api/v2/tenants/settings', headers: { authorization: `Bearer ${admin}` } })
          .catch(() => undefined);
        if (res?.statusCode === 200) {
          expect(
            ((await res.body.json()) as { flags: { revoke_refresh_token_grant: boolean } }).flags
              .revoke_refresh_token_grant,
          ).toBe(true);
          break;
        }
        await res?.body.dump();
        if (i > 200) throw new Error(`the tenant did not answer again:\n${logs.slice(-20).join('\n')}`);
        await sleep(50);
      }
    } finally {
      await fresh.close();
    }
  });
});

describe('instances of a SQLite tenant', () => {
  it('names each worker an instance of its own, the same one after a restart', async () => {
    const { createTenant } = await import('../src/tenant.ts');
    const { silentLogger } = await import('../src/observability/logger.ts');
    const dir = mkdtempSync(join(tmpdir(), 'rtc-instances-'));
    const instance = async (worker?: number) => {
      const tenant = await createTenant({
        issuer: 'http://127.0.0.1:4400/',
        storage: dir,
        logger: silentLogger,
        ...(worker === undefined ? {} : { worker }),
      });
      await tenant.close();
      return tenant.deps.revocations.instanceId;
    };
    try {
      const [alone, first, second] = [await instance(), await instance(0), await instance(1)];
      expect(new Set([alone, first, second]).size).toBe(3);
      expect(await instance(1)).toBe(second);
      expect(await instance()).toBe(alone);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
