import type { RefreshTokenPolicy, TenantSettings } from './model.ts';

/**
 * A new tenant. Auth0's 'Revoke Refresh Tokens' page: tenants created after 13 January 2021 start with
 * "Refresh Token Revocation Deletes Grant" off, so /oauth/revoke revokes only the token.
 */
export const DEFAULT_TENANT_SETTINGS: TenantSettings = {
  friendly_name: 'Embedded tenant',
  support_email: null,
  flags: { revoke_refresh_token_grant: false, allow_legacy_delegation_grant_types: false, dpop_require_nonce: false },
  session_lifetime: 72,
  idle_session_lifetime: 24,
};

/** Auth0's defaults for a client's `refresh_token` object; 2592000 s is 30 days. */
export const DEFAULT_REFRESH_TOKEN_POLICY: RefreshTokenPolicy = {
  rotation_type: 'non-rotating',
  expiration_type: 'non-expiring',
  leeway: 0,
  token_lifetime: 2_592_000,
  idle_token_lifetime: 2_592_000,
  infinite_token_lifetime: true,
  infinite_idle_token_lifetime: true,
};

/** Auth0's entity limit: live refresh tokens per user and application. */
export const MAX_ACTIVE_TOKENS_PER_USER_AND_CLIENT = 200;

/**
 * The longest device name a refresh token may carry (the `device` of /authorize and of the
 * password grant, Auth0's limit): every way in refuses a longer one with 400, and the stores
 * refuse to write one (checkDeviceName), so the console can always name a device to unlink it.
 */
export const MAX_DEVICE_NAME_LENGTH = 255;

/** The store's last line: a longer name reaching it is a bug of a way in, never written. */
export function checkDeviceName(deviceName: string | null): void {
  if (deviceName !== null && deviceName.length > MAX_DEVICE_NAME_LENGTH) {
    throw new Error(`device_name must be at most ${MAX_DEVICE_NAME_LENGTH} characters (got ${deviceName.length})`);
  }
}
