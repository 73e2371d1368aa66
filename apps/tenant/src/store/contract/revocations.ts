import type { AppliedRevocation, RevocationPlan } from '../../domain/revocation-plan.ts';

/** Revocations as the domain plans them (domain/revocation-plan.ts). */
export interface RevocationStore {
  /**
   * Applies the plan in one transaction: its tokens marked revoked (with the plan's reason),
   * its grants deleted and its sessions ended, each of those journaling the revocation of the
   * tokens issued under it, and its bulk revocations journaled. When the plan's target is not as its rule requires
   * (`refusedUnless`), nothing is written and `applied` is false.
   */
  applyRevocationPlan(plan: RevocationPlan, now: number): Promise<AppliedRevocation>;
}
