import { describe, expect, it } from 'vitest';
import {
  checkDeviceName,
  DEFAULT_REFRESH_TOKEN_POLICY,
  DEFAULT_TENANT_SETTINGS,
  MAX_DEVICE_NAME_LENGTH,
} from './defaults.ts';

describe('a new tenant', () => {
  it('starts with "Refresh Token Revocation Deletes Grant" off, as Auth0 tenants created after January 2021 do', () => {
    expect(DEFAULT_TENANT_SETTINGS.flags.revoke_refresh_token_grant).toBe(false);
  });

  it("gives a client Auth0's refresh token defaults: non-rotating, non-expiring, 30-day lifetimes", () => {
    expect(DEFAULT_REFRESH_TOKEN_POLICY).toMatchObject({
      rotation_type: 'non-rotating',
      expiration_type: 'non-expiring',
      token_lifetime: 30 * 86_400,
      idle_token_lifetime: 30 * 86_400,
    });
  });
});

describe('checkDeviceName', () => {
  it('accepts no name and a name of the limit', () => {
    expect(() => checkDeviceName(null)).not.toThrow();
    expect(() => checkDeviceName('x'.repeat(MAX_DEVICE_NAME_LENGTH))).not.toThrow();
  });

  it('refuses a name one character longer, saying both lengths', () => {
    expect(() => checkDeviceName('x'.repeat(MAX_DEVICE_NAME_LENGTH + 1))).toThrow(
      `device_name must be at most ${MAX_DEVICE_NAME_LENGTH} characters (got ${MAX_DEVICE_NAME_LENGTH + 1})`,
    );
  });
});
