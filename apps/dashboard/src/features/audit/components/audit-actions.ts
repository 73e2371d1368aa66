import { AUDIT_ACTION_KINDS, type AuditAction, type AuditKind } from '@rtc/contracts/audit';

/** The audit actions with their labels, in menu order (every action: the Record makes a missing one a type error). */
const LABELS: Record<AuditAction, string> = {
  'device.unlink': 'Device unlinked',
  'device.lost': 'Device lost or stolen',
  'grant.revoke': 'Authorized application revoked',
  'refresh_token.revoke': 'Refresh token revoked',
  'refresh_tokens.revoke_all': 'Refresh tokens revoked in bulk',
  'session.revoke': 'Session revoked',
  'user.sign_out_everywhere': 'Signed out everywhere',
  'application.revoke_all_tokens': 'Application-wide revocation',
  'search.revoke_tokens': 'Refresh tokens revoked from a search',
  'search.revoke_sessions': 'Sessions ended from a search',
  'search.contain': 'Address contained (tokens revoked, sessions ended)',
  'application.leaked_secret': 'Leaked secret: tokens revoked, secret rotated',
  'settings.update': 'Tenant setting changed',
  'search.find_tokens': 'Refresh tokens searched across users',
  'search.find_sessions': 'Sessions searched across users',
  'search.preview_revoke_tokens': 'Search revocation previewed',
  'search.preview_revoke_sessions': 'Search session ending previewed',
  'search.preview_contain': 'Containment previewed',
  'user.preview_action': "Action on a user previewed",
  'application.preview_revoke': 'Application-wide revocation previewed',
  'staff.sign_in': 'Staff signed in',
  'staff.sign_out': 'Staff signed out',
  'access.refused': 'Request refused (403)',
};

export const AUDIT_ACTIONS_LIST: [AuditAction, string][] = Object.entries(LABELS) as [AuditAction, string][];

/** The Action filter's groups: changes, reads across users, sign-ins and refusals. */
export const AUDIT_ACTION_GROUPS: { kind: AuditKind; label: string; actions: [AuditAction, string][] }[] = (
  [
    ['change', 'Changes'],
    ['read', 'Reads across users'],
    ['sign_in', 'Sign-ins'],
    ['refusal', 'Refusals'],
  ] as const
).map(([kind, label]) => ({ kind, label, actions: AUDIT_ACTIONS_LIST.filter(([action]) => AUDIT_ACTION_KINDS[action] === kind) }));
