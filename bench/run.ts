/**
 * `npm run bench [-- --quick] [-- --json FILE] [-- --postgres] [-- --soak-minutes N]`: builds a large tenant with the generator,
 * starts the tenant, the BFF and two peers (oidc-provider, bench/peer: in memory, and durable
 * on SQLite) each in its own process, drives each figure with the load generator in another
 * process, and prints one line per figure with its target. Throughput targets are ratios to
 * the peers measured in the same run, under the same load, so a noisy machine moves every side.
 *
 * The same work on every side: two exchange scenarios with identical token formats, (a) for
 * /userinfo only (an opaque access token and an RS256 ID token: one signature each side) and
 * (b) for an API (an RS256 JWT access token and an ID token: two signatures; the peers with
 * their resource-indicators feature). And the machine's ceilings in the same run (bench/yardstick.ts):
 * RS256 signing on every core, and a bare node:http answer under the same load generator.
 *
 * The steps live in bench/run/: the peers' figures (exchanges.ts), the console's (console.ts),
 * the large revocations (bulk-revocation.ts), the soak (soak.ts) and PostgreSQL (postgres.ts).
 */
import { admitConsole, DEMO, freePort, ROOT, startProcess, startTenant, TENANT_SERVER, type Proc } from '@rtc/stack';
import { generateTenant } from '@rtc/tenant';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { applicationRevocationFigures, userRevocationFigures } from './run/bulk-revocation.ts';
import { ipDatabaseFigures, progress } from './run/children.ts';
import { consoleFigures } from './run/console.ts';
import type { BenchContext } from './run/context.ts';
import { peerFigures } from './run/exchanges.ts';
import { atMost, printFigures } from './run/figures.ts';
import { OPTIONS, SEED, SIZE, SOAK_MINUTES, TENANT_ENV } from './run/options.ts';
import { postgresFigures } from './run/postgres.ts';
import { soak } from './run/soak.ts';

