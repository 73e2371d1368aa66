import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { readServerConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { MANAGEMENT_SCOPES } from '../../src/management/system-api.ts';
import { createTenant, type Tenant } from '../../src/tenant.ts';
import { testStorage } from '../fixtures.ts';
import { sdk } from '../management/helpers.ts';
import { serveApp } from '../server.ts';

const ISSUER = 'https://fresh.tenant.test/';
const BOOTSTRAP = { clientId: 'bootstrap-admin', clientSecret: 'bootstrap-secret-0123456789abcdefghijklmnop' };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A tenant without demo data on its own storage; `reopen` starts another instance on the same storage. */
async function freshTenant(bootstrapClient?: { clientId: string; clientSecret: string }) {
  const where = testStorage();
  const clock = new ManualClock();
  const storage =
    where.storage === ':memory:' ? (await import('../../src/store/sqlite/sqlite-store.ts')).openSqliteStore : undefined;
  // In-memory SQLite is one handle: share it between "starts" by passing the store itself.
  const shared = storage ? storage(':memory:') : undefined;
  const open = (client?: { clientId: string; clientSecret: string }) =>
    createTenant({
      issuer: ISSUER,
      storage: shared ?? where.storage,
      ...(where.schema ? { schema: where.schema } : {}),
      clock,
      logger: silentLogger,
      demo: false,
      ...(client ? { bootstrapClient: client } : {}),
    });
  const tenant = await open(bootstrapClient);
  cleanups.push(async () => {
    await tenant.close();
    await where.cleanup();
  });
  return { tenant, clock, open };
}

const token = async (tenant: Tenant, clientId: string, clientSecret: string) => {
  const res = await tenant.app.request('/oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      audience: `${ISSUER}api/v2/`,
    }).toString(),
  });
  return { status: res.status, body: (await res.json()) as { access_token: string; scope: string } };
};

