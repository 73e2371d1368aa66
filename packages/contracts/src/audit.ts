/**
 * The audit log's vocabulary. No zod here: the dashboard imports this at run time (its
 * Action and Result filters), the schemas only as types.
 */
export const AUDIT_ACTIONS = [
  'device.unlink',
  'device.lost',
  'grant.revoke',
  'refresh_token.revoke',
  'refresh_tokens.revoke_all',
  'application.revoke_all_tokens',
  'search.revoke_tokens',
  'search.revoke_sessions',
  'search.contain',
  'application.leaked_secret',
  'session.revoke',
  'user.sign_out_everywhere',
  'settings.update',
  'staff.sign_in',
  'staff.sign_out',
  'search.find_tokens',
  'search.find_sessions',
  'search.preview_revoke_tokens',
  'search.preview_revoke_sessions',
  'search.preview_contain',
  'user.preview_action',
  'application.preview_revoke',
  'access.refused',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * What an entry records: a change (a revocation, a setting), a read of data across users (a
 * search, a preview of what an action would revoke), a sign-in or sign-out, or a request
 * refused before it reached any action (the role may not use the route).
 */
export const AUDIT_KINDS = ['change', 'read', 'sign_in', 'refusal'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];
export const AUDIT_ACTION_KINDS: Record<AuditAction, AuditKind> = {
  'device.unlink': 'change',
  'device.lost': 'change',
  'grant.revoke': 'change',
  'refresh_token.revoke': 'change',
  'refresh_tokens.revoke_all': 'change',
  'application.revoke_all_tokens': 'change',
  'search.revoke_tokens': 'change',
  'search.revoke_sessions': 'change',
  'search.contain': 'change',
  'application.leaked_secret': 'change',
  'session.revoke': 'change',
  'user.sign_out_everywhere': 'change',
  'settings.update': 'change',
  'staff.sign_in': 'sign_in',
  'staff.sign_out': 'sign_in',
  'search.find_tokens': 'read',
  'search.find_sessions': 'read',
  'search.preview_revoke_tokens': 'read',
  'search.preview_revoke_sessions': 'read',
  'search.preview_contain': 'read',
  'user.preview_action': 'read',
  'application.preview_revoke': 'read',
  'access.refused': 'refusal',
};
/** Each action in words, for the Action filter, the list and the summaries: a missing one is a type error. */
export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
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
  'user.preview_action': 'Action on a user previewed',
  'application.preview_revoke': 'Application-wide revocation previewed',
  'staff.sign_in': 'Staff signed in',
  'staff.sign_out': 'Staff signed out',
  'access.refused': 'Request refused (403)',
};

export const actionsOfKind = (kind: AuditKind): AuditAction[] =>
  AUDIT_ACTIONS.filter((a) => AUDIT_ACTION_KINDS[a] === kind);

export const AUDIT_RESULTS = ['success', 'failure', 'refused'] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];
