/**
 * `npm run bench [-- --quick] [-- --json FILE] [-- --postgres] [-- --soak-minutes N]`: builds a large tenant with the generator,
 * starts the tenant, the BFF and the peer (oidc-provider, bench/peer) each in its own
 * process, drives each figure with the load generator in another process, and prints one
 * line per figure with its target. Throughput targets are ratios to the peer measured in
 * the same run, under the same load, so a noisy machine moves both sides.
 *
 * The same work on both sides: two exchange scenarios with identical token formats, (a) for
 * /userinfo only (an opaque access token and an RS256 ID token: one signature each side) and
 * (b) for an API (an RS256 JWT access token and an ID token: two signatures; the peer with its
 * resource-indicators feature). And the machine's ceilings in the same run (bench/yardstick.ts):
 * RS256 signing on every core, and a bare node:http answer under the same load generator.
 */
import { chromium } from '@playwright/test';
import { createPool, dropSchema } from '@rtc/db/postgres';
import { openSqlite } from '@rtc/db/sqlite';
import { expectedOf, signIn } from '@rtc/testkit';
import { admitConsole, DEMO, freePort, ROOT, startProcess, startTenant, type Proc } from '@rtc/stack';
import { generatedTokenValue, generateTenant } from '@rtc/tenant';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    json: { type: 'string' },
    postgres: { type: 'boolean' },
    'soak-minutes': { type: 'string' },
  },
});
/** The soak's length: `-- --soak-minutes N` (0 skips it); 10 by default, 1 with --quick. */
const SOAK_MINUTES = values['soak-minutes'] !== undefined ? Number(values['soak-minutes']) : values.quick ? 1 : 10;
if (!Number.isInteger(SOAK_MINUTES) || SOAK_MINUTES < 0)
  throw new Error('--soak-minutes must be a whole number of minutes');
const SIZE = values.quick
  ? { users: 10_000, tokens: 150_000, heavy: 10_000, bulk: 20_000, medium: 1_000, seconds: 5, peerTokens: 150_000 }
  : {
      users: 100_000,
      tokens: 1_000_000,
      heavy: 10_000,
      bulk: 100_000,
      medium: 1_000,
      seconds: 10,
      peerTokens: 300_000,
    };
const SEED = 'bench';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-gpu',
  '--no-first-run',
];

interface Figure {
  name: string;
  value: number | null;
  unit: string;
  target: string;
  /** value / target, oriented so that >= 1 meets the target. */
  ratio: number | null;
  note?: string;
}
const figures: Figure[] = [];
const atMost = (name: string, value: number, unit: string, limit: number, note?: string) =>
  figures.push({
    name,
    value,
    unit,
    target: `<= ${limit} ${unit}`,
    ratio: value === 0 ? Infinity : limit / value,
    ...(note ? { note } : {}),
  });
/** A throughput that must reach `factor` times the peer's, measured in this run. */
const againstPeer = (name: string, value: number, peer: number, factor: number, note: string) =>
  figures.push({
    name,
    value: Math.round(value),
    unit: 'req/s',
    target: `>= ${factor}x oidc-provider (${Math.round(peer)} req/s here)`,
    ratio: value / (factor * peer),
    note: `${(value / peer).toFixed(2)}x the peer; ${note}`,
  });

type LoadResult = {
  requestsPerSecond: number;
  total: number;
  non2xx: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  status5xx: number;
};
/**
 * Runs the load generator in its own process. Asynchronously: this process must keep reading
 * the servers' log pipes, or they block writing to them (pipes are synchronous on Linux).
 */
async function load(options: Record<string, unknown>): Promise<LoadResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'bench/load.ts', JSON.stringify(options)],
    { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
  );
  const result = JSON.parse(stdout) as LoadResult;
  if (result.errors > 0 || result.non2xx > 0)
    console.error(`  (${options.path}: ${result.non2xx} non-2xx answers, ${result.errors} connection errors)`);
  return result;
}
/** A fraction of a ceiling measured in this run (yardstick), with the share it must reach. */
const ofCeiling = (name: string, value: number, ceiling: number, share: number, what: string) =>
  figures.push({
    name,
    value: Math.round((value / ceiling) * 100),
    unit: '%',
    target: `>= ${share * 100}% of ${what} (${Math.round(ceiling)}/s here)`,
    ratio: value / (share * ceiling),
  });
type SignCeiling = { signaturesPerSecond: number; exchangesPerSecond: number; cores: number };
async function signingCeiling(jwtsPerExchange: number): Promise<SignCeiling> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'bench/yardstick.ts', 'sign', JSON.stringify({ seconds: 3, jwtsPerExchange })],
    { cwd: ROOT },
  );
  return JSON.parse(stdout) as SignCeiling;
}
const outcome = (r: LoadResult, available?: number) =>
  `${r.total} requests, non-2xx ${r.non2xx}, p50 ${r.p50} ms, p99 ${r.p99} ms${available !== undefined && r.total > available ? `; ONLY ${available} distinct tokens: the rest were unknown` : ''}`;
const progress = (line: string) => console.error(`[bench] ${line}`);

