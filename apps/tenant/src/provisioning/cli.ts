import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { managementAudience, type TenantDeps } from '../deps.ts';
import { exportTenant, importTenant } from './tenant-file.ts';

/**
 * The start-up work of `npm run tenant` beyond serving: `--export` (write the tenant file,
 * then stop), `--import` (apply one), and telling the operator of a tenant nobody can
 * administer how to get a Management API client. Returns lines for the start-up banner.
 */
export async function provision(
  tenant: { deps: Pick<TenantDeps, 'store' | 'issuer' | 'clock'> },
  config: { importFile: string | undefined; exportFile: string | undefined; demo: boolean; bootstrapClient: unknown },
  out: { stdout(text: string): void; stderr(text: string): void } = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  },
): Promise<{ exported: boolean; notes: string[] }> {
  const { store, issuer, clock } = tenant.deps;
  if (config.exportFile !== undefined) {
    const text = `${JSON.stringify(await exportTenant(store, issuer), null, 2)}\n`;
    if (config.exportFile === '-') out.stdout(text);
    else writePrivately(config.exportFile, text);
    out.stderr(
      `The tenant file ${config.exportFile === '-' ? 'on stdout' : config.exportFile} holds every user's password hash ` +
        '(scrypt): keep it as you would the database.\n',
    );
    return { exported: true, notes: [] };
  }
  const notes: string[] = [];
  if (config.importFile !== undefined) {
    const report = await importTenant(store, readFileSync(config.importFile, 'utf8'), { issuer, now: clock.now() });
    const count = (o: Record<string, number>) =>
      Object.entries(o)
        .map(([k, n]) => `${n} ${k.replace('_', ' ')}`)
        .join(', ');
    notes.push(`  imported   ${config.importFile}: created ${count(report.created)}; updated ${count(report.updated)}`);
    for (const clientId of report.clientsWithoutSecret) {
      notes.push(
        `  note       client ${clientId} has no secret yet: POST /api/v2/clients/${clientId}/rotate-secret shows one`,
      );
    }
  }
  if (!config.demo && !config.bootstrapClient && !(await canCallManagementApi(store, issuer))) {
    notes.push(
      '  NO CLIENT  nothing can call the Management API yet. Restart once with',
      '             TENANT_BOOTSTRAP_CLIENT_ID=<id> TENANT_BOOTSTRAP_CLIENT_SECRET=<secret of 32+ characters, e.g. `openssl rand -base64 48`>',
      '             (or --bootstrap-client ID:SECRET) to create a machine-to-machine client with every Management API scope.',
    );
  }
  return { exported: false, notes };
}

/**
 * Whether some client can get a Management API token: one holding a grant for it and a secret
 * to authenticate with. Grants alone are not enough: an imported tenant file keeps the grants
 * of its machine-to-machine clients but carries none of their secrets.
 */
async function canCallManagementApi(store: TenantDeps['store'], issuer: string): Promise<boolean> {
  let from: string | undefined;
  do {
    const page = await store.directory.listClientGrants({ audience: managementAudience(issuer) }, from, 100);
    for (const grant of page.items) {
      const client = await store.directory.getClient(grant.client_id);
      if (client?.client_secret_hash && client.grant_types.includes('client_credentials')) return true;
    }
    from = page.next;
  } while (from !== undefined);
  return false;
}

/**
 * Writes `text` to `path` as a new file only its owner can read (0600), whatever was there: a
 * file created beside it (exclusively, so never another's), then renamed over it. Writing into
 * an existing file would keep that file's mode, perhaps readable by all, and a crash midway
 * would leave half a file.
 */
function writePrivately(path: string, text: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, text, { mode: 0o600, flag: 'wx' });
    renameSync(temporary, path);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
}
