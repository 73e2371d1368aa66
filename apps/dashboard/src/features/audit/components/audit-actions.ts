import {
  AUDIT_ACTION_KINDS,
  AUDIT_ACTION_LABELS,
  AUDIT_ACTIONS,
  type AuditAction,
  type AuditKind,
} from '@rtc/contracts/audit';

/** Every audit action with its label, from the contracts' one list (AUDIT_ACTIONS), in its order. */
export const AUDIT_ACTIONS_LIST: [AuditAction, string][] = AUDIT_ACTIONS.map((action) => [
  action,
  AUDIT_ACTION_LABELS[action],
]);

/** The Action filter's groups: changes, reads across users, sign-ins and refusals. */
export const AUDIT_ACTION_GROUPS: { kind: AuditKind; label: string; actions: [AuditAction, string][] }[] = (
  [
    ['change', 'Changes'],
    ['read', 'Reads across users'],
    ['sign_in', 'Sign-ins'],
    ['refusal', 'Refusals'],
  ] as const
).map(([kind, label]) => ({
  kind,
  label,
  actions: AUDIT_ACTIONS_LIST.filter(([action]) => AUDIT_ACTION_KINDS[action] === kind),
}));