const dir = mkdtempSync(join(tmpdir(), 'rtc-bench-'));
const TENANT_ENV = { TENANT_REFRESH_RATE_LIMIT: '1000000', TENANT_MANAGEMENT_RATE_LIMIT: '1000000', TENANT_DEMO: '0' };
let capacityB = 0;
let peerRevokes = 0;
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

  const [port, peerPort, bffPort] = [await freePort(), await freePort(), await freePort()];
  const bffUrl = `http://127.0.0.1:${bffPort}`;
  await admitConsole(dir, bffUrl);

  progress('starting the tenant, the BFF and the peer (oidc-provider)');
  const tenant = await startTenant(dir, port, TENANT_ENV);
  procs.push(tenant);
  const url = tenant.url;
  const peer = await startProcess(
    'bench/peer/oidc-provider.ts',
    ['--port', String(peerPort), '--tokens', String(SIZE.peerTokens), '--seed', SEED],
    {},
    peerPort,
  );
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
  const exchangeLoad = { method: 'POST', connections: 50, durationSeconds: SIZE.seconds };

  // The machine's ceilings, with the servers started and idle: RS256 signing on every core,
  // then a bare node:http server (one process per core) under the same load generator.
  progress('yardsticks: RS256 signing on every core, bare node:http');
  const signing = await signingCeiling(1);
  const httpPort = await freePort();
  const bare = await startProcess(
    'bench/yardstick.ts',
    ['http', JSON.stringify({ port: httpPort, workers: availableParallelism() })],
    {},
    httpPort,
  );
  procs.push(bare);
  const bareHttp = await load({
    ...exchangeLoad,
    url: bare.url,
    path: '/oauth/token',
    form: { grant_type: 'refresh_token', client_id: 'x', refresh_token: '{token}' },
    tokens: { seed: SEED, first: 0, step: 1 },
  });
  await bare.kill9();
  figures.push({
    name: `yardstick: RS256 signatures per second, ${signing.cores} cores`,
    value: signing.signaturesPerSecond,
    unit: '/s',
    target: 'the ceiling (measured)',
    ratio: null,
  });
  figures.push({
    name: 'yardstick: bare node:http POST answers, 50 connections',
    value: Math.round(bareHttp.requestsPerSecond),
    unit: 'req/s',
    target: 'the ceiling (measured)',
    ratio: null,
    note: `p99 ${bareHttp.p99} ms`,
  });

  // Refresh exchange with rotation, each request a distinct live token, in two scenarios of
  // identical token formats on both sides; the peer, then ours. Token i of the mobile app (and
  // of the peer's app): i % 4 === 2 for /userinfo only, i % 4 === 0 for the demo API.
  const peerExchanges: Record<string, number> = {};
  const firstOf = (remainder: number) => even + ((remainder - (even % 4) + 4) % 4);
  const scenarios = [
    { key: 'a', what: '/userinfo only: opaque access token + RS256 ID token', remainder: 2, signatures: 1 },
    { key: 'b', what: 'API audience: RS256 JWT access token + RS256 ID token', remainder: 0, signatures: 2 },
  ];
  for (const scenario of scenarios) {
    progress(`refresh exchanges (${scenario.key}) ${scenario.what}: peer, then tenant`);
    // Two seconds of each first, on tokens from the end of the range, so neither side is
    // measured while compiling its code or reading its first pages from disk.
    const warmUp = { ...exchangeLoad, durationSeconds: 2 };
    await load({
      ...warmUp,
      url: peer.url,
      path: '/token',
      form: { grant_type: 'refresh_token', client_id: 'peer-app', refresh_token: '{token}' },
      tokens: { seed: SEED, first: scenario.remainder + 4 * Math.floor((SIZE.peerTokens / 4) * 0.8), step: 4 },
    });
    await load({
      ...warmUp,
      url,
      path: '/oauth/token',
      form: { grant_type: 'refresh_token', client_id: DEMO.clients.mobile.client_id, refresh_token: '{token}' },
      tokens: {
        seed: SEED,
        first: firstOf(scenario.remainder) + 4 * Math.floor(((SIZE.tokens - even) / 4) * 0.8),
        step: 4,
      },
    });
    const peerExchange = await load({
      ...exchangeLoad,
      url: peer.url,
      path: '/token',
      form: { grant_type: 'refresh_token', client_id: 'peer-app', refresh_token: '{token}' },
      tokens: { seed: SEED, first: scenario.remainder, step: 4 },
    });
    const exchange = await load({
      ...exchangeLoad,
      url,
      path: '/oauth/token',
      form: { grant_type: 'refresh_token', client_id: DEMO.clients.mobile.client_id, refresh_token: '{token}' },
      tokens: { seed: SEED, first: firstOf(scenario.remainder), step: 4 },
    });
    const name = `refresh exchange (${scenario.key}) ${scenario.what}, with rotation, 50 connections`;
    peerExchanges[scenario.key] = peerExchange.requestsPerSecond;
    if (scenario.key === 'b') capacityB = exchange.requestsPerSecond;
    // The performance issue's targets: at least the in-memory peer's throughput, and a p99 no worse than its.
    againstPeer(
      name,
      exchange.requestsPerSecond,
      peerExchange.requestsPerSecond,
      1.0,
      `ours: ${outcome(exchange, (SIZE.tokens - even) / 4)}; peer: ${outcome(peerExchange, SIZE.peerTokens / 4)}`,
    );
    ofCeiling(
      `  ... (${scenario.key}) as a share of the RS256 signing ceiling (${scenario.signatures} per exchange)`,
      exchange.requestsPerSecond,
      signing.signaturesPerSecond / scenario.signatures,
      0.7,
      'the exchanges signing alone allows',
    );
    figures.push({
      name: `  ... (${scenario.key}) as a share of bare node:http`,
      value: Math.round((exchange.requestsPerSecond / bareHttp.requestsPerSecond) * 100),
      unit: '%',
      target: 'information',
      ratio: null,
    });
    atMost(
      `  ... (${scenario.key}) p99 at 50 connections`,
      exchange.p99,
      'ms',
      Math.max(1, peerExchange.p99),
      `the peer's p99 in this run`,
    );
  }

  // The exchange (b) again with a DPoP proof on every request (RFC 9449: one ES256 verification
  // more, and the proof's jti remembered, in the store, against replay), on each side, on
  // tokens from the middle of the range that no load above used. The tokens were issued
  // without a proof, so they stay unbound; the access tokens each exchange issues are bound.
  progress('refresh exchanges (b) with a DPoP proof: peer, then tenant');
  const dpopFirst = (first: number, count: number) => first + 4 * Math.floor((count / 4) * 0.5);
  const peerDpop = await load({
    ...exchangeLoad,
    url: peer.url,
    path: '/token',
    form: { grant_type: 'refresh_token', client_id: 'peer-app', refresh_token: '{token}' },
    tokens: { seed: SEED, first: dpopFirst(0, SIZE.peerTokens), step: 4 },
    dpop: { htu: `${peer.url}/token` },
  });
  const dpop = await load({
    ...exchangeLoad,
    url,
    path: '/oauth/token',
    form: { grant_type: 'refresh_token', client_id: DEMO.clients.mobile.client_id, refresh_token: '{token}' },
    tokens: { seed: SEED, first: dpopFirst(firstOf(0), SIZE.tokens - even), step: 4 },
    dpop: { htu: `${url}/oauth/token` },
  });
  againstPeer(
    'refresh exchange (b) with a DPoP proof, 50 connections',
    dpop.requestsPerSecond,
    peerDpop.requestsPerSecond,
    1.0,
    `ours: ${outcome(dpop, (SIZE.tokens - even) / 4)}; peer (DPoP on): ${outcome(peerDpop, SIZE.peerTokens / 4)}`,
  );
  figures.push({
    name: "  ... the proof's cost: verification and the replay cache, per exchange",
    value: Math.round((1 / dpop.requestsPerSecond - 1 / capacityB) * 1e6),
    unit: 'us',
    target: 'information',
    ratio: null,
    note: `${Math.round(capacityB)} req/s without a proof, ${Math.round(dpop.requestsPerSecond)} with; the peer ${Math.round(peerExchanges.b!)} without, ${Math.round(peerDpop.requestsPerSecond)} with`,
  });

  // /oauth/revoke of a distinct live token per request (the confidential apps: odd indexes).
  progress('revocations: peer, then tenant');
  const peerRevoke = await load({
    ...exchangeLoad,
    url: peer.url,
    path: '/token/revocation',
    form: { client_id: 'peer-web', client_secret: 'peer-web-secret', token: '{token}' },
    tokens: { seed: SEED, first: 1, step: 2 },
  });
  peerRevokes = peerRevoke.requestsPerSecond;
  const revoke = await load({
    ...exchangeLoad,
    url,
    path: '/oauth/revoke',
    form: { client_id: DEMO.clients.web.client_id, client_secret: DEMO.clients.web.secret, token: '{token}' },
    tokens: { seed: SEED, first: even + 1, step: 2 },
  });
  againstPeer(
    '/oauth/revoke of distinct live tokens, 50 connections',
    revoke.requestsPerSecond,
    peerRevoke.requestsPerSecond,
    1.0,
    `ours: ${outcome(revoke, (SIZE.tokens - even) / 2)}; peer: ${outcome(peerRevoke, SIZE.peerTokens / 2)}`,
  );

  // Listing a page of 50 for a user with 10,000 tokens: the tenant, then the same through the BFF.
  progress('listings: tenant, then BFF');
  const listing = await load({
    url,
    path: '/api/v2/users/auth0%7Cheavy/refresh-tokens?take=50',
    method: 'GET',
    connections: 10,
    durationSeconds: SIZE.seconds,
    headers: auth,
  });
  atMost(
    `GET /users/{id}/refresh-tokens (50 of ${SIZE.heavy}) on ${SIZE.tokens} tokens, p95`,
    listing.p95,
    'ms',
    5,
    `p50 ${listing.p50} ms, non-2xx ${listing.non2xx}`,
  );
  const staff = await signIn({ bffUrl } as Parameters<typeof signIn>[0], 'support');
  const cookie = staff.browser.cookie(new URL(bffUrl).host, 'rtc_session')!;
  // The BFF's page is one Management API page (GET /refresh-tokens?user_id=&take=50) plus its
  // own work: both at one connection, so the difference is the BFF's, not queueing.
  const tenantPage = await load({
    url,
    path: '/api/v2/refresh-tokens?user_id=auth0%7Cheavy&take=50',
    method: 'GET',
    connections: 1,
    durationSeconds: SIZE.seconds,
    headers: auth,
  });
  const viaBff = await load({
    url: bffUrl,
    path: '/api/users/auth0%7Cheavy/refresh-tokens/page?take=50',
    method: 'GET',
    connections: 1,
    durationSeconds: SIZE.seconds,
    headers: { cookie: `rtc_session=${cookie}` },
  });
  atMost(
    `a page of 50 of the same user's tokens through the BFF, p50 over the tenant's page`,
    Math.max(0, Math.round((viaBff.p50 - tenantPage.p50) * 10) / 10),
    'ms',
    2,
    `BFF p50 ${viaBff.p50} ms, tenant p50 ${tenantPage.p50} ms (1 connection each), non-2xx ${viaBff.non2xx + tenantPage.non2xx}; one Management API page per request, names cached`,
  );

  // Search across users (issue 20, a tenant extension): a page of 50 live tokens used from one
  // address, from its /24 and from its network's ASN, on every generated token. The generator
  // spreads each listed address over its network's hosts, so one address matches a few hundred
  // tokens, the /24 tens of thousands and the carrier's ASN (T-Mobile US) a few hundred thousand.
  progress('search across users: by address, by /24, by ASN');
  const searchTargets = [
    { name: 'an address', query: 'ip=172.56.21.77' },
    { name: 'a /24', query: `ip=${encodeURIComponent('172.56.21.0/24')}` },
    { name: 'an ASN', query: 'asn=AS21928' },
  ];
  for (const target of searchTargets) {
    const probe = await fetch(`${url}/api/v2/refresh-tokens/search?${target.query}&take=50&include_totals=true`, {
      headers: auth,
    });
    const body = probe.ok
      ? ((await probe.json()) as { refresh_tokens: unknown[]; totals?: { tokens: number; users: number } })
      : null;
    const matched = body?.totals
      ? `${body.totals.tokens} tokens of ${body.totals.users} users match`
      : `probe answered ${probe.status}`;
    const page = await load({
      url,
      path: `/api/v2/refresh-tokens/search?${target.query}&take=50`,
      method: 'GET',
      connections: 10,
      durationSeconds: Math.min(5, SIZE.seconds),
      headers: auth,
    });
    atMost(
      `GET /refresh-tokens/search by ${target.name}, a page of 50 on ${SIZE.tokens} tokens, p95`,
      page.p95,
      'ms',
      50,
      `p50 ${page.p50} ms, non-2xx ${page.non2xx}; ${matched}`,
    );
    const totals = await load({
      url,
      path: `/api/v2/refresh-tokens/search?${target.query}&take=50&include_totals=true`,
      method: 'GET',
      connections: 1,
      durationSeconds: Math.min(5, SIZE.seconds),
      headers: auth,
    });
    figures.push({
      name: `  ... with include_totals (the console's first page), p95`,
      value: totals.p95,
      unit: 'ms',
      target: 'information',
      ratio: null,
      note: `p50 ${totals.p50} ms at 1 connection, non-2xx ${totals.non2xx}`,
    });
  }

  // The dashboard's refresh-token tab in Chromium: 1,000 tokens (one page decides: paged on the
  // server), and 10,000.
  progress('dashboard tab in Chromium');
  const tabMs = await dashboardTabMs(bffUrl, 'auth0|medium');
  atMost(
    `dashboard refresh-token tab interactive, user with ${SIZE.medium} tokens`,
    tabMs,
    'ms',
    1000,
    "from navigation to the first row's Revoke button enabled, signed in, cold page load",
  );
  const heavyTabMs = await dashboardTabMs(bffUrl, 'auth0|heavy');
  atMost(
    `dashboard refresh-token tab interactive, user with ${SIZE.heavy} tokens`,
    heavyTabMs,
    'ms',
    1000,
    'the same, paged on the server',
  );

  // The console's bulk action: unlinking a device of 1,000 tokens through the BFF, confirmed
  // against its preview (bulk revocation by ids underneath, not 1,000 sequential deletes).
  progress('unlinking a device of 1,000 tokens through the BFF');
  const mediumUser = '/api/users/auth0%7Cmedium';
  const { devices } = (await (await staff.api('GET', `${mediumUser}/devices`)).json()) as {
    devices: { name: string; token_count: number }[];
  };
  const busiest = devices.sort((a, b) => b.token_count - a.token_count)[0]!;
  const preview = await staff.api('POST', `${mediumUser}/impact`, {
    action: 'device.unlink',
    device_name: busiest.name,
  });
  if (!preview.ok) throw new Error(`the unlink preview answered ${preview.status}: ${await preview.text()}`);
  const shown = (await preview.json()) as Parameters<typeof expectedOf>[0];
  const unlinkStarted = performance.now();
  const unlinked = await staff.api('POST', `${mediumUser}/devices/unlink`, {
    device_name: busiest.name,
    expected: expectedOf(shown),
  });
  const unlinkMs = performance.now() - unlinkStarted;
  const revokedCount = unlinked.ok
    ? ((await unlinked.json()) as { revoked_token_ids: string[] }).revoked_token_ids.length
    : 0;
  atMost(
    `unlink a device of ${shown.tokens.length} tokens through the BFF, answered in`,
    Math.round(unlinkMs),
    'ms',
    1000,
    `status ${unlinked.status}, ${revokedCount} tokens revoked`,
  );

  // DELETE of a user's 100,000 tokens: answer time, refusal from that moment, listing empty.
  // Its yardstick first: one bare UPDATE of the same rows on the same file, rolled back, so
  // the background revocation is judged against what the disk and SQLite allow here.
  progress('bulk revocation: a bare UPDATE of the same rows, then the tenant');
  const bareUpdateMs = bareRevokeUpdateMs(join(dir, 'tenant.sqlite'), 'auth0|bulk');
  const deleteStarted = performance.now();
  const deleted = await fetch(`${url}/api/v2/users/auth0%7Cbulk/refresh-tokens`, {
    method: 'DELETE',
    headers: auth,
  }).catch((err) => {
    throw new Error(
      `the tenant did not answer (${(err as Error).message}); its last words:\n${tenant.logs.slice(-15).join('\n')}`,
    );
  });
  const answeredMs = performance.now() - deleteStarted;
  if (deleted.status !== 202) throw new Error(`DELETE answered ${deleted.status}`);
  const refused = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: DEMO.clients.mobile.client_id,
      refresh_token: generatedTokenValue(SEED, SIZE.heavy),
    }),
  });
  atMost(
    `DELETE /users/{id}/refresh-tokens for ${SIZE.bulk} tokens, answered in`,
    Math.round(answeredMs * 10) / 10,
    'ms',
    50,
    `a token of the user right after: ${refused.status}`,
  );
  let emptyMs = Number.NaN;
  for (;;) {
    const page = (await (
      await fetch(`${url}/api/v2/users/auth0%7Cbulk/refresh-tokens?take=1`, { headers: auth })
    ).json()) as { tokens: unknown[] };
    if (page.tokens.length === 0) {
      emptyMs = performance.now() - deleteStarted;
      break;
    }
    if (performance.now() - deleteStarted > 60_000) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  atMost(
    `  ... listing empty after`,
    Math.round(emptyMs) / 1000,
    's',
    5,
    'the listings read the revocation journal: empty once the DELETE has answered',
  );
  const bulkMarkedMs = await journalEmptyAfter(join(dir, 'tenant.sqlite'), deleteStarted, 120_000);
  atMost(
    `  ... every row marked revoked after`,
    Math.round(bulkMarkedMs / 100) / 10,
    's',
    Math.round((2 * bareUpdateMs) / 100) / 10,
    `at least half the speed of one bare UPDATE of the same ${SIZE.bulk} rows here (${Math.round(bareUpdateMs)} ms): the background worker's batches`,
  );

  atMost(`tenant RSS with ${SIZE.tokens} tokens, after the load`, Math.round(tenant.rss() / 1_048_576), 'MB', 300);

  // The dashboard's initial JavaScript: the entry and what index.html preloads.
  const dist = join(ROOT, 'apps/dashboard/dist');
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
  const gzipKb = scripts.reduce((sum, path) => sum + gzipSync(readFileSync(join(dist, path))).length, 0) / 1024;
  atMost('dashboard initial JavaScript (gzip)', Math.round(gzipKb * 10) / 10, 'kB', 150);

  // The offline IP database (issue 19), in a fresh process, as the tenant and the BFF each load it.
  if (SOAK_MINUTES > 0) {
    // A fresh tenant process on the same data and port, with --expose-gc and heap reports,
    // so the GCs the soak forces do not land in the figures above.
    await tenant.kill9();
    const soaked = await startProcess(
      'apps/tenant/src/server.ts',
      ['--port', String(port), '--data-dir', dir, '--issuer', `${url}/`],
      { ...TENANT_ENV, TENANT_HEAP_REPORT_SECONDS: '20' },
      port,
      ['--expose-gc'],
    );
    procs.push(soaked);
    await soak(soaked, { bffUrl, cookie, auth, capacity: capacityB, even });
  }

  // Revoking every token of one application across all users (issue 20): the mobile app's,
  // hundreds of thousands at full size. Last on this tenant: it leaves none of them usable.
  progress('application-wide revocation of the mobile app');
  const summaryOf = async () =>
    (
      (await (
        await fetch(`${url}/api/v2/refresh-tokens/summary?client_id=${DEMO.clients.mobile.client_id}&users=0`, {
          headers: auth,
        })
      ).json()) as { applications: { tokens: number }[] }
    ).applications[0]?.tokens ?? 0;
  const appTokens = await summaryOf();
  const appBareUpdateMs = bareRevokeUpdateMs(join(dir, 'tenant.sqlite'), { client_id: DEMO.clients.mobile.client_id });
  const appStarted = performance.now();
  const appRevoke = await fetch(`${url}/api/v2/clients/${DEMO.clients.mobile.client_id}/refresh-tokens/revoke`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: '{}',
  });
  const appAnsweredMs = performance.now() - appStarted;
  if (appRevoke.status !== 202)
    throw new Error(`POST /clients/{id}/refresh-tokens/revoke answered ${appRevoke.status}`);
  // The last generated token (an even index: the mobile app's), never used by the loads above.
  const appRefused = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: DEMO.clients.mobile.client_id,
      refresh_token: generatedTokenValue(SEED, SIZE.tokens - 2),
    }),
  });
  atMost(
    `POST /clients/{id}/refresh-tokens/revoke: every token of an application (${appTokens} live), answered in`,
    Math.round(appAnsweredMs * 10) / 10,
    'ms',
    50,
    `one of them right after: ${appRefused.status}`,
  );
  let appConvergedMs = Number.NaN;
  for (;;) {
    if ((await summaryOf()) === 0) {
      appConvergedMs = performance.now() - appStarted;
      break;
    }
    if (performance.now() - appStarted > 180_000) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  atMost(
    '  ... the application counts no live token after',
    Math.round(appConvergedMs / 100) / 10,
    's',
    60,
    "the summary, as the console's Applications area reads it (it reads the journal)",
  );
  const appMarkedMs = await journalEmptyAfter(join(dir, 'tenant.sqlite'), appStarted, 600_000);
  atMost(
    `  ... every row marked revoked after`,
    Math.round(appMarkedMs / 100) / 10,
    's',
    Math.round((2 * appBareUpdateMs) / 100) / 10,
    `at least half the speed of one bare UPDATE of the same ${appTokens} rows here (${Math.round(appBareUpdateMs)} ms): the background worker's batches`,
  );

  if (values.postgres) await postgresFigures(peerExchanges.b!, peerRevokes);

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

/**
 * The soak: mixed traffic at half the capacity measured in this run (exchange b), minute by
 * minute: exchanges of non-rotating tokens (cycled), revocations of distinct tokens, the
 * Management API listing and the console's device list through the BFF. Per minute: 5xx, the
 * exchanges' p99, and the tenant's heap after a full GC (summed over its workers).
 */
async function soak(
  tenant: Proc,
  ctx: { bffUrl: string; cookie: string; auth: Record<string, string>; capacity: number; even: number },
) {
  const budget = Math.max(20, Math.round(ctx.capacity / 2));
  const odd = Math.floor((SIZE.tokens - ctx.even) / 2); // the web app's tokens of randomly owned users
  const revokeRate = Math.max(1, Math.min(Math.round(budget * 0.1), Math.floor((odd * 0.2) / (SOAK_MINUTES * 60))));
  const rates = { listing: Math.round(budget * 0.1), bff: 5, revoke: revokeRate };
  const exchangeRate = Math.max(1, budget - rates.listing - rates.bff - rates.revoke);
  const web = { client_id: DEMO.clients.web.client_id, client_secret: DEMO.clients.web.secret };
  const minutes: { p99: number; status5xx: number; requests: number; heapMb: number | null }[] = [];
  progress(
    `soak: ${SOAK_MINUTES} min at ${budget} req/s (half of ${Math.round(ctx.capacity)}): ${exchangeRate} exchanges, ${rates.revoke} revocations, ${rates.listing} listings, ${rates.bff} console reads per second`,
  );
  for (let minute = 0; minute < SOAK_MINUTES; minute++) {
    const span = { method: 'POST' as const, connections: 20, durationSeconds: 60 };
    const [exchanges, revokes, listings, reads] = await Promise.all([
      load({
        ...span,
        url: tenant.url,
        path: '/oauth/token',
        ratePerSecond: exchangeRate,
        form: { grant_type: 'refresh_token', ...web, refresh_token: '{token}' },
        tokens: { seed: SEED, first: ctx.even + 1 + 2 * Math.floor(odd * 0.5), step: 2, cycle: Math.floor(odd * 0.25) },
      }),
      load({
        ...span,
        connections: 5,
        url: tenant.url,
        path: '/oauth/revoke',
        ratePerSecond: rates.revoke,
        form: { ...web, token: '{token}' },
        tokens: { seed: SEED, first: ctx.even + 1 + 2 * (Math.floor(odd * 0.8) + minute * rates.revoke * 61), step: 2 },
      }),
      load({
        ...span,
        method: 'GET',
        connections: 5,
        url: tenant.url,
        path: '/api/v2/users/auth0%7Cheavy/refresh-tokens?take=50',
        ratePerSecond: rates.listing,
        headers: ctx.auth,
      }),
      load({
        ...span,
        method: 'GET',
        connections: 2,
        url: ctx.bffUrl,
        path: '/api/users/auth0%7Cmedium/devices',
        ratePerSecond: rates.bff,
        headers: { cookie: `rtc_session=${ctx.cookie}` },
      }),
    ]);
    // The newest heap report of each worker.
    const latest = new Map<number, number>();
    for (const line of tenant.logs) {
      if (!line.includes('"msg":"heap"')) continue;
      const report = JSON.parse(line) as { worker: number; heap_used_bytes: number };
      latest.set(report.worker, report.heap_used_bytes);
    }
    const heapMb = latest.size ? Math.round([...latest.values()].reduce((a, b) => a + b, 0) / 1_048_576) : null;
    const all = [exchanges, revokes, listings, reads];
    minutes.push({
      p99: exchanges.p99,
      status5xx: all.reduce((sum, r) => sum + r.status5xx, 0),
      requests: all.reduce((sum, r) => sum + r.total, 0),
      heapMb,
    });
    progress(
      `  minute ${minute + 1}: ${minutes.at(-1)!.requests} requests, 5xx ${minutes.at(-1)!.status5xx}, exchange p99 ${exchanges.p99} ms, heap after GC ${heapMb ?? '?'} MB`,
    );
  }
  const perMinute = (pick: (m: (typeof minutes)[number]) => number | null) => minutes.map(pick).join(', ');
  atMost(
    `soak ${SOAK_MINUTES} min at half capacity (${budget} req/s mixed): 5xx answers`,
    minutes.reduce((sum, m) => sum + m.status5xx, 0),
    '',
    0,
    `${minutes.reduce((sum, m) => sum + m.requests, 0)} requests`,
  );
  // Trends: the last third of the minutes against the first third (the same minute when only one).
  const third = Math.max(1, Math.floor(minutes.length / 3));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const p99Trend =
    median(minutes.slice(-third).map((m) => m.p99)) / Math.max(1, median(minutes.slice(0, third).map((m) => m.p99)));
  atMost(
    '  ... exchange p99, last third of the minutes over the first',
    Math.round(p99Trend * 100) / 100,
    'x',
    1.5,
    `p99 per minute (ms): ${perMinute((m) => m.p99)}`,
  );
  const heaps = minutes.map((m) => m.heapMb).filter((h): h is number => h !== null);
  if (heaps.length)
    atMost(
      '  ... heap after GC, growth from the first minute to the last',
      heaps.at(-1)! - heaps[0]!,
      'MB',
      20,
      `MB per minute (all workers): ${heaps.join(', ')}`,
    );
}

/**
 * `--postgres`: the tenant as a team outgrowing one machine runs it, two instances on one
 * PostgreSQL database (TEST_DATABASE_URL or DATABASE_URL, default the local `test` database),
 * each taking half of the same load: exchanges (scenario b) and revocations, judged against the
 * peer's figures from earlier in this run. Skipped, and said so, when no server answers.
 */
async function postgresFigures(peerExchange: number, peerRevoke: number): Promise<void> {
  const base = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_${process.pid}`;
  const db = `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const probe = createPool(base, undefined, 1);
  try {
    await Promise.race([
      probe.query('SELECT 1'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer in 3 s')), 3000)),
    ]);
  } catch (err) {
    figures.push({
      name: 'PostgreSQL: two tenant instances on one database',
      value: null,
      unit: '',
      target: 'measured with --postgres',
      ratio: null,
      note: `no server at ${base}: ${(err as Error).message}`,
    });
    return;
  } finally {
    void probe.end();
  }
  const tokens = values.quick ? 40_000 : 200_000;
  const pgProcs: Proc[] = [];
  try {
    progress(`PostgreSQL: generating ${tokens} tokens, then two tenant instances on one database`);
    await generateTenant({
      dataDir: base,
      schema,
      issuer: 'http://127.0.0.1:1/',
      users: 1_000,
      tokens,
      heavyUserTokens: 0,
      userinfoOnlyMobileTokens: true,
      seed: SEED,
      log: () => {},
    });
    for (const id of ['A', 'B']) {
      const port = await freePort();
      const proc = await startProcess(
        'apps/tenant/src/server.ts',
        ['--port', String(port), '--issuer', `http://127.0.0.1:${port}/`],
        {
          DATABASE_URL: db,
          TENANT_INSTANCE_ID: id,
          TENANT_WORKERS: '1',
          TENANT_DEMO: '0',
          TENANT_REFRESH_RATE_LIMIT: '1000000',
          TENANT_MANAGEMENT_RATE_LIMIT: '1000000',
        },
        port,
      );
      procs.push(proc);
      pgProcs.push(proc);
    }
    /** The same load split over both instances, two load generators at once; their throughputs add up. */
    const both = async (
      options: Record<string, unknown>,
      tokensOf: (instance: number) => { first: number; step: number },
    ) => {
      const results = await Promise.all(
        pgProcs.map((proc, i) =>
          load({
            ...options,
            url: proc.url,
            connections: 25,
            durationSeconds: SIZE.seconds,
            tokens: { seed: SEED, ...tokensOf(i) },
          }),
        ),
      );
      return {
        requestsPerSecond: results.reduce((sum, r) => sum + r.requestsPerSecond, 0),
        p99: Math.max(...results.map((r) => r.p99)),
        non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
      };
    };
    // Scenario b (an API audience): mobile tokens i % 4 === 0, instance A from 0, B from 4 (step 8).
    const exchange = await both(
      {
        method: 'POST',
        path: '/oauth/token',
        form: { grant_type: 'refresh_token', client_id: DEMO.clients.mobile.client_id, refresh_token: '{token}' },
      },
      (i) => ({ first: 4 * i, step: 8 }),
    );
    againstPeer(
      'PostgreSQL, 2 instances: refresh exchange (b), 50 connections',
      exchange.requestsPerSecond,
      peerExchange,
      2.0,
      `p99 ${exchange.p99} ms, non-2xx ${exchange.non2xx}; the peer's figure is from this run`,
    );
    const revoke = await both(
      {
        method: 'POST',
        path: '/oauth/revoke',
        form: { client_id: DEMO.clients.web.client_id, client_secret: DEMO.clients.web.secret, token: '{token}' },
      },
      (i) => ({ first: 1 + 2 * i, step: 4 }),
    );
    againstPeer(
      'PostgreSQL, 2 instances: /oauth/revoke, 50 connections',
      revoke.requestsPerSecond,
      peerRevoke,
      1.5,
      `p99 ${revoke.p99} ms, non-2xx ${revoke.non2xx}`,
    );
  } finally {
    for (const proc of pgProcs) await proc.kill9();
    await dropSchema(base, schema);
  }
}

/**
 * One UPDATE marking every live token of `userId` revoked, in a transaction rolled back: the
 * least work any revocation of those rows can do on this disk (the tenant commits it in
 * batches, with the journal, while serving).
 */
function bareRevokeUpdateMs(file: string, of: string | { client_id: string }): number {
  // The tenant's own file: no migrations to apply (an empty list), WAL and a busy timeout.
  const db = openSqlite(file, []);
  try {
    db.exec('BEGIN IMMEDIATE');
    const started = performance.now();
    const [column, value] = typeof of === 'string' ? ['user_id', of] : ['client_id', of.client_id];
    db.prepare(
      `UPDATE refresh_tokens SET revoked_at = ?, revoked_reason = 'bench' WHERE ${column} = ? AND revoked_at IS NULL`,
    ).run(Date.now(), value);
    const ms = performance.now() - started;
    db.exec('ROLLBACK');
    // The rolled-back UPDATE spilled its pages into the WAL: truncate it, or the tenant's next
    // write pays for it and the figure after this yardstick is the yardstick's (an application-
    // wide revoke answered in 596 ms after it, 7 ms without it, quick runs of c5aef0a).
    db.pragma('wal_checkpoint(TRUNCATE)');
    return ms;
  } finally {
    db.close();
  }
}

/** Milliseconds from `started` until the tenant's revocation journal is empty: every row marked (NaN past `timeoutMs`). */
async function journalEmptyAfter(file: string, started: number, timeoutMs: number): Promise<number> {
  const db = openSqlite(file, []);
  try {
    const pending = db.prepare('SELECT count(*) FROM revocation_jobs').pluck();
    while (performance.now() - started < timeoutMs) {
      if (pending.get() === 0) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 100));
    }
    return Number.NaN;
  } finally {
    db.close();
  }
}

