import { Params, type Queryable } from '@rtc/db/postgres';
import { toJob, type Row } from '../sql/rows.ts';
import type { JobClaim, RevocationJob, RevocationTarget } from '../../domain/revocation.ts';
import type { RevocationJournalStore } from '../contract/revocation-journal.ts';
import type { PostgresConnection } from './connection.ts';

/**
 * The bulk revocation journal. A job is leased to one instance at a time, and its batches
 * skip the rows an exchange in flight has locked.
 */
export class PostgresRevocationJournal implements RevocationJournalStore {
  constructor(private readonly connection: PostgresConnection) {}

  async enqueueRevocations(jobs: RevocationJob[]): Promise<void> {
    // One transaction, one commit, however many: a bulk revocation of 100 ids is one commit.
    await this.connection.tx(async (db) => {
      for (const job of jobs) await this.insertJob(db, job);
    });
  }

  /**
   * Journals `job` in the caller's transaction (`db`, its client): deleting a user, client or
   * grant, or ending a session, journals the revocation of its tokens in the same commit.
   */
  async insertJob(db: Queryable, job: RevocationJob): Promise<void> {
    const t = job.target as Partial<Record<string, string>>;
    // The sequence's last value counts tokens still being inserted too: they are covered.
    // LEAST ignores a NULL `issued_through` (no ceiling asked for).
    await db.query(
      `INSERT INTO revocation_jobs (id, kind, token_id, user_id, client_id, audience, grant_id, session_id, device_name, reason, cutoff, requested_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, LEAST((SELECT last_value FROM refresh_tokens_seq_seq), $12::bigint), $11)`,
      [
        job.id,
        job.target.kind,
        t.token_id ?? null,
        t.user_id ?? null,
        t.client_id ?? null,
        t.audience ?? null,
        t.grant_id ?? null,
        t.session_id ?? null,
        t.device_name ?? null,
        job.reason,
        job.requested_at,
        job.issued_through ?? null,
      ],
    );
  }

  async listRevocationJobs(): Promise<RevocationJob[]> {
    return (await this.connection.all('SELECT * FROM revocation_jobs ORDER BY requested_at, id')).map(toJob);
  }

  async processRevocationBatch(jobId: string, limit: number, now: number, claim: JobClaim) {
    return this.connection.tx(async (db) => {
      // SKIP LOCKED: while another instance is inside a batch of this job, leave it be.
      const row = await this.connection.one(
        'SELECT * FROM revocation_jobs WHERE id = $1 FOR UPDATE SKIP LOCKED',
        [jobId],
        db,
      );
      if (!row) {
        const exists = await this.connection.one('SELECT 1 FROM revocation_jobs WHERE id = $1', [jobId], db);
        return { revoked: 0, done: !exists, claimed: false };
      }
      if (row.claimed_by && row.claimed_by !== claim.owner && row.claimed_until >= now)
        return { revoked: 0, done: false, claimed: false };
      await db.query('UPDATE revocation_jobs SET claimed_by = $1, claimed_until = $2 WHERE id = $3', [
        claim.owner,
        now + claim.leaseMs,
        jobId,
      ]);
      const params = new Params();
      const condition = jobCondition(row, params);
      const cutoff = params.add(row.cutoff);
      const covered = `revoked_at IS NULL AND ${condition} AND seq <= ${cutoff}`;
      const rowParams = [...params.values];
      const revoked =
        (
          await db.query(
            `UPDATE refresh_tokens SET revoked_at = ${params.add(now)}, revoked_reason = ${params.add(row.reason)}
           WHERE seq IN (SELECT seq FROM refresh_tokens WHERE ${covered} LIMIT ${params.add(limit)} FOR UPDATE SKIP LOCKED)`,
            params.values,
          )
        ).rowCount ?? 0;
      // Rows locked by an exchange in flight were skipped: done only when none is left.
      const left = await this.connection.one(`SELECT 1 FROM refresh_tokens WHERE ${covered} LIMIT 1`, rowParams, db);
      if (!left) await db.query('DELETE FROM revocation_jobs WHERE id = $1', [jobId]);
      else
        await db.query('UPDATE revocation_jobs SET revoked_count = revoked_count + $1 WHERE id = $2', [revoked, jobId]);
      return { revoked, done: !left, claimed: true };
    });
  }
}

function jobCondition(row: Row, params: Params): string {
  switch (row.kind as RevocationTarget['kind']) {
    case 'token':
      return `id = ${params.add(row.token_id)}`;
    case 'user':
      return [
        `user_id = ${params.add(row.user_id)}`,
        ...(row.client_id !== null ? [`client_id = ${params.add(row.client_id)}`] : []),
        ...(row.audience !== null ? [`audience = ${params.add(row.audience)}`] : []),
      ].join(' AND ');
    case 'grant':
      return `grant_id = ${params.add(row.grant_id)}`;
    case 'session':
      return `session_id = ${params.add(row.session_id)}`;
    case 'client':
      return [
        `client_id = ${params.add(row.client_id)}`,
        ...(row.audience !== null ? [`audience = ${params.add(row.audience)}`] : []),
      ].join(' AND ');
    case 'device':
      return `user_id = ${params.add(row.user_id)} AND device_name = ${params.add(row.device_name)}`;
  }
}
