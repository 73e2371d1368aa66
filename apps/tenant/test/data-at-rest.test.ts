import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/observability/logger.ts';
import { createTenant } from '../src/tenant.ts';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// The SQLite file holds the RSA signing key and the cookie-signing secret in clear (README:
// "What the database holds"): only the account that runs the tenant may read it.
describe.skipIf(process.env.TEST_STORE === 'postgres')('secrets at rest on SQLite', () => {
  it('creates the data directory 0700 and the database, its WAL and shared-memory files 0600', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rtc-at-rest-'));
    dirs.push(root);
    const dataDir = join(root, 'data', 'tenant');
    const tenant = await createTenant({
      issuer: 'http://127.0.0.1:1/',
      storage: dataDir,
      demo: true,
      logger: silentLogger,
    });
    try {
      expect(mode(dataDir)).toBe('700');
      for (const file of ['tenant.sqlite', 'tenant.sqlite-wal', 'tenant.sqlite-shm'])
        expect([file, mode(join(dataDir, file))]).toEqual([file, '600']);
    } finally {
      await tenant.close();
    }
  });

  it('tightens the modes of an existing data directory and database created by an older version', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rtc-at-rest-'));
    dirs.push(root);
    const first = await createTenant({ issuer: 'http://127.0.0.1:1/', storage: root, logger: silentLogger });
    await first.close();
    const { chmodSync } = await import('node:fs');
    chmodSync(root, 0o755);
    chmodSync(join(root, 'tenant.sqlite'), 0o644);
    const again = await createTenant({ issuer: 'http://127.0.0.1:1/', storage: root, logger: silentLogger });
    try {
      expect(mode(root)).toBe('700');
      expect(mode(join(root, 'tenant.sqlite'))).toBe('600');
    } finally {
      await again.close();
    }
  });
});
