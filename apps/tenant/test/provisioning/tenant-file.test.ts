import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { exportTenant, importTenant, parseTenantFile } from '../../src/provisioning/tenant-file.ts';
import { createTenant, type Tenant } from '../../src/tenant.ts';
import { testStorage, testTenant, type TestTenant } from '../fixtures.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function source(): Promise<TestTenant> {
  const t = await testTenant();
  cleanups.push(() => t.close());
  return t;
}

/** An empty tenant (no demo data) on another issuer: the Management API audience differs. */
async function emptyTenant(issuer = 'https://elsewhere.test/'): Promise<Tenant> {
  const where = testStorage();
  const tenant = await createTenant({
    issuer,
    storage: where.storage,
    ...(where.schema ? { schema: where.schema } : {}),
    clock: new ManualClock(),
    logger: silentLogger,
    demo: false,
  });
  cleanups.push(async () => {
    await tenant.close();
    await where.cleanup();
  });
  return tenant;
}

const form = (tenant: Tenant, body: Record<string, string>) =>
  tenant.app.request('/oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body).toString(),
  });

describe('the tenant file', () => {
  it('exports without secrets, and export -> import -> export elsewhere is a fixed point', async () => {
    const t = await source();
    const file = await exportTenant(t.store, t.tenant.deps.issuer);
    const text = JSON.stringify(file);
    expect(text).not.toContain('m2m-secret-for-tests');
    expect(text).not.toContain('"client_secret"');
    expect(text).not.toContain('client_secret_hash');
    expect(file.clients!.map((c) => c.client_id)).toEqual(['leeway', 'm2m', 'mobile', 'web']);
    // Passwords only as the tenant's own hash.
    expect(file.users!.every((u) => u.password_hash?.startsWith('scrypt$'))).toBe(true);
    expect(file.client_grants).toContainEqual({
      client_id: 'm2m',
      audience: '@management-api',
      scope: expect.arrayContaining(['read:users', 'create:users']),
    });
    expect(file.resource_servers!.map((rs) => rs.identifier)).toEqual(['https://api.test/']);

    const target = await emptyTenant();
    await importTenant(target.deps.store, text, { issuer: target.deps.issuer, now: 1 });
    expect(await exportTenant(target.deps.store, target.deps.issuer)).toEqual(file);
    // The Management API grant follows the new issuer.
    expect(await target.deps.store.directory.getClientGrant('m2m', 'https://elsewhere.test/api/v2/')).toBeDefined();
  });

  it('imports idempotently: the second import creates nothing and changes nothing', async () => {
    const t = await source();
    const text = JSON.stringify(await exportTenant(t.store, t.tenant.deps.issuer));
    const target = await emptyTenant();
    const first = await importTenant(target.deps.store, text, { issuer: target.deps.issuer, now: 1 });
    expect(first.created).toEqual({ resource_servers: 1, clients: 4, client_grants: 2, users: 2 });
    const before = await exportTenant(target.deps.store, target.deps.issuer);
    const apiId = (await target.deps.store.directory.getResourceServer('https://api.test/'))!.id;
    const second = await importTenant(target.deps.store, text, { issuer: target.deps.issuer, now: 2 });
    expect(second.created).toEqual({ resource_servers: 0, clients: 0, client_grants: 0, users: 0 });
    expect(await exportTenant(target.deps.store, target.deps.issuer)).toEqual(before);
    expect((await target.deps.store.directory.getResourceServer('https://api.test/'))!.id).toBe(apiId);
  });

  it('an imported user signs in with their hashed password; a client with a secret in the file uses it; one without has none until rotated', async () => {
    const t = await source();
    const file = await exportTenant(t.store, t.tenant.deps.issuer);
    file.clients = file.clients!.map((c) =>
      c.client_id === 'm2m' ? { ...c, client_secret: 'file-given-secret-0123456789' } : c,
    );
    const target = await emptyTenant();
    const report = await importTenant(target.deps.store, JSON.stringify(file), { issuer: target.deps.issuer, now: 1 });
    expect(report.clientsWithoutSecret).toEqual(['web']);
    const signIn = await form(target, {
      grant_type: 'password',
      client_id: 'mobile',
      username: 'alice@test.example',
      password: 'correct horse battery staple',
      scope: 'openid',
    });
    expect(signIn.status).toBe(200);
    const m2m = await form(target, {
      grant_type: 'client_credentials',
      client_id: 'm2m',
      client_secret: 'file-given-secret-0123456789',
      audience: 'https://api.test/',
    });
    expect(m2m.status).toBe(200);
    expect((await target.deps.store.directory.getClient('web'))!.client_secret_hash).toBeNull();
  });

  it('an import giving a client a new secret or taking client_credentials away ends its Management API tokens; other imports keep them', async () => {
    const t = await source();
    const issuer = t.tenant.deps.issuer;
    const token = async (secret: string) =>
      (
        (await (
          await t.post('/oauth/token', {
            grant_type: 'client_credentials',
            client_id: 'm2m',
            client_secret: secret,
            audience: `${issuer}api/v2/`,
          })
        ).json()) as { access_token: string }
      ).access_token;
    const users = async (bearer: string) =>
      (await t.tenant.app.request('/api/v2/users', { headers: { authorization: `Bearer ${bearer}` } })).status;
    const file = await exportTenant(t.store, issuer);
    const old = await token('m2m-secret-for-tests-0000000000000000');
    await importTenant(t.store, JSON.stringify(file), { issuer, now: t.clock.now() });
    expect(await users(old)).toBe(200);

    const withSecret = {
      ...file,
      clients: file.clients!.map((c) =>
        c.client_id === 'm2m' ? { ...c, client_secret: 'file-given-secret-0123456789' } : c,
      ),
    };
    await importTenant(t.store, JSON.stringify(withSecret), { issuer, now: t.clock.now() });
    expect(await users(old)).toBe(401);
    const fresh = await token('file-given-secret-0123456789');
    expect(await users(fresh)).toBe(200);
    // The same file again changes nothing: the token stays good.
    await importTenant(t.store, JSON.stringify(withSecret), { issuer, now: t.clock.now() });
    expect(await users(fresh)).toBe(200);

    const withoutGrant = {
      ...file,
      clients: file.clients!.map((c) => (c.client_id === 'm2m' ? { ...c, grant_types: ['refresh_token'] } : c)),
    };
    await importTenant(t.store, JSON.stringify(withoutGrant), { issuer, now: t.clock.now() });
    expect(await users(fresh)).toBe(401);
  });

  it('refuses a bad file with a message naming the field, and writes nothing', async () => {
    const target = await emptyTenant();
    const cases: [string, RegExp][] = [
      ['not json', /not JSON/],
      [JSON.stringify({ version: 2 }), /version/],
      [
        JSON.stringify({ version: 1, users: [{ user_id: 'a', email: 'nope', name: 'a', nickname: 'a' }] }),
        /users\.0\.email/,
      ],
      [
        JSON.stringify({
          version: 1,
          users: [{ user_id: 'a', email: 'a@x.test', name: 'a', nickname: 'a', password: 'plain' }],
        }),
        /users\.0/,
      ],
      [
        JSON.stringify({
          version: 1,
          users: [{ user_id: 'a', email: 'a@x.test', name: 'a', nickname: 'a', password_hash: 'md5$abc' }],
        }),
        /scrypt/,
      ],
      [
        JSON.stringify({ version: 1, client_grants: [{ client_id: 'x', audience: 'https://nowhere/', scope: [] }] }),
        /unknown API/,
      ],
      [
        JSON.stringify({
          version: 1,
          resource_servers: [{ identifier: 'https://a/', name: 'A', scopes: [] }],
          clients: [{ client_id: 'c', name: 'c', app_type: 'spa', token_endpoint_auth_method: 'none' }],
          client_grants: [{ client_id: 'c', audience: 'https://a/', scope: ['x'] }],
        }),
        /does not define: x/,
      ],
      [
        JSON.stringify({
          version: 1,
          users: [
            { user_id: 'a', email: 'a@x.test', name: 'a', nickname: 'a' },
            { user_id: 'b', email: 'A@x.test', name: 'b', nickname: 'b' },
          ],
        }),
        /email a@x.test twice/,
      ],
      [
        JSON.stringify({
          version: 1,
          resource_servers: [{ identifier: 'https://elsewhere.test/api/v2/', name: 'Mine' }],
        }),
        /system API/,
      ],
    ];
    for (const [text, message] of cases) {
      await expect(importTenant(target.deps.store, text, { issuer: target.deps.issuer, now: 1 }), text).rejects.toThrow(
        message,
      );
    }
    const file = await exportTenant(target.deps.store, target.deps.issuer);
    expect([file.clients, file.users, file.client_grants, file.resource_servers]).toEqual([[], [], [], []]);
    expect(() => parseTenantFile(JSON.stringify({ version: 1, surprise: true }))).toThrow(/surprise/);
  });
});

describe('--export FILE', () => {
  it('replaces an existing file with a new one only its owner can read, and says on stderr that it holds every password hash', async () => {
    const { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } = await import(
      'node:fs'
    );
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { provision } = await import('../../src/provisioning/cli.ts');
    const t = await source();
    const dir = mkdtempSync(join(tmpdir(), 'rtc-export-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const target = join(dir, 'tenant.json');
    writeFileSync(target, 'an older export');
    chmodSync(target, 0o644);
    const stderr: string[] = [];
    const result = await provision(
      t.tenant,
      { importFile: undefined, exportFile: target, demo: false, bootstrapClient: undefined },
      { stdout: () => {}, stderr: (text) => stderr.push(text) },
    );
    expect(result.exported).toBe(true);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(target, 'utf8'))).toEqual(await exportTenant(t.store, t.tenant.deps.issuer));
    expect(readdirSync(dir)).toEqual(['tenant.json']);
    expect(stderr.join('')).toMatch(/password hash/);
  });
});
