import type { DpopProofStore } from '../contract/dpop-proofs.ts';
import type { PostgresConnection } from './connection.ts';

/** DPoP proofs seen, in the database every instance shares: a replay to any of them is refused. */
export class PostgresDpopProofs implements DpopProofStore {
  constructor(private readonly connection: PostgresConnection) {}

  async rememberDpopProof(jtiHash: Buffer, expiresAt: number, now: number): Promise<boolean> {
    // An expired row of the same hash is taken over; a live one is a replay and changes nothing.
    const result = await this.connection.pool.query(
      `INSERT INTO dpop_proofs (jti_hash, expires_at) VALUES ($1, $2)
       ON CONFLICT (jti_hash) DO UPDATE SET expires_at = excluded.expires_at WHERE dpop_proofs.expires_at <= $3`,
      [jtiHash, expiresAt, now],
    );
    return result.rowCount === 1;
  }

  async sweepDpopProofs(now: number, limit: number): Promise<number> {
    const result = await this.connection.pool.query(
      'DELETE FROM dpop_proofs WHERE jti_hash IN (SELECT jti_hash FROM dpop_proofs WHERE expires_at <= $1 LIMIT $2)',
      [now, limit],
    );
    return result.rowCount ?? 0;
  }
}
