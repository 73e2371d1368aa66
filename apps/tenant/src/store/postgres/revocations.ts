import type { Queryable } from '@rtc/db/postgres';
import { ids } from '../../domain/ids.ts';
import type { TenantEvent } from '../../domain/model.ts';
import type { AppliedRevocation, RevocationPlan } from '../../domain/revocation-plan.ts';
import type { RevocationStore } from '../contract/revocations.ts';
import { prepared, type PostgresConnection, type PreparedSql } from './connection.ts';
import { insertEvent } from './events.ts';
import type { PostgresRevocationJournal } from './revocation-journal.ts';

const NOTHING: AppliedRevocation = { applied: false, revokedTokenIds: [], deletedGrantIds: [], endedSessionIds: [] };

/** Revocation plans, each in one transaction: the target locked and checked, then every write. */
export class PostgresRevocations implements RevocationStore {
  constructor(
    private readonly connection: PostgresConnection,
    private readonly journal: PostgresRevocationJournal,
  ) {}

  async applyRevocationPlan(
    plan: RevocationPlan,
    now: number,
    logEntry?: (applied: AppliedRevocation) => TenantEvent | undefined,
  ): Promise<AppliedRevocation> {
    // Tokens alone (/oauth/revoke with the flag off, the bulk revocation by ids): one statement,
    // atomic by itself, without a transaction's two extra round trips.
    if (
      plan.refusedUnless === null &&
      plan.grantIds.length === 0 &&
      plan.sessionIds.length === 0 &&
      plan.journal.length === 0
    ) {
      const applied: AppliedRevocation = {
        applied: true,
        revokedTokenIds: await this.markTokens(this.connection.pool, plan, now),
        deletedGrantIds: [],
        endedSessionIds: [],
      };
      // The entry follows the statement, as a log line follows what it records.
      const entry = logEntry?.(applied);
      if (entry) await insertEvent(this.connection.pool, entry);
      return applied;
    }
    return this.connection.tx(async (db) => {
      if (!(await this.targetAsRequired(db, plan))) {
        const entry = logEntry?.(NOTHING);
        if (entry) await insertEvent(db, entry);
        return NOTHING;
      }
      const revokedTokenIds = await this.markTokens(db, plan, now);
      const deletedGrantIds: string[] = [];
      for (const id of plan.grantIds) {
        if (!(await this.connection.one('DELETE FROM grants WHERE id = $1 RETURNING id', [id], db))) continue;
        await this.journal.insertJob(db, {
          id: ids.revocationJob(now),
          target: { kind: 'grant', grant_id: id },
          reason: 'grant_deleted',
          requested_at: now,
        });
        deletedGrantIds.push(id);
      }
      const endedSessionIds: string[] = [];
      for (const id of plan.sessionIds) {
        if (
          !(await this.connection.one(
            'UPDATE sessions SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 RETURNING id',
            [now, id],
            db,
          ))
        )
          continue;
        await this.journal.insertJob(db, {
          id: ids.revocationJob(now),
          target: { kind: 'session', session_id: id },
          reason: 'session_revoked',
          requested_at: now,
        });
        endedSessionIds.push(id);
      }
      for (const { target, issuedThrough } of plan.journal) {
        await this.journal.insertJob(db, {
          id: ids.revocationJob(now),
          target,
          reason: plan.reason,
          requested_at: now,
          ...(issuedThrough !== undefined ? { issued_through: issuedThrough } : {}),
        });
      }
      const applied = { applied: true, revokedTokenIds, deletedGrantIds, endedSessionIds };
      const entry = logEntry?.(applied);
      if (entry) await insertEvent(db, entry);
      return applied;
    });
  }

  private async markTokens(db: Queryable, plan: RevocationPlan, now: number): Promise<string[]> {
    if (plan.tokenIds.length === 0) return [];
    const rows = await this.connection.all(MARK_TOKENS, [now, plan.reason, plan.tokenIds], db);
    return rows.map((r) => r.id as string);
  }

  /** Reads the target under a row lock, so a concurrent revocation of it waits and then sees it gone. */
  private async targetAsRequired(db: Queryable, plan: RevocationPlan): Promise<boolean> {
    if (plan.refusedUnless === null) return true;
    if (plan.refusedUnless === 'live' && plan.tokenIds.length > 1) {
      // Every token named (a device's, unlinked at once), locked: one revoked since it was read refuses the whole plan.
      const sql = 'SELECT id FROM refresh_tokens WHERE id = ANY($1) AND revoked_at IS NULL ORDER BY id FOR UPDATE';
      const rows = await this.connection.all(sql, [plan.tokenIds], db);
      return rows.length === new Set(plan.tokenIds).size;
    }
    const [table, id] =
      plan.tokenIds[0] !== undefined
        ? (['refresh_tokens', plan.tokenIds[0]] as const)
        : plan.grantIds[0] !== undefined
          ? (['grants', plan.grantIds[0]] as const)
          : (['sessions', plan.sessionIds[0]] as const);
    if (id === undefined) return false;
    const live = plan.refusedUnless === 'live' && table !== 'grants';
    return (await this.connection.one(TARGET_LOCKED[`${table}${live ? '_live' : ''}`]!, [id], db)) !== undefined;
  }
}

/** What `/oauth/revoke` runs on every call: prepared once per connection. */
const MARK_TOKENS = prepared(
  'mark_tokens_revoked',
  'UPDATE refresh_tokens SET revoked_at = $1, revoked_reason = $2 WHERE id = ANY($3) AND revoked_at IS NULL RETURNING id',
);
/** A revocation's target, read under its row lock (live: not revoked). */
const TARGET_LOCKED: Record<string, PreparedSql> = Object.fromEntries(
  ['refresh_tokens', 'refresh_tokens_live', 'grants', 'sessions', 'sessions_live'].map((key) => {
    const [table, live] = key.endsWith('_live')
      ? [key.slice(0, -'_live'.length), ' AND revoked_at IS NULL']
      : [key, ''];
    return [key, prepared(`target_locked_${key}`, `SELECT 1 AS found FROM ${table} WHERE id = $1${live} FOR UPDATE`)];
  }),
);
