import { describe, expect, it } from 'vitest';
import { consoleRoleOf } from './staff-role.ts';

const CLAIM = 'https://refresh-token-console/roles';
const withClaims = (custom_claims: unknown) => ({ app_metadata: { custom_claims } });

describe('consoleRoleOf', () => {
  it('reads the role from the claim the tenant keeps in app_metadata.custom_claims', () => {
    expect(consoleRoleOf(withClaims({ [CLAIM]: 'support' }), CLAIM)).toBe('support');
    expect(consoleRoleOf(withClaims({ [CLAIM]: ['viewer'] }), CLAIM)).toBe('viewer');
  });

  it('shows the highest of several roles', () => {
    expect(consoleRoleOf(withClaims({ [CLAIM]: ['viewer', 'admin', 'support'] }), CLAIM)).toBe('admin');
    expect(consoleRoleOf(withClaims({ [CLAIM]: ['support', 'viewer'] }), CLAIM)).toBe('support');
  });

  it('marks no role for values that are not console roles', () => {
    expect(consoleRoleOf(withClaims({ [CLAIM]: 'owner' }), CLAIM)).toBeNull();
    expect(consoleRoleOf(withClaims({ [CLAIM]: ['Admin'] }), CLAIM)).toBeNull();
    expect(consoleRoleOf(withClaims({ [CLAIM]: [] }), CLAIM)).toBeNull();
    expect(consoleRoleOf(withClaims({ [CLAIM]: { admin: true } }), CLAIM)).toBeNull();
  });

  it('reads only the configured claim, not one of another name', () => {
    expect(consoleRoleOf(withClaims({ roles: 'admin' }), CLAIM)).toBeNull();
    expect(consoleRoleOf(withClaims({ 'https://other-console/roles': 'admin' }), 'https://other-console/roles')).toBe(
      'admin',
    );
  });

  it('reads the claim under custom_claims only, not at the top of app_metadata', () => {
    expect(consoleRoleOf({ app_metadata: { [CLAIM]: 'admin' } }, CLAIM)).toBeNull();
  });

  it('marks no role, rather than failing, on an end user without metadata or with malformed metadata', () => {
    expect(consoleRoleOf({}, CLAIM)).toBeNull();
    expect(consoleRoleOf({ app_metadata: null }, CLAIM)).toBeNull();
    expect(consoleRoleOf({ app_metadata: 'admin' }, CLAIM)).toBeNull();
    expect(consoleRoleOf({ app_metadata: {} }, CLAIM)).toBeNull();
    expect(consoleRoleOf(withClaims(null), CLAIM)).toBeNull();
    expect(consoleRoleOf(withClaims('admin'), CLAIM)).toBeNull();
  });
});
