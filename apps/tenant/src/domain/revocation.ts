/** Why a refresh token was revoked, and the bulk revocations the journal carries out. */

export type RevokeReason =
  | 'management_api'
  | 'oauth_revoke'
  | 'grant_deleted'
  | 'session_revoked'
  | 'user_tokens_revoked'
  | 'client_tokens_revoked'
  | 'reuse_detected'
  | 'entity_limit'
  | 'device_unlinked'
  | 'code_reused';

/**
 * A bulk revocation. It takes effect the moment it is journaled: every token it covers is
 * refused from then on, while the rows themselves are marked revoked in the background.
 */
export type RevocationTarget =
  | { kind: 'token'; token_id: string }
  | { kind: 'user'; user_id: string; client_id?: string; audience?: string }
  | { kind: 'grant'; grant_id: string }
  | { kind: 'session'; session_id: string }
  /** Every token of an application, across all users; with `audience`, of that API only. */
  | { kind: 'client'; client_id: string; audience?: string }
  | { kind: 'device'; user_id: string; device_name: string };

export interface RevocationJob {
  id: string;
  target: RevocationTarget;
  reason: RevokeReason;
  requested_at: number;
  /** Filled by the store: tokens issued up to this point of its insertion order are covered. */
  cutoff_seq?: number;
  /**
   * At most this point of the insertion order (a summary's `issued_through`): what a binding
   * preview counted, and no token issued after it, whenever the job is journaled.
   */
  issued_through?: number;
  revoked_count?: number;
  /** The instance working on it, until `claimed_until`. */
  claimed_by?: string | null;
  claimed_until?: number | null;
}

export interface JobClaim {
  owner: string;
  leaseMs: number;
}
