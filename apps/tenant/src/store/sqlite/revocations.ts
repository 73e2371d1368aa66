import { ids } from '../../domain/ids.ts';
import type { TenantEvent } from '../../domain/model.ts';
import type { AppliedRevocation, RevocationPlan } from '../../domain/revocation-plan.ts';
import type { RevocationStore } from '../contract/revocations.ts';
import type { SqliteConnection } from './connection.ts';
import { insertEvent } from './events.ts';
import { type GroupRequest, TurnGroups } from './turn-groups.ts';
import type { SqliteRevocationJournal } from './revocation-journal.ts';

/** A plan waiting for its group's commit. */
interface PendingPlan {
  plan: RevocationPlan;
  now: number;
  logEntry: ((applied: AppliedRevocation) => TenantEvent | undefined) | undefined;
}

const NOTHING: AppliedRevocation = { applied: false, revokedTokenIds: [], deletedGrantIds: [], endedSessionIds: [] };

/**
 * Revocation plans, applied in group commits: plans asked for in the same turn of the event
 * loop share one transaction and one fsync, each checked and applied on its own inside it, so
 * one refused plan writes nothing of its own and leaves the others be. The transaction is
 * written to the WAL on the event loop; its fsync runs on the thread pool (`syncWal`), and
 * each plan is answered only once it is done: as durable as synchronous=FULL, without holding
 * every other request while the disk works.
 */
export class SqliteRevocations implements RevocationStore {
  private readonly groups = new TurnGroups<PendingPlan, AppliedRevocation>((group) => this.commit(group));

  constructor(
    private readonly connection: SqliteConnection,
    private readonly journal: SqliteRevocationJournal,
  ) {}

  applyRevocationPlan(
    plan: RevocationPlan,
    now: number,
    logEntry?: (applied: AppliedRevocation) => TenantEvent | undefined,
  ): Promise<AppliedRevocation> {
    return this.groups.ask({ plan, now, logEntry });
  }

  private commit(group: GroupRequest<PendingPlan, AppliedRevocation>[]): void {
    let results: AppliedRevocation[];
    try {
      results = this.connection.walOnlyTx(() =>
        group.map(({ item: { plan, now, logEntry } }) => {
          const applied = this.apply(plan, now);
          // The log entry rides in the group's transaction: one fsync for the plan and its entry.
          const entry = logEntry?.(applied);
          if (entry) insertEvent(this.connection, entry);
          return applied;
        }),
      );
    } catch (err) {
      for (const request of group) request.fail(err);
      return;
    }
    this.connection.syncWal().then(
      () => {
        for (const [i, request] of group.entries()) request.done(results[i]!);
      },
      (err: unknown) => {
        for (const request of group) request.fail(err);
      },
    );
  }

  /** One plan, inside the group's transaction: the target's precondition is read before the first write. */
  private apply(plan: RevocationPlan, now: number): AppliedRevocation {
    if (!this.targetAsRequired(plan)) return NOTHING;
    const markToken = this.connection.q(
      'UPDATE refresh_tokens SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL',
    );
    const revokedTokenIds = plan.tokenIds.filter((id) => markToken.run(now, plan.reason, id).changes > 0);
    const deletedGrantIds = plan.grantIds.filter((id) => {
      if (this.connection.q('DELETE FROM grants WHERE id = ?').run(id).changes === 0) return false;
      this.journal.insertJob({
        id: ids.revocationJob(now),
        target: { kind: 'grant', grant_id: id },
        reason: 'grant_deleted',
        requested_at: now,
      });
      return true;
    });
    const endedSessionIds = plan.sessionIds.filter((id) => {
      if (
        this.connection.q('UPDATE sessions SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?').run(now, id)
          .changes === 0
      )
        return false;
      this.journal.insertJob({
        id: ids.revocationJob(now),
        target: { kind: 'session', session_id: id },
        reason: 'session_revoked',
        requested_at: now,
      });
      return true;
    });
    for (const { target, issuedThrough } of plan.journal) {
      this.journal.insertJob({
        id: ids.revocationJob(now),
        target,
        reason: plan.reason,
        requested_at: now,
        ...(issuedThrough !== undefined ? { issued_through: issuedThrough } : {}),
      });
    }
    return { applied: true, revokedTokenIds, deletedGrantIds, endedSessionIds };
  }

  private targetAsRequired(plan: RevocationPlan): boolean {
    if (plan.refusedUnless === null) return true;
    if (plan.refusedUnless === 'live' && plan.tokenIds.length > 0) {
      // Every token named (a device's, unlinked at once): one revoked since it was read refuses the whole plan.
      const live = this.connection.q('SELECT 1 FROM refresh_tokens WHERE id = ? AND revoked_at IS NULL');
      return plan.tokenIds.every((id) => live.get(id) !== undefined);
    }
    const [table, id] =
      plan.tokenIds[0] !== undefined
        ? (['refresh_tokens', plan.tokenIds[0]] as const)
        : plan.grantIds[0] !== undefined
          ? (['grants', plan.grantIds[0]] as const)
          : (['sessions', plan.sessionIds[0]] as const);
    if (id === undefined) return false;
    const live = plan.refusedUnless === 'live' && table !== 'grants' ? ' AND revoked_at IS NULL' : '';
    return this.connection.q(`SELECT 1 FROM ${table} WHERE id = ?${live}`).get(id) !== undefined;
  }
}
