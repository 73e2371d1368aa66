import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { sha256 } from '../crypto/secrets.ts';
import { memoryLogger } from '../observability/logger.ts';
import { openSqliteStore, type SqliteTenantStore } from '../store/sqlite/sqlite-store.ts';
import { DEFAULT_REFRESH_TOKEN_POLICY } from './defaults.ts';
import type { ClientRecord } from './model.ts';
import { mintRefreshToken } from './refresh-tokens.ts';
import { planRevocation, type PlanTarget } from './revocation-plan.ts';
import { RevocationWorker } from './revocation-worker.ts';

const T0 = Date.UTC(2026, 0, 1);
const app: ClientRecord = {
  client_id: 'app',
  name: 'App',
  description: '',
  app_type: 'native',
  client_secret_hash: null,
  token_endpoint_auth_method: 'none',
  callbacks: [],
  allowed_logout_urls: [],
  grant_types: ['refresh_token'],
  refresh_token: DEFAULT_REFRESH_TOKEN_POLICY,
  is_first_party: true,
  created_at: T0,
  updated_at: T0,
};
const NO_DEVICE = {
  initial_ip: null,
  initial_asn: null,
  initial_user_agent: null,
  last_ip: null,
  last_asn: null,
  last_user_agent: null,
};

let store: SqliteTenantStore;
let clock: ManualClock;
let logger: ReturnType<typeof memoryLogger>;
let worker: RevocationWorker;

async function issue(user_id: string, count: number) {
  const minted = [];
  for (let i = 0; i < count; i++) {
    const token = mintRefreshToken({
      client: app,
      user_id,
      grant_id: null,
      session_id: null,
      device_name: null,
      audience: 'https://api/',
      scope: ['offline_access'],
      resource_servers: [],
      device: NO_DEVICE,
      now: T0,
    });
    await store.refreshTokens.issueRefreshToken(token.record, 1000);
    minted.push(token);
  }
  return minted;
}

beforeEach(() => {
  store = openSqliteStore(':memory:');
  clock = new ManualClock(T0);
  logger = memoryLogger();
  // A poll far longer than any test: every pass here is started by enqueue, start or idle.
  worker = new RevocationWorker(store.revocationJournal, clock, logger, {
    batchSize: 10,
    pollMs: 60_000,
    instanceId: 'worker-1',
  });
});
afterEach(async () => {
  await worker.stop();
  await store.close();
});

/** Journals a bulk revocation as every route does, through the plan, and answers its job. */
async function journal(target: Extract<PlanTarget, { kind: 'user' }>) {
  await store.revocations.applyRevocationPlan(planRevocation(target, 'user_tokens_revoked', null), T0);
  const [job] = await store.revocationJournal.listRevocationJobs();
  return job!;
}

describe('RevocationWorker', () => {
  it('puts a revocation in force as it is journaled, then marks the rows in batches', async () => {
    const janes = await issue('auth0|jane', 25);
    const [ann] = await issue('auth0|ann', 1);
    worker.start();
    const job = await journal({ kind: 'user', user_id: 'auth0|jane' });
    expect((await store.refreshTokens.findRefreshTokenBySecret(sha256(janes[0]!.value), T0))!.usable).toBe(false);
    await worker.idle();
    expect(await store.revocationJournal.listRevocationJobs()).toEqual([]);
    expect(worker.batchesApplied).toBe(3);
    for (const token of janes)
      expect((await store.refreshTokens.getRefreshToken(token.record.id))!.revoked_reason).toBe('user_tokens_revoked');
    expect((await store.refreshTokens.getRefreshToken(ann!.record.id))!.revoked_at).toBeNull();
    const done = logger.lines.map((line) => JSON.parse(line)).find((line) => line.msg === 'revocation completed');
    expect(done).toMatchObject({
      job: job.id,
      kind: 'user',
      reason: 'user_tokens_revoked',
      revoked: 25,
      instance: 'worker-1',
    });
  });

  it('completes on start the jobs a crashed process left in the journal', async () => {
    const tokens = await issue('auth0|jane', 3);
    await store.revocationJournal.enqueueRevocations([
      {
        id: 'left-by-a-crash',
        target: { kind: 'token', token_id: tokens[1]!.record.id },
        reason: 'management_api',
        requested_at: T0,
      },
    ]);
    worker.start();
    await worker.idle();
    expect((await store.refreshTokens.getRefreshToken(tokens[1]!.record.id))!.revoked_reason).toBe('management_api');
    expect((await store.refreshTokens.getRefreshToken(tokens[0]!.record.id))!.revoked_at).toBeNull();
  });

  it('journals a bounded revocation: tokens issued after the preview stay live', async () => {
    // The first token written is the first of the store's insertion order.
    const [previewed] = await issue('auth0|jane', 1);
    await store.revocations.applyRevocationPlan(
      planRevocation({ kind: 'client', client_id: 'app', issued_through: 1 }, 'client_tokens_revoked', null),
      T0,
    );
    const [job] = await store.revocationJournal.listRevocationJobs();
    expect(job!.cutoff_seq).toBe(1);
    const [later] = await issue('auth0|jane', 1);
    worker.start();
    await worker.idle();
    expect((await store.refreshTokens.getRefreshToken(previewed!.record.id))!.revoked_at).not.toBeNull();
    expect((await store.refreshTokens.getRefreshToken(later!.record.id))!.revoked_at).toBeNull();
  });

  it('refuses to wait for idleness once stopped', async () => {
    await expect(worker.idle()).rejects.toThrow('The revocation worker is stopped');
  });
});
