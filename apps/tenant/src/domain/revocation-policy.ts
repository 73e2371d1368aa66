import type { RefreshTokenRecord, TenantFlags } from './model.ts';

/** The ways in by which one refresh token is revoked on request. */
export type RevocationWayIn =
  /** POST /oauth/revoke, by the application that holds it. */
  | 'oauth_revoke'
  /** DELETE /api/v2/device-credentials/:id: unlinking a device, from the Dashboard or the Management API. */
  | 'device_unlinked';

/**
 * Reference 002, "Refresh Token Revocation Deletes Grant": with the tenant flag on, revoking
 * a token also deletes its grant (and with it every refresh token of that user, application
 * and audience on every device). Auth0 applies the flag to each of these ways in.
 */
const FLAG_APPLIES: Record<RevocationWayIn, boolean> = {
  oauth_revoke: true,
  device_unlinked: true,
};

/** The grant to delete along with a revoked token, or null to leave the grant. */
export function grantDeletedWith(token: Pick<RefreshTokenRecord, 'grant_id'>, way: RevocationWayIn, flags: Pick<TenantFlags, 'revoke_refresh_token_grant'>): string | null {
  return FLAG_APPLIES[way] && flags.revoke_refresh_token_grant ? token.grant_id : null;
}
