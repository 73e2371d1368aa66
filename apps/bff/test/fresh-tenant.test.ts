import { serve, type ServerType } from '@hono/node-server';
import { createTenant, silentLogger, type Tenant } from '@rtc/tenant';
import { Browser, json } from '@rtc/testkit';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBff, type Bff } from '../src/bff.ts';
import { readConfig } from '../src/config.ts';

/**
 * The README's "The console on a fresh tenant", step by step: a tenant without demo data and
 * with a bootstrap client; through the Management API, the console's sign-in application, its
 * management client with the least scopes, and the first admin; then the BFF on those
 * credentials, and the admin signing in and acting.
 */

/** The Management API scopes the console needs, as the README lists them: nothing to create or delete clients, users or grants. */
const CONSOLE_SCOPES = (
  'read:users read:refresh_tokens update:refresh_tokens delete:refresh_tokens read:device_credentials ' +
  'delete:device_credentials read:grants delete:grants read:sessions delete:sessions read:clients ' +
  'read:resource_servers read:logs read:tenant_settings update:tenant_settings'
).split(' ');
const ROLES_CLAIM = 'https://refresh-token-console/roles';
const BOOTSTRAP = { clientId: 'bootstrap-admin', clientSecret: 'bootstrap-secret-0123456789abcdefghijklmnop' };
const ADMIN = { email: 'first.admin@fresh.test', password: 'the first admin passphrase 1' };

const listen = (fetch: (req: Request) => Response | Promise<Response>, port = 0) =>
  new Promise<ServerType>((done) => {
    const server = serve({ fetch, port, hostname: '127.0.0.1' }, () => done(server));
  });
const close = (server: ServerType) => new Promise((done) => server.close(done));

let dataDir: string;
let tenant: Tenant;
let tenantUrl: string;
let tenantHttp: ServerType;
let bff: Bff;
let bffUrl: string;
let bffHttp: ServerType;
let consoleClients: {
  signIn: { client_id: string; client_secret: string };
  management: { client_id: string; client_secret: string };
};

/** Calls the tenant's Management API as the README's curl lines do. */
async function management(token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${tenantUrl}/api/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return json(res);
}

const clientCredentials = async (clientId: string, clientSecret: string, scope?: string) => {
  const res = await fetch(`${tenantUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      audience: `${tenantUrl}/api/v2/`,
      ...(scope ? { scope } : {}),
    }),
  });
  return { status: res.status, body: await json(res) };
};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fresh-tenant-'));
  // 1. The tenant, without demo data, with a bootstrap client (TENANT_BOOTSTRAP_CLIENT_ID/_SECRET).
  const probe = await listen(() => new Response(null, { status: 503 }));
  const port = (probe.address() as AddressInfo).port;
  await close(probe);
  tenantUrl = `http://127.0.0.1:${port}`;
  tenant = await createTenant({
    issuer: `${tenantUrl}/`,
    storage: join(dataDir, 'tenant'),
    demo: false,
    bootstrapClient: BOOTSTRAP,
    logger: silentLogger,
  });
  tenantHttp = await listen(tenant.app.fetch, port);

  const bffProbe = await listen(() => new Response(null, { status: 503 }));
  const bffPort = (bffProbe.address() as AddressInfo).port;
  await close(bffProbe);
  bffUrl = `http://localhost:${bffPort}`;

  // 2. With the bootstrap client: the console's two applications, its grant, the first admin.
  const { body: bootstrap } = await clientCredentials(BOOTSTRAP.clientId, BOOTSTRAP.clientSecret);
  const signIn = await management(bootstrap.access_token, 'POST', '/clients', {
    name: 'Refresh Token Console',
    app_type: 'regular_web',
    callbacks: [`${bffUrl}/auth/callback`],
    allowed_logout_urls: [`${bffUrl}/`],
    grant_types: ['authorization_code', 'refresh_token'],
  });
  const managementClient = await management(bootstrap.access_token, 'POST', '/clients', {
    name: 'Refresh Token Console (Management API)',
    app_type: 'non_interactive',
    grant_types: ['client_credentials'],
  });
  await management(bootstrap.access_token, 'POST', '/client-grants', {
    client_id: managementClient.client_id,
    audience: `${tenantUrl}/api/v2/`,
    scope: CONSOLE_SCOPES,
  });
  await management(bootstrap.access_token, 'POST', '/users', {
    connection: 'Username-Password-Authentication',
    email: ADMIN.email,
    password: ADMIN.password,
    name: 'First Admin',
    app_metadata: { custom_claims: { [ROLES_CLAIM]: ['admin'] } },
  });
  consoleClients = { signIn, management: managementClient };

  // 3. The BFF, configured from the environment as the README says.
  bff = await createBff(
    readConfig({
      BFF_PUBLIC_URL: bffUrl,
      MANAGEMENT_API_URL: `${tenantUrl}/api/v2`,
      MANAGEMENT_TOKEN_URL: `${tenantUrl}/oauth/token`,
      MANAGEMENT_AUDIENCE: `${tenantUrl}/api/v2/`,
      OIDC_ISSUER: `${tenantUrl}/`,
      MANAGEMENT_CLIENT_ID: managementClient.client_id,
      MANAGEMENT_CLIENT_SECRET: managementClient.client_secret,
      OIDC_CLIENT_ID: signIn.client_id,
      OIDC_CLIENT_SECRET: signIn.client_secret,
      ROLES_CLAIM,
      SESSION_SECRET: 'fresh-tenant-session-secret-4f9c2a7e1b8d3f6a0c5e9b2d',
      BFF_DATA_DIR: join(dataDir, 'bff'),
    }),
    { logger: { info() {}, warn() {}, error() {} } },
  );
  bffHttp = await listen(bff.app.fetch, bffPort);
}, 60_000);

