import type { TenantEvent } from '../../domain/model.ts';
import type { AppliedRevocation, RevocationPlan } from '../../domain/revocation-plan.ts';

/** Revocations as the domain plans them (domain/revocation-plan.ts). */
export interface RevocationStore {
  /**
   * Applies the plan in one transaction: its tokens marked revoked (with the plan's reason),
   * its grants deleted and its sessions ended, each of those journaling the revocation of the
   * tokens issued under it, and its bulk revocations journaled. When the plan's target is not as its rule requires
   * (`refusedUnless`), nothing is written and `applied` is false.
   *
   * `logEntry`, given what was applied, returns the tenant log entry to write with it (or
   * nothing). SQLite writes it in the plan's own transaction, so the entry shares the group's
   * one fsync instead of costing a commit of its own; PostgreSQL writes it in the plan's
   * transaction, or right after the plan's single statement when the plan needs none.
   */
  applyRevocationPlan(
    plan: RevocationPlan,
    now: number,
    logEntry?: (applied: AppliedRevocation) => TenantEvent | undefined,
  ): Promise<AppliedRevocation>;
}
