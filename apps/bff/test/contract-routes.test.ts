import { type Endpoint, endpoints } from '@rtc/contracts/endpoints';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bff, createBff } from '../src/bff.ts';
import { readConfig } from '../src/config.ts';
import { reply } from '../src/routes/contract.ts';

/**
 * The endpoint table in @rtc/contracts is what the dashboard calls by: every entry must be a
 * route the BFF mounts, with that method at that path, and every JSON route the BFF mounts
 * under /api must be in the table (a route the dashboard cannot call by its contract).
 */

let dataDir: string;
let bff: Bff;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'bff-contract-'));
  // No tenant behind it: building the app reaches nothing, and no request is made here.
  bff = await createBff(
    readConfig({
      AUTH0_DOMAIN: 'tenant.example.com',
      MANAGEMENT_CLIENT_ID: 'console-management',
      MANAGEMENT_CLIENT_SECRET: 'management-secret',
      OIDC_CLIENT_ID: 'console',
      OIDC_CLIENT_SECRET: 'console-secret',
      SESSION_SECRET: 'contract-test-session-secret-7b1e4c9a2f6d8e3b5a0c',
      BFF_DATA_DIR: dataDir,
    }),
    { logger: { info() {}, warn() {}, error() {} } },
  );
});
afterAll(async () => {
  await bff?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const mounted = () => bff.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`);

describe('the endpoint table and the routes the BFF mounts', () => {
  it.each(Object.entries(endpoints))('%s is mounted with its method at its path', (_name, endpoint: Endpoint) => {
    expect(mounted()).toContain(`${endpoint.method} ${endpoint.path}`);
  });

  it('every route under /api, and sign-out, is in the table', () => {
    const table = new Set(Object.values(endpoints).map((e: Endpoint) => `${e.method} ${e.path}`));
    const outside = mounted().filter(
      (route) => (route.includes(' /api/') || route.endsWith(' /auth/logout')) && !table.has(route),
    );
    expect(outside).toEqual([]);
  });
});

/**
 * Compiled by `tsc -p apps/bff`, never run: an answer that is not the contract's fails the build
 * (an unused @ts-expect-error is an error itself).
 */
export function answersTheBuildRefuses(c: Parameters<typeof reply>[0]) {
  // @ts-expect-error a field misnamed: the dashboard reads `revoke_refresh_token_grant`
  reply(c, endpoints.settings, { revoke_refresh_tokens_grant: true });
  // @ts-expect-error a field of another type
  reply(c, endpoints.settings, { revoke_refresh_token_grant: 'yes' });
  // @ts-expect-error a field missing
  return reply(c, endpoints.signOut, {});
}
