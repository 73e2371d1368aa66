/**
 * The figures measured against the peers: the machine's ceilings, the refresh exchange in two
 * scenarios, the exchange with a DPoP proof, and /oauth/revoke; each side under the same load
 * right after the other, each request a distinct live token.
 *
 * Two peers, the same oidc-provider: in memory (a Map), and durable (on SQLite, so its tokens
 * outlive a restart, as ours do). Our throughput must reach the in-memory peer's and twice the
 * durable peer's, with a p99 no worse than the in-memory peer's.
 */
import { DEMO, freePort, startProcess, type Proc } from '@rtc/stack';
import { availableParallelism } from 'node:os';
import { type LoadResult, load, outcome, progress, signingCeiling } from './children.ts';
import type { BenchContext } from './context.ts';
import { againstPeer, atMost, figures, inform, ofCeiling } from './figures.ts';
import { SEED, SIZE } from './options.ts';

export interface Peers {
  memory: Proc;
  durable: Proc;
}
/** What later steps judge against: ours and the in-memory peer's figures of this run. */
export interface PeerFigures {
  /** Our exchanges (b) per second: the soak runs at half of it. */
  capacityB: number;
  peerExchangeB: number;
  peerRevoke: number;
}

const IN_MEMORY = 'the in-memory peer';
const DURABLE = 'the durable peer';
const exchangeLoad = { method: 'POST', connections: 50, durationSeconds: SIZE.seconds };
const peerExchange = {
  path: '/token',
  form: { grant_type: 'refresh_token', client_id: 'peer-app', refresh_token: '{token}' },
};
const ourExchange = {
  path: '/oauth/token',
  form: { grant_type: 'refresh_token', client_id: DEMO.clients.mobile.client_id, refresh_token: '{token}' },
};

export async function peerFigures(run: BenchContext, peers: Peers): Promise<PeerFigures> {
  const { signatures, bareHttp } = await yardsticks(run);
  const url = run.tenant.url;
  const ourTokensOfScenario = (SIZE.tokens - run.even) / 4;
  const peerTokensOfScenario = SIZE.peerTokens / 4;

  // Refresh exchange with rotation in two scenarios of identical token formats on every side.
  // Token i of the mobile app (and of the peers' app): i % 4 === 2 for /userinfo only, i % 4 === 0 for the demo API.
  const firstOf = (remainder: number) => run.even + ((remainder - (run.even % 4) + 4) % 4);
  const scenarios = [
    { key: 'a', what: '/userinfo only: opaque access token + RS256 ID token', remainder: 2, signatures: 1 },
    { key: 'b', what: 'API audience: RS256 JWT access token + RS256 ID token', remainder: 0, signatures: 2 },
  ];
  const result = { capacityB: 0, peerExchangeB: 0, peerRevoke: 0 };
  for (const scenario of scenarios) {
    progress(`refresh exchanges (${scenario.key}) ${scenario.what}: the peers, then the tenant`);
    // Two seconds of each first, on tokens from the end of the range, so no side is measured
    // while compiling its code or reading its first pages from disk.
    const warmUp = { ...exchangeLoad, durationSeconds: 2 };
    const peerWarmUpFirst = scenario.remainder + 4 * Math.floor(peerTokensOfScenario * 0.8);
    for (const peer of [peers.memory, peers.durable])
      await load({
        ...warmUp,
        ...peerExchange,
        url: peer.url,
        tokens: { seed: SEED, first: peerWarmUpFirst, step: 4 },
      });
    await load({
      ...warmUp,
      ...ourExchange,
      url,
      tokens: { seed: SEED, first: firstOf(scenario.remainder) + 4 * Math.floor(ourTokensOfScenario * 0.8), step: 4 },
    });
    const peerTokens = { seed: SEED, first: scenario.remainder, step: 4 };
    const memory = await load({ ...exchangeLoad, ...peerExchange, url: peers.memory.url, tokens: peerTokens });
    const durable = await load({ ...exchangeLoad, ...peerExchange, url: peers.durable.url, tokens: peerTokens });
    const exchange = await load({
      ...exchangeLoad,
      ...ourExchange,
      url,
      tokens: { seed: SEED, first: firstOf(scenario.remainder), step: 4 },
    });
    if (scenario.key === 'b') {
      result.capacityB = exchange.requestsPerSecond;
      result.peerExchangeB = memory.requestsPerSecond;
    }
    const ourNote = `ours: ${outcome(exchange, ourTokensOfScenario)}`;
    againstPeer(
      `refresh exchange (${scenario.key}) ${scenario.what}, with rotation, 50 connections`,
      exchange.requestsPerSecond,
      { name: IN_MEMORY, requestsPerSecond: memory.requestsPerSecond },
      1.0,
      `${ourNote}; ${IN_MEMORY}: ${outcome(memory, peerTokensOfScenario)}`,
    );
    againstPeer(
      `  ... (${scenario.key}) against the durable peer (oidc-provider on SQLite)`,
      exchange.requestsPerSecond,
      { name: DURABLE, requestsPerSecond: durable.requestsPerSecond },
      2.0,
      `${DURABLE}: ${outcome(durable, peerTokensOfScenario)}`,
    );
    atMost(
      `  ... (${scenario.key}) p99 at 50 connections`,
      exchange.p99,
      'ms',
      Math.max(1, memory.p99),
      `${IN_MEMORY}'s p99 in this run; ${DURABLE}'s ${durable.p99} ms`,
    );
    ofCeiling(
      `  ... (${scenario.key}) as a share of the RS256 signing ceiling (${scenario.signatures} per exchange)`,
      exchange.requestsPerSecond,
      signatures / scenario.signatures,
      0.7,
      'the exchanges signing alone allows',
    );
    inform(
      `  ... (${scenario.key}) as a share of bare node:http`,
      Math.round((exchange.requestsPerSecond / bareHttp) * 100),
      '%',
    );
  }

  await dpopFigures(run, peers.memory, firstOf(0), result);
  result.peerRevoke = await revocationFigures(run, peers);
  return result;
}

