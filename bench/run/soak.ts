import { DEMO, type Proc } from '@rtc/stack';
import { load, progress } from './children.ts';
import { atMost } from './figures.ts';
import { SEED, SIZE, SOAK_MINUTES } from './options.ts';

/**
 * The soak: mixed traffic at half the capacity measured in this run (exchange b), minute by
 * minute: exchanges of non-rotating tokens (cycled), revocations of distinct tokens, the
 * Management API listing and the console's device list through the BFF. Per minute: 5xx, the
 * exchanges' p99, and the tenant's heap after a full GC (summed over its workers).
 */
export async function soak(
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
    `soak: ${SOAK_MINUTES} min at ${budget} req/s (half of ${Math.round(ctx.capacity)}): ${exchangeRate} exchanges, ` +
      `${rates.revoke} revocations, ${rates.listing} listings, ${rates.bff} console reads per second`,
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
    const thisMinute = {
      p99: exchanges.p99,
      status5xx: all.reduce((sum, r) => sum + r.status5xx, 0),
      requests: all.reduce((sum, r) => sum + r.total, 0),
      heapMb,
    };
    minutes.push(thisMinute);
    progress(
      `  minute ${minute + 1}: ${thisMinute.requests} requests, 5xx ${thisMinute.status5xx}, ` +
        `exchange p99 ${exchanges.p99} ms, heap after GC ${heapMb ?? '?'} MB`,
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
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
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
  const [firstHeap, lastHeap] = [heaps.at(0), heaps.at(-1)];
  if (firstHeap !== undefined && lastHeap !== undefined)
    atMost(
      '  ... heap after GC, growth from the first minute to the last',
      lastHeap - firstHeap,
      'MB',
      20,
      `MB per minute (all workers): ${heaps.join(', ')}`,
    );
}