describe('the bootstrap client of a tenant without demo data', () => {
  it('is a machine-to-machine client with every Management API scope, enough to set the tenant up through the SDK', async () => {
    const { tenant } = await freshTenant(BOOTSTRAP);
    expect((await tenant.deps.store.directory.listClients(0, 10)).items.map((c) => c.client_id)).toEqual([
      BOOTSTRAP.clientId,
    ]);
    const issued = await token(tenant, BOOTSTRAP.clientId, BOOTSTRAP.clientSecret);
    expect(issued.status).toBe(200);
    expect(issued.body.scope.split(' ').sort()).toEqual([...MANAGEMENT_SCOPES].sort());

    const server = await serveApp(tenant.app.fetch);
    cleanups.push(() => server.close());
    const api = sdk(`${server.url}/api/v2`, issued.body.access_token);
    const user = await api.users.create({
      connection: 'Username-Password-Authentication',
      email: 'first@fresh.test',
      password: 'a long first passphrase',
    });
    expect(user.user_id).toMatch(/^auth0\|/);
    const app = await api.clients.create({
      name: 'First app',
      app_type: 'regular_web',
      callbacks: ['https://app.fresh.test/callback'],
    });
    expect(app.client_secret).toBeTruthy();
  });

  it('a later start with another secret leaves an existing client, its rotated secret and narrowed grant alone', async () => {
    const { tenant, open } = await freshTenant(BOOTSTRAP);
    const grant = (await tenant.deps.store.directory.getClientGrant(BOOTSTRAP.clientId, `${ISSUER}api/v2/`))!;
    await tenant.deps.store.directory.putClientGrant({ ...grant, scope: ['read:users'] });
    const again = await open({
      clientId: BOOTSTRAP.clientId,
      clientSecret: 'another-secret-0123456789abcdefghijklmnopq',
    });
    try {
      expect(again.bootstrap).toBe('exists');
      expect((await token(again, BOOTSTRAP.clientId, 'another-secret-0123456789abcdefghijklmnopq')).status).toBe(401);
      const issued = await token(again, BOOTSTRAP.clientId, BOOTSTRAP.clientSecret);
      expect(issued.body.scope).toBe('read:users');
    } finally {
      // On in-memory SQLite both starts share one store, which the first one closes.
      if (again.deps.store !== tenant.deps.store) await again.close();
      else await again.deps.revocations.stop();
    }
  });

  it('is re-created by any later start that names it while no client of that id exists: a tenant never locks itself out', async () => {
    const { tenant, open } = await freshTenant(BOOTSTRAP);
    expect(tenant.bootstrap).toBe('created');
    await tenant.deps.store.directory.deleteClient(BOOTSTRAP.clientId, { id: 'job_bootstrap', now: Date.now() });
    const again = await open(BOOTSTRAP);
    try {
      expect(again.bootstrap).toBe('created');
      expect((await token(again, BOOTSTRAP.clientId, BOOTSTRAP.clientSecret)).status).toBe(200);
    } finally {
      if (again.deps.store !== tenant.deps.store) await again.close();
      else await again.deps.revocations.stop();
    }
  });

  it('gives the configured secret to a bootstrap client left without one (a tenant file carries no secrets), and says so', async () => {
    const { tenant, open } = await freshTenant(BOOTSTRAP);
    const imported = (await tenant.deps.store.directory.getClient(BOOTSTRAP.clientId))!;
    await tenant.deps.store.directory.putClient({ ...imported, client_secret_hash: null });
    expect((await token(tenant, BOOTSTRAP.clientId, BOOTSTRAP.clientSecret)).status).toBe(401);
    const again = await open(BOOTSTRAP);
    try {
      expect(again.bootstrap).toBe('secret-set');
      expect((await token(again, BOOTSTRAP.clientId, BOOTSTRAP.clientSecret)).status).toBe(200);
    } finally {
      if (again.deps.store !== tenant.deps.store) await again.close();
      else await again.deps.revocations.stop();
    }
  });

  it('does not give the configured secret back to a bootstrap client whose secret was taken away through the Management API', async () => {
    const { tenant, open } = await freshTenant(BOOTSTRAP);
    // An administrator's own client, allowed only to update clients.
    const admin = await token(tenant, BOOTSTRAP.clientId, BOOTSTRAP.clientSecret);
    const created = await tenant.app.request('/api/v2/clients', {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.body.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ops', app_type: 'non_interactive', grant_types: ['client_credentials'] }),
    });
    const ops = (await created.json()) as { client_id: string; client_secret: string };
    await tenant.app.request('/api/v2/client-grants', {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.body.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: ops.client_id,
        audience: `${ISSUER}api/v2/`,
        scope: ['update:clients', 'read:clients'],
      }),
    });
    const { access_token } = (await token(tenant, ops.client_id, ops.client_secret)).body;
    const patch = async (body: unknown) =>
      (
        await tenant.app.request(`/api/v2/clients/${BOOTSTRAP.clientId}`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).status;
    // Made public (which deletes its secret) and back: an administrator's doing, not a tenant file's.
    expect(await patch({ token_endpoint_auth_method: 'none', grant_types: [] })).toBe(200);
    expect(await patch({ token_endpoint_auth_method: 'client_secret_post', grant_types: ['client_credentials'] })).toBe(
      200,
    );
    const again = await open(BOOTSTRAP);
    try {
      expect(again.bootstrap).toBe('exists');
      expect((await token(again, BOOTSTRAP.clientId, BOOTSTRAP.clientSecret)).status).toBe(401);
    } finally {
      if (again.deps.store !== tenant.deps.store) await again.close();
      else await again.deps.revocations.stop();
    }
  });

  it('without one, a tenant without demo data has no client at all', async () => {
    const { tenant } = await freshTenant();
    expect((await tenant.deps.store.directory.listClients(0, 10)).total).toBe(0);
    expect((await token(tenant, BOOTSTRAP.clientId, BOOTSTRAP.clientSecret)).status).toBe(401);
  });

  it('refuses a guessable secret or an odd client id rather than start with one', async () => {
    await expect(freshTenant({ clientId: 'bootstrap-admin', clientSecret: 'short' })).rejects.toThrow(
      /at least 32 characters/,
    );
    await expect(freshTenant({ clientId: 'a b', clientSecret: BOOTSTRAP.clientSecret })).rejects.toThrow(/client id/);
  });
});

describe('bootstrap client configuration', () => {
  it('comes from TENANT_BOOTSTRAP_CLIENT_ID / _SECRET, or --bootstrap-client ID:SECRET (the flag wins)', () => {
    const env = { TENANT_BOOTSTRAP_CLIENT_ID: 'from-env-id', TENANT_BOOTSTRAP_CLIENT_SECRET: BOOTSTRAP.clientSecret };
    expect(readServerConfig([], env).bootstrapClient).toEqual({
      clientId: 'from-env-id',
      clientSecret: BOOTSTRAP.clientSecret,
    });
    expect(
      readServerConfig(['--bootstrap-client', `from-flag:${BOOTSTRAP.clientSecret}`], env).bootstrapClient,
    ).toEqual({ clientId: 'from-flag', clientSecret: BOOTSTRAP.clientSecret });
    expect(readServerConfig([], {}).bootstrapClient).toBeUndefined();
    expect(() => readServerConfig([], { TENANT_BOOTSTRAP_CLIENT_ID: 'only-the-id' })).toThrow(
      /TENANT_BOOTSTRAP_CLIENT_SECRET/,
    );
    expect(() => readServerConfig(['--bootstrap-client', 'no-secret-here'], {})).toThrow(/ID:SECRET/);
    expect(() => readServerConfig(['--bootstrap-client', 'short-id:short'], {})).toThrow(/at least 32 characters/);
  });
});