/**
 * The machine's ceilings, with the servers started and idle: RS256 signing on every core, then
 * a bare node:http server (one process per core) under the same load generator.
 */
async function yardsticks(run: BenchContext): Promise<{ signatures: number; bareHttp: number }> {
  progress('yardsticks: RS256 signing on every core, bare node:http');
  const signing = await signingCeiling(1);
  const httpPort = await freePort();
  const bare = await startProcess(
    'bench/yardstick.ts',
    ['http', JSON.stringify({ port: httpPort, workers: availableParallelism() })],
    {},
    httpPort,
  );
  run.procs.push(bare);
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
  inform(
    'yardstick: bare node:http POST answers, 50 connections',
    Math.round(bareHttp.requestsPerSecond),
    'req/s',
    `p99 ${bareHttp.p99} ms`,
  );
  return { signatures: signing.signaturesPerSecond, bareHttp: bareHttp.requestsPerSecond };
}

/**
 * The exchange (b) again with a DPoP proof on every request (RFC 9449: one ES256 verification
 * more, and the proof's jti remembered, in the store, against replay), ours and the in-memory
 * peer's, on tokens from the middle of the range that no load above used. The tokens were
 * issued without a proof, so they stay unbound; the access tokens each exchange issues are bound.
 */
async function dpopFigures(run: BenchContext, peer: Proc, ourFirstB: number, before: PeerFigures) {
  progress('refresh exchanges (b) with a DPoP proof: the in-memory peer, then the tenant');
  const url = run.tenant.url;
  const dpopFirst = (first: number, count: number) => first + 4 * Math.floor((count / 4) * 0.5);
  const peerDpop = await load({
    ...exchangeLoad,
    ...peerExchange,
    url: peer.url,
    tokens: { seed: SEED, first: dpopFirst(0, SIZE.peerTokens), step: 4 },
    dpop: { htu: `${peer.url}/token` },
  });
  const dpop = await load({
    ...exchangeLoad,
    ...ourExchange,
    url,
    tokens: { seed: SEED, first: dpopFirst(ourFirstB, SIZE.tokens - run.even), step: 4 },
    dpop: { htu: `${url}/oauth/token` },
  });
  againstPeer(
    'refresh exchange (b) with a DPoP proof, 50 connections',
    dpop.requestsPerSecond,
    { name: IN_MEMORY, requestsPerSecond: peerDpop.requestsPerSecond },
    1.0,
    `ours: ${outcome(dpop, (SIZE.tokens - run.even) / 4)}; peer (DPoP on): ${outcome(peerDpop, SIZE.peerTokens / 4)}`,
  );
  inform(
    "  ... the proof's cost: verification and the replay cache, per exchange",
    Math.round((1 / dpop.requestsPerSecond - 1 / before.capacityB) * 1e6),
    'us',
    `${Math.round(before.capacityB)} req/s without a proof, ${Math.round(dpop.requestsPerSecond)} with; ` +
      `the peer ${Math.round(before.peerExchangeB)} without, ${Math.round(peerDpop.requestsPerSecond)} with`,
  );
}

/** /oauth/revoke of a distinct live token per request (the confidential apps: odd indexes); the in-memory peer's rate. */
async function revocationFigures(run: BenchContext, peers: Peers): Promise<number> {
  progress('revocations: the peers, then the tenant');
  const peerRevoke = (peer: Proc): Promise<LoadResult> =>
    load({
      ...exchangeLoad,
      url: peer.url,
      path: '/token/revocation',
      form: { client_id: 'peer-web', client_secret: 'peer-web-secret', token: '{token}' },
      tokens: { seed: SEED, first: 1, step: 2 },
    });
  const memory = await peerRevoke(peers.memory);
  const durable = await peerRevoke(peers.durable);
  const revoke = await load({
    ...exchangeLoad,
    url: run.tenant.url,
    path: '/oauth/revoke',
    form: { client_id: DEMO.clients.web.client_id, client_secret: DEMO.clients.web.secret, token: '{token}' },
    tokens: { seed: SEED, first: run.even + 1, step: 2 },
  });
  againstPeer(
    '/oauth/revoke of distinct live tokens, 50 connections',
    revoke.requestsPerSecond,
    { name: IN_MEMORY, requestsPerSecond: memory.requestsPerSecond },
    1.0,
    `ours: ${outcome(revoke, (SIZE.tokens - run.even) / 2)}; ${IN_MEMORY}: ${outcome(memory, SIZE.peerTokens / 2)}`,
  );
  inform(
    '  ... the durable peer (oidc-provider on SQLite) on the same load',
    Math.round(durable.requestsPerSecond),
    'req/s',
    `ours are ${(revoke.requestsPerSecond / durable.requestsPerSecond).toFixed(2)}x ${DURABLE}'s; ${DURABLE}: ${outcome(durable, SIZE.peerTokens / 2)}`,
  );
  return memory.requestsPerSecond;
}
