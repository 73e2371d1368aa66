import {
  AUDIT_ACTION_KINDS,
  type AuditAction,
  type AuditEntry,
  type AuditQuery,
  type AuditResult,
  type Role,
} from '@rtc/contracts';

export interface NewAuditEntry {
  /** role null: a sign-in refused for want of a console role. */
  actor: { sub: string; name: string; role: Role | null };
  action: AuditAction;
  target_user_id: string | null;
  target: string;
  result: AuditResult;
  detail: string;
  request_id: string;
}

/** The audit query, and `user_ids`: entries about any of these users (a name or email fragment's matches). */
export type AuditListQuery = AuditQuery & {
  user_ids?: string[];
  /** With `user_id`: also the application-wide revocations of these applications (they touched the user). */
  with_applications?: string[];
};

/**
 * The BFF's own storage: the audit log, and the sessions ended by sign-out (a sealed cookie
 * cannot be recalled, so a signed-out session id is refused until it would have expired).
 */
export interface BffStore {
  recordAudit(entry: NewAuditEntry, at: number): Promise<AuditEntry>;
  listAudit(query: AuditListQuery): Promise<{ entries: AuditEntry[]; total: number }>;
  endSession(sid: string, expiresAt: number): Promise<void>;
  isSessionEnded(sid: string, now: number): Promise<boolean>;
  close(): Promise<void>;
}

/** An audit_log row as both stores read it; `at` is a string when PostgreSQL returns a BIGINT. */
export interface AuditRow {
  id: string;
  at: number | string;
  actor_sub: string;
  actor_name: string;
  actor_role: AuditEntry['actor']['role'];
  action: AuditAction;
  target_user_id: string | null;
  target: string;
  result: AuditEntry['result'];
  detail: string;
  request_id: string;
}

/** An audit row, as both stores keep it, to the API's entry. */
export function toAuditEntry(r: AuditRow): AuditEntry {
  return {
    id: r.id,
    at: new Date(Number(r.at)).toISOString(),
    actor: { sub: r.actor_sub, name: r.actor_name, role: r.actor_role },
    action: r.action,
    kind: AUDIT_ACTION_KINDS[r.action],
    target_user_id: r.target_user_id,
    target: r.target,
    result: r.result,
    detail: r.detail,
    request_id: r.request_id,
  };
}

/** A recorded entry as the API answers it, from what was written. */
export const recordedEntry = (id: string, at: number, entry: NewAuditEntry): AuditEntry => ({
  id,
  at: new Date(at).toISOString(),
  ...entry,
  kind: AUDIT_ACTION_KINDS[entry.action],
});
