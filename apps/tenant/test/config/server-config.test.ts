import { describe, expect, it } from 'vitest';
import { defaultWorkers, readServerConfig } from '../../src/config.ts';

describe('tenant start-up configuration', () => {
  it('logs exchanges unless TENANT_LOG_EXCHANGES=0; keeps revocation history TENANT_HISTORY_RETENTION_DAYS days (30 when unset)', () => {
    expect(readServerConfig([], {}).logExchanges).toBe(true);
    expect(readServerConfig([], { TENANT_LOG_EXCHANGES: '0' }).logExchanges).toBe(false);
    expect(readServerConfig([], { TENANT_LOG_EXCHANGES: '1' }).logExchanges).toBe(true);
    expect(() => readServerConfig([], { TENANT_LOG_EXCHANGES: 'off' })).toThrow(/TENANT_LOG_EXCHANGES must be 0 or 1/);
    expect(readServerConfig([], {}).historyRetentionDays).toBeUndefined();
    expect(readServerConfig([], { TENANT_HISTORY_RETENTION_DAYS: '7' }).historyRetentionDays).toBe(7);
    expect(() => readServerConfig([], { TENANT_HISTORY_RETENTION_DAYS: '0' })).toThrow(/TENANT_HISTORY_RETENTION_DAYS/);
  });

  it("keeps its data in --data-dir, else TENANT_DATA_DIR, else the tenant/ folder of DATA_DIR (npm start's), else .data/tenant", () => {
    const cwd = { INIT_CWD: '/work/here' };
    expect(readServerConfig([], cwd).dataDir).toBe('/work/here/.data/tenant');
    expect(readServerConfig([], { ...cwd, DATA_DIR: '/srv/console' }).dataDir).toBe('/srv/console/tenant');
    expect(readServerConfig([], { ...cwd, DATA_DIR: '/srv/console', TENANT_DATA_DIR: 'mine' }).dataDir).toBe(
      '/work/here/mine',
    );
    expect(readServerConfig(['--data-dir', '/tmp/t'], { ...cwd, TENANT_DATA_DIR: 'mine' }).dataDir).toBe('/tmp/t');
  });

  describe('demo data (published passwords) only where nobody else can reach them', () => {
    it('seeds the demo tenant by default on a loopback issuer', () => {
      expect(readServerConfig([], {}).demo).toBe(true);
      expect(readServerConfig(['--issuer', 'http://localhost:4400/'], {}).demo).toBe(true);
      expect(readServerConfig(['--issuer', 'http://[::1]:4400/'], {}).demo).toBe(true);
    });

    it('starts without demo data on a public issuer, as in the README multi-instance example', () => {
      expect(readServerConfig(['--port', '4401', '--issuer', 'https://tenant.example.com/'], {}).demo).toBe(false);
      expect(readServerConfig([], { TENANT_ISSUER: 'https://tenant.example.com/' }).demo).toBe(false);
      // Listening on every interface is not loopback, whatever the issuer says; nor is a proxy in front.
      expect(readServerConfig(['--host', '0.0.0.0', '--issuer', 'http://192.0.2.10:4400/'], {}).demo).toBe(false);
      expect(readServerConfig(['--host', '0.0.0.0'], {}).demo).toBe(false);
      expect(readServerConfig(['--host', '::'], {}).demo).toBe(false);
      expect(readServerConfig(['--trust-proxy', '1'], {}).demo).toBe(false);
      expect(readServerConfig(['--host', '0.0.0.0'], {}).exposed).toBe(true);
      expect(readServerConfig([], {}).exposed).toBe(false);
    });

    it('seeds it on a public issuer only when asked explicitly, and says so loudly', () => {
      const flag = readServerConfig(['--issuer', 'https://tenant.example.com/', '--demo'], {});
      expect(flag.demo).toBe(true);
      expect(flag.warnings.join('\n')).toMatch(/published demo passwords/);
      expect(readServerConfig(['--issuer', 'https://tenant.example.com/'], { TENANT_DEMO: '1' }).demo).toBe(true);
      expect(readServerConfig([], { TENANT_DEMO: '0' }).demo).toBe(false);
      expect(readServerConfig(['--no-demo'], {}).demo).toBe(false);
      expect(readServerConfig([], {}).warnings).toEqual([]);
    });
  });

  describe('--trust-proxy', () => {
    it('trusts no proxy by default, N hops when told', () => {
      expect(readServerConfig([], {}).trustProxy).toBe(0);
      expect(readServerConfig(['--trust-proxy', '2'], {}).trustProxy).toBe(2);
      expect(readServerConfig([], { TENANT_TRUST_PROXY: '1' }).trustProxy).toBe(1);
      expect(() => readServerConfig(['--trust-proxy', 'yes'], {})).toThrow(/trust-proxy/);
    });
  });

  describe('--workers', () => {
    it('serves from one process per two cores by default, from one under vitest, from N when told', async () => {
      const { availableParallelism } = await import('node:os');
      expect(readServerConfig([], {}).workers).toBe(Math.max(1, Math.floor(availableParallelism() / 2)));
      expect([1, 2, 3, 4, 8].map((cores) => defaultWorkers(cores))).toEqual([1, 1, 1, 2, 4]);
      expect(readServerConfig([], { VITEST: 'true' }).workers).toBe(1);
      expect(readServerConfig(['--workers', '3'], { VITEST: 'true' }).workers).toBe(3);
      expect(readServerConfig([], { TENANT_WORKERS: '2' }).workers).toBe(2);
      expect(readServerConfig(['--workers', '1'], { TENANT_WORKERS: '2' }).workers).toBe(1);
      for (const bad of ['0', 'two', '-1', '1.5', '65'])
        expect(() => readServerConfig(['--workers', bad], {})).toThrow(/workers/);
    });

    it('logs the heap every TENANT_HEAP_REPORT_SECONDS, never by default', () => {
      expect(readServerConfig([], {}).heapReportSeconds).toBe(0);
      expect(readServerConfig([], { TENANT_HEAP_REPORT_SECONDS: '20' }).heapReportSeconds).toBe(20);
      expect(() => readServerConfig([], { TENANT_HEAP_REPORT_SECONDS: 'often' })).toThrow(/TENANT_HEAP_REPORT_SECONDS/);
    });
  });
});

