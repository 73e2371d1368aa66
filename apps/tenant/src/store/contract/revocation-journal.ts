import type { JobClaim, RevocationJob } from '../../domain/revocation.ts';

/**
 * Bulk revocations: a job is in force from the commit that journals it (every listing and
 * exchange leaves out what it covers); the worker then marks the covered rows in batches.
 */
export interface RevocationJournalStore {
  /** Journals the jobs in one transaction: every one is in force when this resolves. */
  enqueueRevocations(jobs: RevocationJob[]): Promise<void>;
  listRevocationJobs(): Promise<RevocationJob[]>;
  /**
   * Marks up to `limit` covered rows revoked; deletes the job when none remain. The job is
   * leased to `claim.owner`: another instance skips it until the lease lapses (its owner died).
   */
  processRevocationBatch(
    jobId: string,
    limit: number,
    now: number,
    claim: JobClaim,
  ): Promise<{ revoked: number; done: boolean; claimed: boolean }>;
}
