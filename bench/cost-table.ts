/**
 * `npm run bench:cost [-- --seconds N] [-- --json FILE]`: where each request's CPU goes, ours
 * beside the peer's, under the same load. Each server runs alone in its own process with
 * `--cpu-prof`; the load generator drives exchange (b) (two RS256 signatures each side) and
 * `/oauth/revoke` (the peer's /token/revocation) over distinct live tokens, 50 connections.
 *
 * A row is microseconds of CPU per request:
 * - the parts of the event loop's time, from the profile's samples (self time by where the code
 *   lives, see PARTS), divided by the requests answered;
 * - "off the event loop": the process's whole CPU time (/proc, every thread) less the event
 *   loop's busy time: RS256 signatures on libuv's pool, and GC's helper threads.
 * Run on a quiet machine: the profile samples wall time, so a busy machine inflates every part.
 */
import { generateTenant } from '@rtc/tenant';
import { freePort, ROOT, startProcess, type Proc } from '@rtc/stack';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { must } from './must.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string' }, json: { type: 'string' } } });
const SECONDS = Number(values.seconds ?? 10);
const SEED = 'cost';
const TOKENS = 60_000;

/** Scripts of node:http, streams and the two frameworks (Hono ours, Koa the peer's). */
const HTTP_PLUMBING = new RegExp(
  [
    ...['_http_', 'internal/streams', 'webstreams', 'undici', 'abort_controller', 'event_target'],
    ...['node:net', 'node:stream', 'internal/http', '@hono', '/hono/', '/koa', 'koa-'],
    ...['node:events', 'node:buffer', 'internal/timers'],
  ].join('|'),
);

/** A part of the event loop's time: the first whose test matches a sample's script or function. */
const PARTS: { name: string; test: (url: string, fn: string) => boolean }[] = [
  {
    name: 'signing (on the event loop)',
    test: (u, f) =>
      u.includes('internal/crypto/sig') || u.includes('crypto/keys.ts') || u.includes('/jose/') || f === 'signOneShot',
  },
  { name: 'GC', test: (_u, f) => f === '(garbage collector)' },
  { name: 'store: SQLite and its rows', test: (u) => /better-sqlite3|store\/|packages\/db|@rtc\/db/.test(u) },
  { name: 'logging', test: (u) => u.includes('observability/logger') },
  { name: 'body parsing and params', test: (u) => /request-body|http\/params|internal\/url|querystring/.test(u) },
  {
    name: 'client authentication',
    test: (u) =>
      u.includes('client-auth') || u.includes('/oidc-provider/lib/shared/client_auth') || u.includes('client_auth'),
  },
  {
    name: 'HTTP plumbing (node:http, streams, Hono or Koa)',
    test: (u, f) => HTTP_PLUMBING.test(u) || f === 'writev' || f === 'writeUtf8String' || f === 'writeBuffer',
  },
  {
    name: 'protocol logic (grants, tokens, the rest of the app)',
    test: (u) => u.includes('apps/tenant') || u.includes('oidc-provider') || u.includes('packages/'),
  },
];
const OTHER = 'other (runtime, microtasks, module code)';

type Load = { requestsPerSecond: number; total: number; non2xx: number; p99: number };
const load = async (options: Record<string, unknown>): Promise<Load> =>
  JSON.parse(
    (
      await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/load.ts', JSON.stringify(options)], {
        cwd: ROOT,
        maxBuffer: 1 << 24,
      })
    ).stdout,
  ) as Load;

/** utime + stime of every thread of a process, in microseconds. */
function cpuMicros(pid: number): number {
  const fields = must(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1], `/proc/${pid}/stat`).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}

interface Profile {
  nodes: { id: number; callFrame: { url: string; functionName: string } }[];
  samples: number[];
  timeDeltas: number[];
}
/** Event-loop microseconds by part, and the busy total, from a .cpuprofile. */
function parts(profile: Profile): { busy: number; byPart: Map<string, number> } {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byPart = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frame = must(frames.get(id), `the profile's node ${id}`);
    const micros = profile.timeDeltas[i] ?? 0;
    if (frame.functionName === '(idle)') return;
    busy += micros;
    const url = frame.url.replace(/^file:\/\//, '');
    const part = PARTS.find((p) => p.test(url, frame.functionName))?.name ?? OTHER;
    byPart.set(part, (byPart.get(part) ?? 0) + micros);
  });
  return { busy, byPart };
}

interface Side {
  name: string;
  start(profileDir: string): Promise<Proc>;
  exchange: Record<string, unknown>;
  revoke: Record<string, unknown>;
}

