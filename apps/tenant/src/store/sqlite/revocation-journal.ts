import type { JobClaim, RevocationJob, RevocationTarget } from '../../domain/revocation.ts';
import type { RevocationJournalStore } from '../contract/revocation-journal.ts';
import { toJob, type Row } from '../sql/rows.ts';
import { coveredByPendingRevocation } from '../sql/pending-revocation.ts';
import type { SqliteConnection } from './connection.ts';

/**
 * The bulk-revocation journal: a job is in force from the commit that journals it; the worker
 * marks the rows it covers in batches.
 */
export class SqliteRevocationJournal implements RevocationJournalStore {
  constructor(private readonly connection: SqliteConnection) {}

  async enqueueRevocations(jobs: RevocationJob[]): Promise<void> {
    // One transaction, one fsync, however many: a bulk revocation of 100 ids is one commit.
    this.connection.tx(() => {
      for (const job of jobs) this.insertJob(job);
    });
  }

  /**
   * Journals one job inside the caller's transaction: deleting a client, user or grant, or
   * ending a session, journals in the same commit.
   */
  insertJob(job: RevocationJob): void {
    const t = job.target as Partial<Record<string, string>>;
    // The cutoff is the newest token at this instant: tokens issued afterwards are not covered.
    const newest = (this.connection.q('SELECT COALESCE(MAX(rowid), 0) AS seq FROM refresh_tokens').get() as Row)
      .seq as number;
    const cutoff = job.issued_through === undefined ? newest : Math.min(newest, job.issued_through);
    this.connection
      .q(
        `INSERT INTO revocation_jobs (id, kind, token_id, user_id, client_id, audience, grant_id, session_id, device_name, reason, cutoff, requested_at)
       VALUES (@id, @kind, @token_id, @user_id, @client_id, @audience, @grant_id, @session_id, @device_name, @reason, @cutoff, @requested_at)`,
      )
      .run({
        id: job.id,
        kind: job.target.kind,
        token_id: t.token_id ?? null,
        user_id: t.user_id ?? null,
        client_id: t.client_id ?? null,
        audience: t.audience ?? null,
        grant_id: t.grant_id ?? null,
        session_id: t.session_id ?? null,
        device_name: t.device_name ?? null,
        reason: job.reason,
        cutoff,
        requested_at: job.requested_at,
      });
  }

  async listRevocationJobs(): Promise<RevocationJob[]> {
    return (this.connection.q('SELECT * FROM revocation_jobs ORDER BY requested_at, id').all() as Row[]).map(toJob);
  }

  async processRevocationBatch(jobId: string, limit: number, now: number, claim: JobClaim) {
    return this.connection.tx(() => {
      const row = this.connection.q('SELECT * FROM revocation_jobs WHERE id = ?').get(jobId) as Row | undefined;
      if (!row) return { revoked: 0, done: true, claimed: false };
      if (row.claimed_by && row.claimed_by !== claim.owner && row.claimed_until >= now)
        return { revoked: 0, done: false, claimed: false };
      this.connection
        .q('UPDATE revocation_jobs SET claimed_by = ?, claimed_until = ? WHERE id = ?')
        .run(claim.owner, now + claim.leaseMs, jobId);
      const { index, condition, params } = jobCondition(row);
      const revoked = this.connection
        .q(
          `UPDATE refresh_tokens SET revoked_at = @now, revoked_reason = @reason
         WHERE rowid IN (SELECT rowid FROM refresh_tokens ${index ? `INDEXED BY ${index}` : ''}
                         WHERE revoked_at IS NULL AND ${condition} AND +rowid <= @cutoff LIMIT @limit)`,
        )
        .run({ ...params, now, reason: row.reason, cutoff: row.cutoff, limit }).changes;
      const done = revoked < limit;
      if (done) this.connection.q('DELETE FROM revocation_jobs WHERE id = ?').run(jobId);
      else
        this.connection
          .q('UPDATE revocation_jobs SET revoked_count = revoked_count + ? WHERE id = ?')
          .run(revoked, jobId);
      return { revoked, done, claimed: true };
    });
  }

  /**
   * Is this token covered by a journaled bulk revocation not yet applied to its row? `row` is
   * the token's row with its rowid as `seq`; asked inside the rotation's transaction.
   */
  coveredByJob(row: Row): boolean {
    const columns = {
      seq: '@seq',
      id: '@id',
      user_id: '@user_id',
      client_id: '@client_id',
      audience: '@audience',
      grant_id: '@grant_id',
      session_id: '@session_id',
      device_name: '@device_name',
    };
    return !!this.connection
      .q(`SELECT ${coveredByPendingRevocation(columns)} AS covered`)
      .pluck()
      .get({
        seq: row.seq,
        id: row.id,
        user_id: row.user_id,
        client_id: row.client_id,
        audience: row.audience,
        grant_id: row.grant_id,
        session_id: row.session_id,
        device_name: row.device_name,
      });
  }
}

/**
 * The rows a job covers, and the partial index of live tokens that finds them. The index is
 * named because without statistics SQLite prefers `rt_user_all`, which still holds revoked
 * rows: every batch would walk past all the rows revoked before it.
 */
function jobCondition(row: Row): { index: string | null; condition: string; params: Record<string, unknown> } {
  switch (row.kind as RevocationTarget['kind']) {
    case 'token':
      return { index: null, condition: 'id = @token_id', params: { token_id: row.token_id } };
    case 'user': {
      const clauses = ['user_id = @user_id'];
      if (row.client_id !== null) clauses.push('client_id = @client_id');
      if (row.audience !== null) clauses.push('audience = @audience');
      return {
        index: row.client_id !== null ? 'rt_user_client_live' : 'rt_user_live',
        condition: clauses.join(' AND '),
        params: { user_id: row.user_id, client_id: row.client_id, audience: row.audience },
      };
    }
    case 'grant':
      return { index: 'rt_grant_live', condition: 'grant_id = @grant_id', params: { grant_id: row.grant_id } };
    case 'session':
      return {
        index: 'rt_session_live',
        condition: 'session_id = @session_id',
        params: { session_id: row.session_id },
      };
    case 'client':
      return {
        index: 'rt_client_live',
        condition: row.audience !== null ? 'client_id = @client_id AND audience = @audience' : 'client_id = @client_id',
        params: { client_id: row.client_id, audience: row.audience },
      };
    case 'device':
      return {
        index: 'rt_user_live',
        condition: 'user_id = @user_id AND device_name = @device_name',
        params: { user_id: row.user_id, device_name: row.device_name },
      };
  }
}