const dir = mkdtempSync(join(tmpdir(), 'rtc-bench-'));
const procs: Proc[] = [];
try {
  // Generation.
  progress(`generating ${SIZE.users} users and ${SIZE.tokens} tokens`);
  const started = performance.now();
  await generateTenant({
    dataDir: dir,
    issuer: 'http://127.0.0.1:1/',
    users: SIZE.users,
    tokens: SIZE.tokens,
    heavyUserTokens: SIZE.heavy,
    bulkUserTokens: SIZE.bulk,
    mediumUserTokens: SIZE.medium,
    userinfoOnlyMobileTokens: true,
    mediumUserOnOneDevice: true,
    seed: SEED,
    log: () => {},
  });
  atMost(
    `generate ${SIZE.users} users and ${SIZE.tokens} tokens`,
    Math.round((performance.now() - started) / 100) / 10,
    's',
    180,
  );

  const [port, peerPort, durablePeerPort, bffPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const bffUrl = `http://127.0.0.1:${bffPort}`;
  await admitConsole(dir, bffUrl);

  // The durable peer's file is seeded first, with no deadline (its seed is one long transaction);
  // the peer then starts on it as after a restart.
  progress(`seeding the durable peer (oidc-provider on SQLite) with ${SIZE.peerTokens} tokens`);
  const durablePeerArgs = [
    ...['--port', String(durablePeerPort), '--tokens', String(SIZE.peerTokens), '--seed', SEED],
    ...['--store', 'sqlite', '--data', join(dir, 'peer', 'peer.sqlite')],
  ];
  await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'bench/peer/oidc-provider.ts', ...durablePeerArgs, '--seed-only'],
    {
      cwd: ROOT,
    },
  );

  progress('starting the tenant, the BFF and the peers (oidc-provider in memory and on SQLite)');
  // As deployed: the bundle `npm run build` made (apps/tenant/build.ts), no TypeScript loader.
  const tenant = await startTenant(dir, port, TENANT_ENV, { built: true });
  procs.push(tenant);
  const url = tenant.url;
  const peer = await startProcess(
    'bench/peer/oidc-provider.ts',
    ['--port', String(peerPort), '--tokens', String(SIZE.peerTokens), '--seed', SEED],
    {},
    peerPort,
  );
  procs.push(peer);
  const durablePeer = await startProcess('bench/peer/oidc-provider.ts', durablePeerArgs, {}, durablePeerPort);
  procs.push(durablePeer);
  procs.push(peer);
  const bff = await startProcess(
    'apps/bff/src/server.ts',
    [],
    {
      BFF_PORT: String(bffPort),
      BFF_PUBLIC_URL: bffUrl,
      BFF_DATA_DIR: join(dir, 'bff'),
      MANAGEMENT_API_URL: `${url}/api/v2`,
      MANAGEMENT_TOKEN_URL: `${url}/oauth/token`,
      MANAGEMENT_AUDIENCE: `${url}/api/v2/`,
      MANAGEMENT_CLIENT_ID: DEMO.clients.management.client_id,
      MANAGEMENT_CLIENT_SECRET: DEMO.clients.management.secret,
      OIDC_ISSUER: `${url}/`,
      OIDC_CLIENT_ID: DEMO.clients.dashboard.client_id,
      OIDC_CLIENT_SECRET: DEMO.clients.dashboard.secret,
      SESSION_SECRET: 'bench-session-secret-0123456789abcdef0123',
    },
    bffPort,
  );
  procs.push(bff);

  const mgmt = (await (
    await fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: DEMO.clients.management.client_id,
        client_secret: DEMO.clients.management.secret,
        audience: `${url}/api/v2/`,
      }),
    })
  ).json()) as { access_token: string };
  const auth = { authorization: `Bearer ${mgmt.access_token}` };
  const firstFree = SIZE.heavy + SIZE.bulk + SIZE.medium; // tokens of the randomly owned users start here
  const even = firstFree + (firstFree % 2);
  const run: BenchContext = { dir, tenant, bffUrl, auth, even, procs };

  const { capacityB, peerExchangeB, peerRevoke } = await peerFigures(run, { memory: peer, durable: durablePeer });
  const { cookie } = await consoleFigures(run);
  await userRevocationFigures(run);

  atMost(`tenant RSS with ${SIZE.tokens} tokens, after the load`, Math.round(tenant.rss() / 1_048_576), 'MB', 300);

  // The dashboard's initial JavaScript: the entry and what index.html preloads.
  const dist = join(ROOT, 'apps/dashboard/dist');
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].flatMap((m) => (m[1] ? [m[1]] : []));
  const gzipKb = scripts.reduce((sum, path) => sum + gzipSync(readFileSync(join(dist, path))).length, 0) / 1024;
  atMost('dashboard initial JavaScript (gzip)', Math.round(gzipKb * 10) / 10, 'kB', 150);

  if (SOAK_MINUTES > 0) {
    // A fresh tenant process on the same data and port, with --expose-gc and heap reports,
    // so the GCs the soak forces do not land in the figures above.
    await tenant.kill9();
    run.tenant = await startProcess(
      TENANT_SERVER.built,
      ['--port', String(port), '--data-dir', dir, '--issuer', `${url}/`],
      { ...TENANT_ENV, TENANT_HEAP_REPORT_SECONDS: '20' },
      port,
      ['--expose-gc'],
    );
    procs.push(run.tenant);
    await soak(run.tenant, { bffUrl, cookie, auth, capacity: capacityB, even });
  }

  await applicationRevocationFigures(run);

  if (OPTIONS.postgres) await postgresFigures(peerExchangeB, peerRevoke, procs);

  // The offline IP database, in a fresh process, as the tenant and the BFF each load it.
  const ip = await ipDatabaseFigures();
  atMost(
    'IP database: one lookup (ASN, network, country), p99',
    ip.lookupP99Us,
    'µs',
    5,
    `p50 ${ip.lookupP50Us} µs over ${ip.lookups} lookups of IPv4 and IPv6 addresses`,
  );
  atMost('IP database: RSS it adds to a process (tenant, BFF)', ip.rssAddedMb, 'MB', 80, 'after a full GC');
  atMost('IP database: start-up time it adds', ip.loadMs, 'ms', 1000);
} finally {
  for (const proc of procs) await proc.kill9();
  rmSync(dir, { recursive: true, force: true });
  // What was measured is printed even when a later step failed.
  printFigures();
}