afterAll(async () => {
  await Promise.all([bffHttp && close(bffHttp), tenantHttp && close(tenantHttp)]);
  await bff?.close();
  await tenant?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the console on a fresh, non-demo tenant (README steps)', () => {
  it("the console's management client holds exactly the least scopes, and cannot create users or clients", async () => {
    const { body } = await clientCredentials(
      consoleClients.management.client_id,
      consoleClients.management.client_secret,
    );
    expect(body.scope.split(' ').sort()).toEqual([...CONSOLE_SCOPES].sort());
    const refused = await clientCredentials(
      consoleClients.management.client_id,
      consoleClients.management.client_secret,
      'create:users',
    );
    expect(refused.status).toBe(403);
  });

  it("the first admin signs in to the console through the tenant's login page and acts as admin", async () => {
    const browser = new Browser();
    const login = await browser.navigate(`${bffUrl}/auth/login`);
    expect(login.url.origin).toBe(tenantUrl);
    const tx = /name="tx" value="([^"]+)"/.exec(await login.res.text())?.[1];
    expect(tx).toBeTruthy();
    const submitted = await browser.navigate(new URL('/u/login', login.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ tx: tx!, username: ADMIN.email, password: ADMIN.password }),
    });
    await submitted.res.body?.cancel();
    expect(submitted.url.origin).toBe(bffUrl);

    const me = await json(await browser.fetch(`${bffUrl}/api/me`));
    expect(me.user).toMatchObject({ email: ADMIN.email, role: 'admin' });
    const call = (method: string, path: string, body?: unknown) =>
      browser.fetch(`${bffUrl}${path}`, {
        method,
        headers: {
          origin: bffUrl,
          'x-csrf-token': me.csrf_token,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const users = await call('GET', `/api/users?q=${encodeURIComponent(ADMIN.email)}`);
    expect(users.status).toBe(200);
    expect(JSON.stringify(await json(users))).toContain(ADMIN.email);
    const settings = await call('PATCH', '/api/settings', { revoke_refresh_token_grant: true });
    expect(settings.status).toBe(200);
    expect((await tenant.deps.store.settings.getSettings()).flags.revoke_refresh_token_grant).toBe(true);
  });
});
