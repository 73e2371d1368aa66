import type { Clock } from '../clock.ts';
import type { Logger } from '../observability/logger.ts';
import { randomId } from '../crypto/secrets.ts';
import type { JobClaim, RevocationJob } from './revocation.ts';

/** The revocation journal of a store (the TenantStore's `revocationJournal`). */
export interface RevocationJournal {
  listRevocationJobs(): Promise<RevocationJob[]>;
  processRevocationBatch(
    jobId: string,
    limit: number,
    now: number,
    claim: JobClaim,
  ): Promise<{ revoked: number; done: boolean; claimed: boolean }>;
}

/**
 * Finishes bulk revocations in the background. A job is in force the moment it is journaled
 * (the exchange path checks the journal), so a Management API DELETE can answer at once;
 * this worker then marks the rows in batches, yielding between them so exchanges stay fast.
 * Jobs left by a crash are found on start and by the poll, and completed.
 */
export class RevocationWorker {
  private running = false;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  /** Batches this instance applied; tests read it. */
  batchesApplied = 0;
  /** This instance, as the owner of the jobs it leases. */
  readonly instanceId: string;

  constructor(
    private readonly store: RevocationJournal,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: {
      batchSize: number;
      pollMs: number;
      lagMs?: number;
      leaseMs?: number;
      instanceId?: string;
    } = { batchSize: 2000, pollMs: 1000 },
  ) {
    this.instanceId = options.instanceId ?? randomId(12);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    while (this.running) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** Start a pass now (a job was added here or elsewhere). */
  kick(): void {
    if (this.stopped || this.running) return;
    clearTimeout(this.timer);
    this.running = true;
    setImmediate(() => void this.drain());
  }

  /** Resolves when no job is left; for tests and orderly shutdown. */
  async idle(): Promise<void> {
    if (this.stopped) throw new Error('The revocation worker is stopped');
    while ((await this.store.listRevocationJobs()).length > 0) {
      this.kick();
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }

  private async drain(): Promise<void> {
    try {
      while (!this.stopped) {
        const ready = await this.readyJobs();
        if (ready.length === 0) break;
        let progressed = false;
        for (const job of ready) {
          if (this.stopped) return;
          progressed = (await this.finish(job)) || progressed;
        }
        // Every ready job is leased to another instance: the poll will look again.
        if (!progressed) break;
      }
    } catch (err) {
      this.logger.error('revocation batch failed; will retry', { error: (err as Error).message });
    } finally {
      this.running = false;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      if (!this.stopped)
        this.timer = setTimeout(
          () => this.kick(),
          Math.min(this.options.pollMs, Math.max(50, this.options.lagMs ?? Infinity)),
        ).unref();
    }
  }

  /** Jobs whose lag has passed and that no other live instance holds. */
  private async readyJobs(): Promise<RevocationJob[]> {
    const now = this.clock.now();
    const lag = this.options.lagMs ?? 0;
    return (await this.store.listRevocationJobs()).filter(
      (job) =>
        job.requested_at + lag <= now &&
        (!job.claimed_by || job.claimed_by === this.instanceId || (job.claimed_until ?? 0) < now),
    );
  }

  /** Applies batches of one job until it is done; false when another instance holds it. */
  private async finish(job: RevocationJob): Promise<boolean> {
    let total = 0;
    for (;;) {
      if (this.stopped) return true;
      const claim = { owner: this.instanceId, leaseMs: this.options.leaseMs ?? 10_000 };
      const { revoked, done, claimed } = await this.store.processRevocationBatch(
        job.id,
        this.options.batchSize,
        this.clock.now(),
        claim,
      );
      if (!claimed) return total > 0;
      this.batchesApplied += 1;
      total += revoked;
      if (done) break;
      // Let waiting requests run between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.logger.info('revocation completed', {
      job: job.id,
      kind: job.target.kind,
      reason: job.reason,
      revoked: total + (job.revoked_count ?? 0),
      instance: this.instanceId,
    });
    return true;
  }
}