const dir = mkdtempSync(join(tmpdir(), 'rtc-cost-'));
const rows: {
  side: string;
  figure: string;
  rps: number;
  p99: number;
  cpuPerRequest: number;
  parts: Record<string, number>;
}[] = [];
try {
  await generateTenant({
    dataDir: join(dir, 'tenant'),
    issuer: 'http://127.0.0.1:1/',
    users: 5_000,
    tokens: TOKENS,
    heavyUserTokens: 0,
    bulkUserTokens: 0,
    mediumUserTokens: 0,
    userinfoOnlyMobileTokens: true,
    seed: SEED,
    log: () => {},
  });
  const [ours, peer] = [await freePort(), await freePort()];
  const sides: Side[] = [
    {
      name: 'ours',
      start: (profileDir) =>
        startProcess(
          'apps/tenant/src/server.ts',
          [
            '--port',
            String(ours),
            '--data-dir',
            join(dir, 'tenant'),
            '--issuer',
            `http://127.0.0.1:${ours}/`,
            '--workers',
            '1',
          ],
          { TENANT_REFRESH_RATE_LIMIT: '1000000', TENANT_DEMO: '0' },
          ours,
          ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
        ),
      exchange: {
        url: `http://127.0.0.1:${ours}`,
        path: '/oauth/token',
        form: { grant_type: 'refresh_token', client_id: 'acme-mobile', refresh_token: '{token}' },
      },
      revoke: {
        url: `http://127.0.0.1:${ours}`,
        path: '/oauth/revoke',
        form: { client_id: 'acme-web', client_secret: 'acme-web-demo-secret-0123456789abcdef', token: '{token}' },
      },
    },
    {
      name: 'peer (oidc-provider, in memory)',
      start: (profileDir) =>
        startProcess(
          'bench/peer/oidc-provider.ts',
          ['--port', String(peer), '--tokens', String(TOKENS), '--seed', SEED],
          {},
          peer,
          ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
        ),
      exchange: {
        url: `http://127.0.0.1:${peer}`,
        path: '/token',
        form: { grant_type: 'refresh_token', client_id: 'peer-app', refresh_token: '{token}' },
      },
      revoke: {
        url: `http://127.0.0.1:${peer}`,
        path: '/token/revocation',
        form: { client_id: 'peer-web', client_secret: 'peer-web-secret', token: '{token}' },
      },
    },
  ];
  // Exchange (b): tokens i % 4 === 0 (an API audience); revocation: the confidential app's, odd i.
  const figures = [
    {
      key: 'exchange' as const,
      name: 'refresh exchange (b), API audience',
      first: 0,
      step: 4,
      warm: 4 * Math.floor((TOKENS / 4) * 0.8),
    },
    { key: 'revoke' as const, name: '/oauth/revoke', first: 1, step: 2, warm: 1 + 2 * Math.floor((TOKENS / 2) * 0.8) },
  ];
  for (const figure of figures) {
    for (const side of sides) {
      const profileDir = join(dir, `profile-${rows.length}`);
      const proc = await side.start(profileDir);
      const pid = must(proc.child.pid, 'the server process id');
      const base = { ...side[figure.key], method: 'POST', connections: 50 };
      await load({ ...base, durationSeconds: 2, tokens: { seed: SEED, first: figure.warm, step: figure.step } });
      const before = cpuMicros(pid);
      const result = await load({
        ...base,
        durationSeconds: SECONDS,
        tokens: { seed: SEED, first: figure.first, step: figure.step },
      });
      const cpu = cpuMicros(pid) - before;
      // SIGINT: the process exits normally, and --cpu-prof writes its profile.
      const exited = new Promise((resolve) => proc.child.once('exit', resolve));
      proc.child.kill('SIGINT');
      await exited;
      const file = readdirSync(profileDir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(profileDir, f))
        .sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0];
      if (!file) throw new Error(`no .cpuprofile in ${profileDir}`);
      const { busy, byPart } = parts(JSON.parse(readFileSync(file, 'utf8')) as Profile);
      // The profile spans the whole process (start, warm-up, load); scale its parts to the load's share of the busy time.
      const requests = result.total;
      const loopShare = Math.min(1, cpu / busy);
      const partsPerRequest: Record<string, number> = {};
      for (const [part, micros] of byPart) partsPerRequest[part] = Math.round((micros * loopShare) / requests);
      const loop = Object.values(partsPerRequest).reduce((a, b) => a + b, 0);
      partsPerRequest['off the event loop (signing pool, GC threads)'] = Math.max(0, Math.round(cpu / requests - loop));
      rows.push({
        side: side.name,
        figure: figure.name,
        rps: Math.round(result.requestsPerSecond),
        p99: result.p99,
        cpuPerRequest: Math.round(cpu / requests),
        parts: partsPerRequest,
      });
      const failed = result.non2xx ? `, ${result.non2xx} non-2xx` : '';
      const perRequest = `${Math.round(cpu / requests)} us of CPU per request`;
      console.error(
        `[cost] ${figure.name}, ${side.name}: ${Math.round(result.requestsPerSecond)} req/s, ${perRequest}${failed}`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// One markdown table per figure: parts as rows, ours beside the peer.
for (const figure of new Set(rows.map((r) => r.figure))) {
  const [a, b] = rows.filter((r) => r.figure === figure);
  if (!a || !b) continue;
  const names = [...new Set([...Object.keys(a.parts), ...Object.keys(b.parts)])].sort(
    (x, y) => (b.parts[y] ?? 0) + (a.parts[y] ?? 0) - (b.parts[x] ?? 0) - (a.parts[x] ?? 0),
  );
  console.log(`\n${figure}: us of CPU per request\n`);
  console.log(`| part | ${a.side} | ${b.side} |\n| --- | ---: | ---: |`);
  for (const name of names) console.log(`| ${name} | ${a.parts[name] ?? 0} | ${b.parts[name] ?? 0} |`);
  console.log(`| **all CPU per request** | **${a.cpuPerRequest}** | **${b.cpuPerRequest}** |`);
  console.log(`| req/s (p99 ms) | ${a.rps} (${a.p99}) | ${b.rps} (${b.p99}) |`);
}
if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 2));
