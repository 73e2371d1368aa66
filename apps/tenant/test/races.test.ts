import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, demoEndUser } from '../src/demo/demo-data.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { testStorage } from './fixtures.ts';
import { listeningTenant } from './server.ts';

/**
 * Many requests at once against one tenant over real HTTP, on the demo data: SQLite in a data
 * directory on disk (as `npm run tenant` keeps it), or with TEST_STORE=postgres a schema of its own.
 * (Several workers: workers.test.ts; several instances: multi-instance.postgres.test.ts.)
 */
let server: Awaited<ReturnType<typeof listeningTenant>>;
const dataDir = mkdtempSync(join(tmpdir(), 'tenant-races-'));
const where: ReturnType<typeof testStorage> =
  process.env.TEST_STORE === 'postgres' ? testStorage() : { storage: dataDir, cleanup: async () => {} };

beforeAll(async () => {
  server = await listeningTenant({
    storage: where.storage,
    ...(where.schema ? { schema: where.schema } : {}),
    demo: true,
    logger: silentLogger,
    // Exchanges of one token are rate limited per token and IP; the race needs more than 120.
    refreshRateLimitPerMinute: 10_000,
  });
});
afterAll(async () => {
  await server.close();
  await where.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

/** An end user's app, as a real client calls the tenant: password grant on a named device, exchanges, revocation. */
function endUserApp(clientId: string = DEMO.clients.mobile.client_id, clientSecret?: string) {
  const post = (path: string, form: Record<string, string>) =>
    fetch(new URL(path, server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: clientId,
        ...(clientSecret ? { client_secret: clientSecret } : {}),
        ...form,
      }),
    });
  return {
    /** Signs in on `device`; returns the refresh token. */
    async login(email: string, device: string): Promise<string> {
      const res = await post('/oauth/token', {
        grant_type: 'password',
        username: email,
        password: DEMO.endUserPassword,
        scope: 'openid profile offline_access',
        device,
      });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { refresh_token: string }).refresh_token;
    },
    /** One exchange: the status, and the new refresh token when the client rotates. */
    async refresh(refreshToken: string): Promise<{ status: number; refreshToken?: string }> {
      const res = await post('/oauth/token', { grant_type: 'refresh_token', refresh_token: refreshToken });
      const body = (await res.json()) as { refresh_token?: string };
      return { status: res.status, ...(body.refresh_token ? { refreshToken: body.refresh_token } : {}) };
    },
    revoke: (token: string) => post('/oauth/revoke', { token }),
  };
}

const mobile = () => endUserApp();
const web = () => endUserApp(DEMO.clients.web.client_id, DEMO.clients.web.secret);

describe('races', () => {
  it('200 parallel exchanges of one rotating token (leeway 0) give exactly one successor', async () => {
    const token = await mobile().login(demoEndUser(30).email, 'Race');
    const results = await Promise.all(Array.from({ length: 200 }, () => mobile().refresh(token)));
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.every((r) => r.status === 200 || r.status === 403)).toBe(true);
    // The one successor was issued, then the reuse revoked the family: nothing is left alive.
    expect((await mobile().refresh(winners[0]!.refreshToken!)).status).toBe(403);
  });

  it('a revoke racing exchanges leaves the token unusable from the moment the revoke answered', async () => {
    const token = await web().login(demoEndUser(31).email, 'Racing Laptop');
    let revokedAt = Number.POSITIVE_INFINITY;
    const attempts: { sentAt: number; status: number }[] = [];
    // Each exchanger keeps going until it has sent 5 exchanges after the revoke answered (bounded),
    // so the check below never depends on how fast the machine is.
    const exchanger = async () => {
      for (let sentAfter = 0, i = 0; sentAfter < 5 && i < 2_000; i++) {
        const sentAt = performance.now();
        if (sentAt > revokedAt) sentAfter++;
        attempts.push({ sentAt, status: (await web().refresh(token)).status });
      }
    };
    // The revoke goes out once an exchange has succeeded (the token was live and in use), while the
    // three exchangers still have requests in flight: ordered by the server, not by a sleep, which a
    // slow first PostgreSQL round trip once outran. (120 failures without a success fail below.)
    const revoker = async () => {
      while (!attempts.some((a) => a.status === 200) && attempts.length < 120)
        await new Promise((r) => setTimeout(r, 1));
      expect((await web().revoke(token)).status).toBe(200);
      revokedAt = performance.now();
    };
    await Promise.all([exchanger(), exchanger(), exchanger(), revoker()]);
    const after = attempts.filter((a) => a.sentAt > revokedAt);
    expect(after.length).toBeGreaterThanOrEqual(15);
    expect(after.every((a) => a.status === 403)).toBe(true);
    expect(attempts.some((a) => a.status === 200)).toBe(true);
  });
});
