import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { provision } from '../../src/provisioning/cli.ts';
import { exportTenant } from '../../src/provisioning/tenant-file.ts';
import { createTenant, type Tenant } from '../../src/tenant.ts';
import { testStorage, testTenant } from '../fixtures.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emptyTenant(): Promise<Tenant> {
  const where = testStorage();
  const tenant = await createTenant({
    issuer: 'https://imported.test/',
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

describe('start-up provisioning', () => {
  it('after importing an exported file (no secrets), says nothing can call the Management API and how to fix it, naming each client', async () => {
    const source = await testTenant();
    cleanups.push(() => source.close());
    const file = join(mkdtempSync(join(tmpdir(), 'rtc-import-')), 'tenant.json');
    writeFileSync(file, JSON.stringify(await exportTenant(source.store, source.tenant.deps.issuer)));

    const target = await emptyTenant();
    const { notes } = await provision(target, {
      importFile: file,
      exportFile: undefined,
      demo: false,
      bootstrapClient: undefined,
    });
    // m2m holds the Management API grant, but the file carried no secret: no one can get a token.
    expect(notes.join('\n')).toMatch(/client m2m has no secret yet/);
    expect(notes.join('\n')).toMatch(/NO CLIENT/);
    expect(notes.join('\n')).toMatch(/TENANT_BOOTSTRAP_CLIENT_ID/);
  });
});
