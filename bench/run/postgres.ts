import { createPool, dropSchema } from '@rtc/db/postgres';
import { DEMO, freePort, startProcess, TENANT_SERVER, type Proc } from '@rtc/stack';
import { generateTenant } from '@rtc/tenant';
import { load, progress } from './children.ts';
import { againstPeer, figures } from './figures.ts';
import { OPTIONS, SEED, SIZE } from './options.ts';

/**
 * `--postgres`: the tenant as a team outgrowing one machine runs it, two instances on one
 * PostgreSQL database (TEST_DATABASE_URL or DATABASE_URL, default the local `test` database),
 * each taking half of the same load: exchanges (scenario b) and revocations, judged against the
 * peer's figures from earlier in this run. Skipped, and said so, when no server answers.
 */
export async function postgresFigures(peerExchange: number, peerRevoke: number, procs: Proc[]): Promise<void> {
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
  const tokens = OPTIONS.quick ? 40_000 : 200_000;
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
        TENANT_SERVER.built,
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
      { name: 'the in-memory peer', requestsPerSecond: peerExchange },
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
      { name: 'the in-memory peer', requestsPerSecond: peerRevoke },
      1.5,
      `p99 ${revoke.p99} ms, non-2xx ${revoke.non2xx}`,
    );
  } finally {
    for (const proc of pgProcs) await proc.kill9();
    await dropSchema(base, schema);
  }
}