/** bench/ip-intel.ts in its own process: nothing else loaded, so its RSS is the database's. */
async function ipDatabaseFigures(): Promise<{
  loadMs: number;
  rssAddedMb: number;
  lookupP50Us: number;
  lookupP99Us: number;
  lookups: number;
}> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'bench/ip-intel.ts'],
    { cwd: ROOT },
  );
  return JSON.parse(stdout);
}

/**
 * Signs a support engineer in through the tenant's login page, then times a cold navigation
 * to the refresh-token tab of `userId` until its first row can be acted on. The best of
 * three, after one warm-up, as a user who opens the console more than once would see it.
 */
async function dashboardTabMs(bffUrl: string, userId: string): Promise<number> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
    await page.goto(`${bffUrl}/`);
    await page.getByRole('link', { name: 'Sign in' }).click();
    const staff = DEMO.staff.find((s) => s.role === 'support')!;
    await page.getByLabel('Email address').fill(staff.email);
    await page.getByLabel('Password').fill(staff.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      const started = performance.now();
      await page.goto(`${bffUrl}/users/${encodeURIComponent(userId)}/refresh-tokens`);
      const table = page.getByRole('table', { name: 'Refresh tokens of this user' });
      await table
        .getByRole('row')
        .nth(1)
        .getByRole('button', { name: /^Revoke/ })
        .click({ trial: true });
      times.push(performance.now() - started);
    }
    return Math.round(Math.min(...times.slice(1)));
  } finally {
    await browser.close();
  }
}

function printFigures() {
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(`\nBenchmarks (${values.quick ? 'quick' : 'full'}) on ${machine}\n`);
  for (const f of figures) {
    const value = f.value === null ? 'not measured' : `${f.value} ${f.unit}`;
    // The ratio is oriented so that 1 is the target: x0.50 means half the throughput asked
    // for, or twice the time allowed.
    const verdict = f.ratio === null ? '' : `${f.ratio >= 1 ? 'meets' : 'MISSES'} (x${f.ratio.toFixed(2)} of target)`;
    console.log(
      `${f.name.padEnd(78)} ${value.padStart(14)}   target ${f.target.padEnd(36)} ${verdict}${f.note ? `   (${f.note})` : ''}`,
    );
  }
  if (values.json) writeFileSync(values.json, JSON.stringify({ machine, size: SIZE, figures }, null, 2));
}
