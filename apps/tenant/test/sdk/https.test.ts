import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ROOT, startNpmTenant } from '../npm-tenant.ts';

/**
 * `npm run tenant -- --https`, as the README sets it up, and the official auth0 SDK (v7)
 * pointed at it the way its own documentation points it at Auth0: `domain` only, which it
 * turns into `https://{domain}`. The SDK runs in a process of its own whose only trust in the
 * tenant is the README's NODE_EXTRA_CA_CERTS line: no verification is turned off anywhere.
 */
const BOOTSTRAP_ID = 'https-bootstrap';
const BOOTSTRAP_SECRET = 'https-bootstrap-secret-0123456789abcdefghij';

let dataDir: string;
let port: number;
let banner = '';
let stop: () => void = () => {};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tenant-https-'));
  port = await freePort();
  ({ banner, stop } = await startNpmTenant(
    [
      '--https',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--no-demo',
      '--workers',
      '1',
      '--bootstrap-client',
      `${BOOTSTRAP_ID}:${BOOTSTRAP_SECRET}`,
    ],
    (text) => text.includes('trust it') && text.includes('bootstrap'),
  ));
}, 60_000);

afterAll(() => {
  stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run tenant -- --https', () => {
  it('serves TLS on https://localhost:<port>/ with its local CA, keeps the private keys 0600, and prints how to trust it', () => {
    expect(banner).toContain(`listening on https://127.0.0.1:${port}`);
    expect(banner).toContain(`issuer     https://localhost:${port}/`);
    expect(banner).toContain(`NODE_EXTRA_CA_CERTS=${join(dataDir, 'ca.pem')}`);
    expect(banner).toMatch(/--ignore-certificate-errors-spki-list=[A-Za-z0-9+/]{43}=/);
    for (const key of ['ca-key.pem', 'localhost-key.pem'])
      expect(statSync(join(dataDir, key)).mode & 0o777).toBe(0o600);
  });

  it('refuses a client that does not trust the local CA (the certificate is checked, not waved through)', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '-e',
        `fetch('https://localhost:${port}/.well-known/openid-configuration')` +
          `.then(() => console.log('trusted'), (e) => console.log(e.cause?.code ?? e.message))`,
      ],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: '' } },
    );
    expect(stdout.trim()).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER_CERT/);
  });

  it("the auth0 SDK's ManagementClient({ domain }) and legacy AuthenticationClient({ domain }) work unchanged, ID tokens included", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(import.meta.dirname, 'auth0-sdk-over-https.mjs'), `localhost:${port}`, BOOTSTRAP_ID, BOOTSTRAP_SECRET],
      {
        cwd: ROOT,
        env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dataDir, 'ca.pem') },
      },
    );
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result).toEqual({
      userId: expect.stringMatching(/^auth0\|/),
      idTokenIssuer: `https://localhost:${port}/`,
      rotated: true,
      tokensListed: 1,
      devices: 1,
      sessions: 0,
      grants: 1,
      afterRevoke: 'invalid_grant',
    });
  }, 60_000);
});
