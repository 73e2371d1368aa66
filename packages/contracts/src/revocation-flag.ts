/**
 * Auth0's tenant flag "Refresh Token Revocation Deletes Grant", the one statement of which ways
 * in it governs. The tenant plans every revocation with it (apps/tenant/src/domain/
 * revocation-plan.ts); the console previews an unlink with it, before acting, against the
 * embedded tenant or a real Auth0 tenant alike, since this is the rule as Auth0 documents it
 * ("Revoke Refresh Tokens": "Enable the toggle to delete the underlying grant when you revoke
 * the refresh token", and "when a device is unlinked from a user in Auth0, using either the
 * Dashboard or the Management API").
 */
export const FLAG_GOVERNED_WAYS_IN = {
  /** POST /oauth/revoke. */
  oauth_revoke: true,
  /** DELETE /api/v2/device-credentials/{id}: unlinking a device. */
  device_unlinked: true,
} as const;

export type FlagGovernedWayIn = keyof typeof FLAG_GOVERNED_WAYS_IN;

/**
 * Whether revoking a refresh token this way also deletes its grant, and with it every refresh
 * token of that user, application and audience on every device.
 */
export function revocationDeletesGrant(wayIn: string, flags: { revoke_refresh_token_grant: boolean }): boolean {
  return Object.hasOwn(FLAG_GOVERNED_WAYS_IN, wayIn) && flags.revoke_refresh_token_grant;
}
