import type { AuditAction, AuditEntry, StaffAttribution } from '@rtc/contracts';

/**
 * A console action is audited once the tenant answered, so its entry comes after what the
 * tenant recorded; a journaled revocation's rows may be marked a little after too. An audit
 * entry further than this from the tenant's record is never taken as its cause.
 */
export const NEAR_MS = 120_000;

/**
 * The console's actions that revoke every token of a user or of an application with this
 * tenant reason, and so need not name each token. Every other console revocation names its
 * token and session ids in the entry's detail.
 */
const WHOLE_TARGET: Record<string, { of: 'user' | 'application'; actions: readonly AuditAction[] }> = {
  user_tokens_revoked: { of: 'user', actions: ['user.sign_out_everywhere', 'refresh_tokens.revoke_all'] },
  client_tokens_revoked: { of: 'application', actions: ['application.revoke_all_tokens', 'application.leaked_secret'] },
};

/** The console's actions that revoke across users, found by the ids they name, not by user. */
export const CROSS_USER_REVOCATIONS: readonly AuditAction[] = [
  'application.revoke_all_tokens',
  'application.leaked_secret',
  'search.revoke_tokens',
  'search.revoke_sessions',
  'search.contain',
];

/** What the tenant recorded: the ids it names, when, why (its `revoked_reason`, when it says), and whose. */
export interface TenantRecord {
  ids: (string | null)[];
  at: string | null;
  reason?: string | null;
  userId: string;
  clientId?: string | null;
}

/** Every word of an entry's detail or target that could be an id: exact matches only, never a part of one. */
const wordsOf = (text: string) => new Set(text.split(/[\s,;:()"'[\]]+/).filter(Boolean));

function staffOf(entry: AuditEntry): StaffAttribution {
  return { audit_id: entry.id, name: entry.actor.name, role: entry.actor.role, action: entry.action, at: entry.at };
}

/**
 * Who on the staff caused what the tenant recorded, or null, "unknown": the audit entry that
 * names one of its ids; else, for a revocation of a user's or an application's every token,
 * the one such console action on that user or application near it, when every such action
 * near it was the same person's. Anything else (another tool, the Management API called
 * directly, two people at once) is unknown rather than a guess at the nearest name.
 */
export function attributeToStaff(audits: AuditEntry[], record: TenantRecord): StaffAttribution | null {
  const t = record.at ? Date.parse(record.at) : Number.NaN;
  const near = (a: AuditEntry) => !Number.isNaN(t) && Math.abs(Date.parse(a.at) - t) <= NEAR_MS;
  const byNearness = (a: AuditEntry, b: AuditEntry) => Math.abs(Date.parse(a.at) - t) - Math.abs(Date.parse(b.at) - t);

  const ids = record.ids.filter((id): id is string => !!id);
  const naming = audits.filter((a) => {
    const words = wordsOf(a.detail);
    return ids.some((id) => words.has(id));
  });
  if (naming.length) return staffOf(Number.isNaN(t) ? naming[0]! : naming.sort(byNearness)[0]!);

  const whole = record.reason ? WHOLE_TARGET[record.reason] : undefined;
  if (!whole) return null;
  const candidates = audits.filter(
    (a) =>
      whole.actions.includes(a.action as AuditAction) &&
      near(a) &&
      (whole.of === 'user'
        ? a.target_user_id === record.userId
        : !!record.clientId && wordsOf(`${a.target} ${a.detail}`).has(record.clientId)),
  );
  if (!candidates.length || new Set(candidates.map((a) => a.actor.sub)).size > 1) return null;
  return staffOf(candidates.sort(byNearness)[0]!);
}
