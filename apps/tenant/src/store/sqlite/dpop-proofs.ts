import type { DpopProofStore } from '../contract/dpop-proofs.ts';
import type { SqliteConnection } from './connection.ts';

/** DPoP proofs seen, in the tenant's file: every worker on it refuses a replay. */
export class SqliteDpopProofs implements DpopProofStore {
  constructor(private readonly connection: SqliteConnection) {}

  async rememberDpopProof(jtiHash: Buffer, expiresAt: number, now: number): Promise<boolean> {
    // An expired row of the same hash is taken over; a live one is a replay and changes nothing.
    const { changes } = this.connection.tx(() =>
      this.connection
        .q(`INSERT INTO dpop_proofs (jti_hash, expires_at) VALUES (?, ?)
            ON CONFLICT (jti_hash) DO UPDATE SET expires_at = excluded.expires_at WHERE dpop_proofs.expires_at <= ?`)
        .run(jtiHash, expiresAt, now),
    );
    return changes === 1;
  }

  async sweepDpopProofs(now: number, limit: number): Promise<number> {
    return this.connection.tx(
      () =>
        this.connection
          .q(
            'DELETE FROM dpop_proofs WHERE jti_hash IN (SELECT jti_hash FROM dpop_proofs WHERE expires_at <= ? LIMIT ?)',
          )
          .run(now, limit).changes,
    );
  }
}
