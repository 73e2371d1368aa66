/**
 * DPoP proofs seen (RFC 9449 section 11.1), so that one is accepted once across every worker
 * and instance. A proof is known by a hash (`jtiKey` in domain/dpop-proof.ts), never kept whole.
 */
export interface DpopProofStore {
  /**
   * Remembers a proof until `expiresAt` (ms). False when it is already remembered and not yet
   * expired: a replay. Atomic: of two concurrent calls with one hash, exactly one gets true.
   */
  rememberDpopProof(jtiHash: Buffer, expiresAt: number, now: number): Promise<boolean>;
  /** Forgets proofs expired at `now`, at most `limit` of them; answers how many. */
  sweepDpopProofs(now: number, limit: number): Promise<number>;
}
