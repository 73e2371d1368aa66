import { DEMO, demoEndUser } from '@rtc/tenant';
import { endUserApp, signIn } from '@rtc/testkit';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort, startProcess, type Proc } from '@rtc/stack';

/** How long the soak runs (bounded); SOAK_SECONDS overrides. */
const SECONDS = Number(process.env.SOAK_SECONDS ?? 150);
const WORKERS = 6;

let stack: Proc | undefined;
const dir = mkdtempSync(join(tmpdir(), 'rtc-soak-'));
afterAll(async () => {
  await stack?.kill9();
  rmSync(dir, { recursive: true, force: true });
});

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

it(
  `a ${SECONDS}-second soak of mixed traffic: no 5xx, no upward memory trend`,
  async () => {
    const [tenantPort, bffPort] = [await freePort(), await freePort()];
    // The whole stack in one process, as `npm start` runs it.
    stack = await startProcess(
      'stack/src/start.ts',
      [],
      { DATA_DIR: dir, TENANT_PORT: String(tenantPort), BFF_PORT: String(bffPort) },
      bffPort,
      ['--expose-gc'],
    );
    const tenantUrl = `http://127.0.0.1:${tenantPort}`;
    const support = await signIn({ bffUrl: `http://localhost:${bffPort}` } as Parameters<typeof signIn>[0], 'support');
    const web = endUserApp(tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret);
    const mobile = endUserApp(tenantUrl);
    const users = Array.from({ length: 20 }, (_, i) => demoEndUser(i + 1));
    const webTokens = await Promise.all(users.map((u, i) => web.login(u.email, `Soak laptop ${i}`)));
    const chains = await Promise.all(users.map((u, i) => mobile.login(u.email, `Soak phone ${i}`)));

    const statuses = new Map<number, number>();
    let failures = 0;
    const count = (status: number): void => {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    };
    const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
    const ops: (() => Promise<void>)[] = [
      async () => count((await web.refresh(pick(webTokens))).status),
      async () => {
        const i = Math.floor(Math.random() * chains.length);
        const next = await mobile.refresh(chains[i]!);
        count(next.status);
        chains[i] = next.status === 200 ? next.refreshToken! : await mobile.login(users[i]!.email, `Soak phone ${i}`);
      },
      async () =>
        count(
          (await support.api('GET', `/api/users/${encodeURIComponent(pick(users).user_id)}/refresh-tokens`)).status,
        ),
      async () =>
        count((await support.api('GET', `/api/users/${encodeURIComponent(pick(users).user_id)}/devices`)).status),
      async () => count((await support.api('GET', `/api/users?q=${pick(['a', 'e', 'smith', 'example'])}`)).status),
      async () => {
        const user = pick(users);
        const token = await web.login(user.email, 'Soak throwaway');
        count((await web.revoke(token)).status);
      },
      async () => {
        const user = pick(users);
        await mobile.login(user.email, 'Soak unlink');
        count(
          (
            await support.api('POST', `/api/users/${encodeURIComponent(user.user_id)}/devices/unlink`, {
              device_name: 'Soak unlink',
            })
          ).status,
        );
      },
    ];

    const started = Date.now();
    const samples: [number, number][] = [];
    // Heap left after a full GC (SIGUSR2, see apps/bff/src/process-signals.ts): RSS alone cannot tell a leak from garbage.
    const heapAfterGc = async () => {
      const before = stack!.logs.length;
      stack!.child.kill('SIGUSR2');
      for (let i = 0; i < 100; i++) {
        const line = stack!.logs.slice(before).find((l) => l.includes('"memory after gc"'));
        if (line) return (JSON.parse(line) as { heapUsed: number }).heapUsed / 1_048_576;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('no memory report');
    };
    const sampler = setInterval(() => {
      void heapAfterGc().then((mb) => samples.push([(Date.now() - started) / 60_000, mb]));
    }, 5000);
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        while (Date.now() - started < SECONDS * 1000) {
          await pick(ops)().catch(() => {
            failures += 1;
          });
        }
      }),
    );
    clearInterval(sampler);

    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    const afterWarmup = samples.slice(Math.floor(samples.length / 4));
    const mean = afterWarmup.reduce((s, [, y]) => s + y, 0) / afterWarmup.length;
    const trend = slope(afterWarmup); // MB per minute
    console.log(
      `soak: ${total} requests in ${SECONDS} s (${Math.round(total / SECONDS)}/s), statuses ${JSON.stringify(Object.fromEntries(statuses))}, ` +
        `heap after GC ${samples[0]?.[1].toFixed(1)} -> ${samples.at(-1)?.[1].toFixed(1)} MB ` +
        `(RSS now ${(stack.rss() / 1_048_576).toFixed(0)} MB), trend after warm-up ${trend.toFixed(2)} MB/min`,
    );
    expect(failures).toBe(0);
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    expect(total).toBeGreaterThan(SECONDS * 20);
    // No upward trend: after warm-up, the live heap grows by less than a tenth over the run.
    expect(samples.length).toBeGreaterThan(SECONDS / 10);
    expect(trend * ((SECONDS * 0.75) / 60)).toBeLessThan(mean * 0.1);
  },
  (SECONDS + 120) * 1000,
);
