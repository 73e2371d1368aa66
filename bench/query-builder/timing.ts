/** The exchanges the ways are timed on, the timing, and the check that every way does the same work. */
import { createHash } from 'node:crypto';
import { asnOf } from '@rtc/ip-intel';
import { DEMO, generatedTokenValue, newRefreshSecret, planExchange, type Row } from '@rtc/tenant';
import type { RotationOutcome } from './statements.ts';
import type { Way } from './ways.ts';
import { must } from '../must.ts';

/** The generator's seed for the tenant the ways are timed on. */
export const SEED = 'query-builder';
/** Tokens the exchanges cycle over (the mobile app's, rotating), spread over the whole table. */
const SAMPLE = 20_000;
export const progress = (line: string) => console.error(`[query-builder] ${line}`);

/** Two addresses of different networks: each exchange of a token comes from the other one. */
const ADDRESSES = ['203.0.113.7', '172.56.21.77'].map((ip) => ({ ip, asn: asnOf(ip) }));
const USER_AGENT = 'AcmeMobile/5.2 (iPhone; iOS 17.4)';

/** The mobile app's tokens (even indexes: the generator alternates mobile and web), shuffled. */
export function exchangeSample(tokens: number) {
  let state = 12345;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const indexes = Array.from({ length: Math.floor(tokens / 2) }, (_, i) => 2 * i);
  for (let i = indexes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [indexes[i], indexes[j]] = [must(indexes[j], 'an index'), must(indexes[i], 'an index')];
  }
  const slots = indexes.slice(0, SAMPLE).map((i) => ({
    secret: <Buffer>createHash('sha256').update(generatedTokenValue(SEED, i)).digest(),
    uses: 0,
  }));
  let cursor = 0;
  /** The next token's current secret, and the plan's inputs for its next exchange. */
  return {
    next() {
      const slot = must(slots[cursor++ % slots.length], 'a sampled token');
      const from = must(ADDRESSES[slot.uses % 2], 'an address');
      const newSecret = newRefreshSecret();
      const now = Date.now();
      const planner = planExchange({
        clientId: DEMO.clients.mobile.client_id,
        now,
        newSecretHash: newSecret.hash,
        ip: from.ip,
        asn: from.asn,
        userAgent: USER_AGENT,
        dpopJkt: null,
      });
      return {
        presented: slot.secret,
        now,
        planner,
        done(outcome: RotationOutcome) {
          if (outcome.kind !== 'exchanged') throw new Error(`an exchange answered ${outcome.kind}, not exchanged`);
          slot.secret = newSecret.hash;
          slot.uses++;
        },
      };
    },
  };
}

export interface Summary {
  way: string;
  exchanges: number;
  medianUs: number;
  p99Us: number;
  perSecond: number;
  roundMediansUs: number[];
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
export const round1 = (n: number) => Math.round(n * 10) / 10;

/** `rounds` rounds of `perRound` exchanges each way; the first round is a warm-up, discarded. */
export async function measure(
  dialect: string,
  ways: Way[],
  rounds: number,
  perRound: number,
  sample: ReturnType<typeof exchangeSample>,
): Promise<Summary[]> {
  const kept = ways.map((way) => ({ way, samples: [] as number[], roundMedians: [] as number[] }));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < ways.length; k++) {
      const { way, samples, roundMedians } = must(kept[(round + k) % kept.length], 'a way');
      const times = new Array<number>(perRound);
      for (let i = 0; i < perRound; i++) {
        const exchange = sample.next();
        const started = performance.now();
        const outcome = await way.rotate(exchange.presented, exchange.now, exchange.planner);
        times[i] = (performance.now() - started) * 1000;
        exchange.done(outcome);
      }
      const sorted = [...times].sort((a, b) => a - b);
      if (round === 0) continue; // warm-up: compiling, caches, first pages
      samples.push(...times);
      roundMedians.push(round1(quantile(sorted, 0.5)));
    }
    progress(`${dialect}: round ${round + 1} of ${rounds}${round === 0 ? ' (warm-up, discarded)' : ''}`);
  }
  return kept.map(({ way, samples, roundMedians }) => {
    const sorted = [...samples].sort((a, b) => a - b);
    const total = sorted.reduce((sum, t) => sum + t, 0);
    return {
      way: way.name,
      exchanges: sorted.length,
      medianUs: round1(quantile(sorted, 0.5)),
      p99Us: round1(quantile(sorted, 0.99)),
      perSecond: Math.round(sorted.length / (total / 1e6)),
      roundMediansUs: roundMedians,
    };
  });
}

/**
 * One token exchanged each way with identical inputs, and the columns an exchange writes
 * compared: B and C must leave the row as A does (else the timing compares different work).
 */
export async function sameEffect(
  ways: Way[],
  read: (id: string, newHash: Buffer, oldHash: Buffer) => Promise<Row>,
  tokenIndex: (w: number) => number,
  idOf: (hash: Buffer) => Promise<string>,
) {
  const now = Date.now();
  const results: string[] = [];
  const home = must(ADDRESSES[0], 'an address');
  for (const [w, way] of ways.entries()) {
    const oldHash = createHash('sha256')
      .update(generatedTokenValue(SEED, tokenIndex(w)))
      .digest();
    const id = await idOf(oldHash);
    const newSecret = newRefreshSecret();
    const planner = planExchange({
      clientId: DEMO.clients.mobile.client_id,
      now,
      newSecretHash: newSecret.hash,
      ip: home.ip,
      asn: home.asn,
      userAgent: USER_AGENT,
      dpopJkt: null,
    });
    const outcome = await way.rotate(oldHash, now, planner);
    if (outcome.kind !== 'exchanged') throw new Error(`${way.name}: the check's exchange answered ${outcome.kind}`);
    const { id: _id, ...effect } = await read(id, newSecret.hash, oldHash);
    const answered = {
      kind: outcome.kind,
      idle_expires_at: outcome.token.idle_expires_at,
      last_exchanged_at: outcome.token.last_exchanged_at,
      last_ip: outcome.token.device.last_ip,
      last_asn: outcome.token.device.last_asn,
      last_user_agent: outcome.token.device.last_user_agent,
    };
    results.push(JSON.stringify({ effect, answered }));
  }
  // Tokens differ in their creation and owner; what an exchange writes does not.
  for (const [w, way] of ways.entries()) {
    if (results[w] !== results[0])
      throw new Error(`${way.name} left the row otherwise than ${ways[0]?.name}:\n${results[0]}\n${results[w]}`);
  }
}
