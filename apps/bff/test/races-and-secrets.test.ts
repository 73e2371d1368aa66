import { DEMO, demoEndUser } from '@rtc/testkit';
import { confirmingPreview, endUserApp, json, startTestStack, type StaffClient, type TestStack } from '@rtc/testkit';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleBehindProxy } from './console-behind-proxy.ts';

let stack: TestStack;
let support: StaffClient;
const logs: string[] = [];
const secretsSeen = new Set<string>();

beforeAll(async () => {
  // Exchanges are rate limited per token and IP (120 a minute by default); far above that, the
  // unlink race below never meets the limit. (The races of exchanges alone: apps/tenant/test/races.test.ts.)
  stack = await startTestStack({ logs, tenant: { refreshRateLimitPerMinute: 10_000 } });
  support = await stack.signIn('support');
});
afterAll(() => stack.stop());

const mobile = () => endUserApp(stack.tenantUrl);
const web = () => endUserApp(stack.tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret);
const remember = <T extends string | undefined>(value: T): T => {
  if (value) secretsSeen.add(value);
  return value;
};

describe('races', () => {
  it('unlinking a device while its app refreshes leaves no live token on that device', async () => {
    const user = demoEndUser(32);
    let current = remember(await mobile().login(user.email, 'Busy Phone'));
    const events: string[] = [];
    let refreshes = 0;
    let refreshed: () => void = () => {};
    const nextRefresh = () => new Promise<void>((resolve) => (refreshed = resolve));
    // The revocation reaches the tenant only once the app has rotated its token twice more
    // after the BFF read the device's tokens for the unlink: the race happens on every run.
    let holding = false;
    const held = await consoleBehindProxy(stack, 'held-unlink', async (req) => {
      if (req.method === 'GET' || holding) return undefined;
      holding = true;
      events.push('revocation held');
      const target = refreshes + 2;
      while (refreshes < target) await nextRefresh();
      events.push('revocation sent');
      return undefined;
    });
    try {
      let unlinkAnswered = false;
      const firstRefresh = nextRefresh();
      const refreshing = (async () => {
        while (!unlinkAnswered) {
          const next = await mobile().refresh(current);
          if (next.status !== 200) {
            events.push(`refresh refused (${next.status})`);
            return;
          }
          current = remember(next.refreshToken!);
          refreshes++;
          events.push('refreshed');
          refreshed();
        }
      })();
      await firstRefresh;
      events.push('unlink started');
      const res = await confirmingPreview(
        held.support,
        'POST',
        `/api/users/${encodeURIComponent(user.user_id)}/devices/unlink`,
        { device_name: 'Busy Phone' },
      );
      events.push('unlink answered');
      unlinkAnswered = true;
      expect(res.status, await res.clone().text()).toBe(200);
      await refreshing;
      // Both sides ran at once: refreshes before the unlink began and while its revocation was
      // on its way to the tenant, after the BFF had read which tokens the device holds.
      const at = (event: string) => events.indexOf(event);
      expect(at('refreshed'), events.join(', ')).toBeLessThan(at('unlink started'));
      expect(
        events.slice(at('revocation held'), at('revocation sent')).filter((e) => e === 'refreshed'),
        events.join(', '),
      ).toHaveLength(2);
      expect(at('revocation sent')).toBeLessThan(at('unlink answered'));
      expect((await mobile().refresh(current)).status).toBe(403);
      const { devices } = await json(
        await support.api('GET', `/api/users/${encodeURIComponent(user.user_id)}/devices`),
      );
      expect(devices.map((d: { name: string }) => d.name)).not.toContain('Busy Phone');
    } finally {
      await held.stop();
    }
  });
});

describe('secrets stay secret', () => {
  it('no token value, client secret, password or cookie appears in the logs of a full run', async () => {
    // A full run: staff sign-in (above), end users signing in, exchanging, revoking, staff acting.
    const user = demoEndUser(33);
    const a = remember(await web().login(user.email, 'Log Laptop'));
    await web().refresh(a);
    await web().revoke(a);
    const b = await mobile().loginWithBrowser(user.email, 'Log Phone');
    remember(b.refreshToken);
    await support.api('GET', `/api/users/${encodeURIComponent(user.user_id)}/refresh-tokens`);
    await confirmingPreview(
      support,
      'POST',
      `/api/users/${encodeURIComponent(user.user_id)}/refresh-tokens/revoke-all`,
      {},
    );
    const cookie = support.browser.cookie(new URL(stack.bffUrl).host, 'rtc_session')!;
    const mgmtToken = await stack.bff.deps.tokens.get();

    const forbidden = [
      ...secretsSeen,
      cookie,
      support.csrf,
      mgmtToken,
      DEMO.clients.web.secret,
      DEMO.clients.dashboard.secret,
      DEMO.clients.management.secret,
      DEMO.endUserPassword,
      ...DEMO.staff.map((s) => s.password),
    ];
    const all = logs.join('\n');
    expect(logs.length).toBeGreaterThan(20);
    for (const secret of forbidden)
      expect(all.includes(secret), `a secret of ${secret.length} characters is in the logs`).toBe(false);
  });

  // What is stored in clear on purpose: the tenant's RSA signing key and its cookie secret,
  // and the BFF's session secret (embedded mode). On SQLite the files are 0700/0600
  // (apps/tenant/test/data-at-rest.test.ts); on PostgreSQL the database's own access control.
  it('refresh tokens, client secrets and passwords are stored hashed: none is in the stored data', async () => {
    let stored: string;
    if (stack.database) {
      const client = new pg.Client({ connectionString: stack.database.url });
      await client.connect();
      try {
        const { rows: tables } = await client.query<{ table_name: string }>(
          'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
          [stack.database.schema],
        );
        const dumps: string[] = [];
        for (const { table_name } of tables) {
          const { rows } = await client.query(
            `SELECT t::text AS row FROM ${client.escapeIdentifier(stack.database.schema)}.${client.escapeIdentifier(table_name)} t`,
          );
          dumps.push(...rows.map((r: { row: string }) => r.row));
        }
        stored = dumps.join('\n');
      } finally {
        await client.end();
      }
    } else {
      const dir = join(stack.dataDir, 'tenant');
      stored = readdirSync(dir)
        .map((f) => readFileSync(join(dir, f)).toString('latin1'))
        .join('');
    }
    expect(stored.length).toBeGreaterThan(10_000);
    // Not vacuous: a secret the tenant does keep in clear is found the same way.
    expect(stored).toContain(await stack.tenant.deps.store.settings.getOrCreateSecret('cookie', () => 'unused'));
    for (const secret of [
      ...secretsSeen,
      DEMO.clients.web.secret,
      DEMO.clients.management.secret,
      DEMO.endUserPassword,
      ...DEMO.staff.map((s) => s.password),
    ]) {
      expect(stored.includes(secret), `a secret of ${secret.length} characters is stored in clear`).toBe(false);
    }
  });
});
