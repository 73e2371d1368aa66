import type { AuditAction } from '@rtc/contracts';

/** The audit actions with their labels, in menu order. */
export const AUDIT_ACTIONS_LIST: [AuditAction, string][] = [
  ['device.unlink', 'Device unlinked'],
  ['device.lost', 'Device lost or stolen'],
  ['grant.revoke', 'Authorized application revoked'],
  ['refresh_token.revoke', 'Refresh token revoked'],
  ['refresh_tokens.revoke_all', 'Refresh tokens revoked in bulk'],
  ['session.revoke', 'Session revoked'],
  ['search.revoke_tokens', 'Refresh tokens revoked from a search'],
  ['search.revoke_sessions', 'Sessions ended from a search'],
  ['settings.update', 'Tenant setting changed'],
  ['staff.sign_in', 'Staff signed in'],
  ['staff.sign_out', 'Staff signed out'],
];