describe('a store holding the demo tenant, served where others can reach it', () => {
  it('refuses to start unless the demo is asked for', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createTenant } = await import('../../src/tenant.ts');
    const { silentLogger } = await import('../../src/observability/logger.ts');
    const dir = mkdtempSync(join(tmpdir(), 'rtc-demo-'));
    try {
      const tried = await createTenant({
        issuer: 'http://127.0.0.1:4400/',
        storage: dir,
        demo: true,
        logger: silentLogger,
      });
      await tried.close();
      await expect(
        createTenant({ issuer: 'https://auth.example.com/', storage: dir, refuseDemoData: true, logger: silentLogger }),
      ).rejects.toThrow(/demo tenant/);
      const forced = await createTenant({
        issuer: 'https://auth.example.com/',
        storage: dir,
        demo: true,
        logger: silentLogger,
      });
      await forced.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a store the demo seed marked, whatever became of its demo clients', () => {
  it('refuses to start where others can reach it after the demo machine client was deleted, unless the demo is asked for', async () => {
    const { createTenant } = await import('../../src/tenant.ts');
    const { silentLogger } = await import('../../src/observability/logger.ts');
    const { testStorage } = await import('../fixtures.ts');
    const { DEMO } = await import('../../src/demo/demo-data.ts');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    // The same store across starts: a data dir on SQLite (its test storage is in memory), a schema on PostgreSQL.
    const where = testStorage();
    const dir = mkdtempSync(join(tmpdir(), 'rtc-demo-marked-'));
    const storage = where.storage === ':memory:' ? dir : where.storage;
    const on = (issuer: string, extra: { demo?: boolean; refuseDemoData?: boolean }) =>
      createTenant({
        issuer,
        storage,
        ...(where.schema ? { schema: where.schema } : {}),
        logger: silentLogger,
        ...extra,
      });
    try {
      const tried = await on('http://127.0.0.1:4400/', { demo: true });
      // The operator deletes the demo machine client, the one the old guard looked for; the published passwords stay.
      const m = DEMO.clients.management;
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: m.client_id,
        client_secret: m.secret,
        audience: 'http://127.0.0.1:4400/api/v2/',
      });
      const issued = await tried.app.request('/oauth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
      const { access_token } = (await issued.json()) as { access_token: string };
      const deleted = await tried.app.request(`/api/v2/clients/${m.client_id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(deleted.status).toBe(204);
      await tried.close();

      await expect(on('https://auth.example.com/', { refuseDemoData: true })).rejects.toThrow(/demo tenant/);
      const forced = await on('https://auth.example.com/', { demo: true });
      await forced.close();
    } finally {
      await where.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
