import { describe, expect, it } from 'vitest';
import {
  CREDENTIALS_CLAIM,
  credentialsChanged,
  issuedUnderCurrentCredentials,
  stampCredentials,
} from './client-credentials.ts';
import { DEFAULT_REFRESH_TOKEN_POLICY } from './defaults.ts';
import type { ClientRecord } from './model.ts';

const T0 = Date.UTC(2026, 0, 1);
const machine: ClientRecord = {
  client_id: 'm2m',
  name: 'Back office',
  description: '',
  app_type: 'non_interactive',
  client_secret_hash: Buffer.from('a'.repeat(32)),
  token_endpoint_auth_method: 'client_secret_post',
  callbacks: [],
  allowed_logout_urls: [],
  grant_types: ['client_credentials'],
  refresh_token: DEFAULT_REFRESH_TOKEN_POLICY,
  is_first_party: true,
  created_at: T0,
  updated_at: T0,
};

describe('credentialsChanged', () => {
  it('is false for an edit that leaves what vouches for the client alone', () => {
    expect(
      credentialsChanged(machine, {
        ...machine,
        name: 'Renamed',
        client_secret_hash: Buffer.from('a'.repeat(32)),
        grant_types: ['client_credentials', 'refresh_token'],
      }),
    ).toBe(false);
  });

  it('is true for another secret, a secret taken away or given, another auth method, or client_credentials taken away', () => {
    expect(credentialsChanged(machine, { ...machine, client_secret_hash: Buffer.from('b'.repeat(32)) })).toBe(true);
    expect(credentialsChanged(machine, { ...machine, client_secret_hash: null })).toBe(true);
    expect(credentialsChanged({ ...machine, client_secret_hash: null }, machine)).toBe(true);
    expect(credentialsChanged(machine, { ...machine, token_endpoint_auth_method: 'client_secret_basic' })).toBe(true);
    expect(credentialsChanged(machine, { ...machine, grant_types: ['refresh_token'] })).toBe(true);
  });

  it('is false when client_credentials is given, not taken away', () => {
    expect(credentialsChanged({ ...machine, grant_types: [] }, machine)).toBe(false);
  });
});

describe('stampCredentials', () => {
  it('leaves an unchanged client unstamped', () => {
    const after = { ...machine, name: 'Renamed' };
    expect(stampCredentials(machine, after, T0 + 5)).toBe(after);
  });

  it('stamps a change with now, and two changes in one millisecond with strictly increasing values', () => {
    const once = stampCredentials(machine, { ...machine, client_secret_hash: Buffer.from('b'.repeat(32)) }, T0 + 5);
    expect(once.credentials_changed_at).toBe(T0 + 5);
    const twice = stampCredentials(once, { ...once, client_secret_hash: Buffer.from('c'.repeat(32)) }, T0 + 5);
    expect(twice.credentials_changed_at).toBe(T0 + 6);
  });
});

describe('issuedUnderCurrentCredentials', () => {
  it('accepts a token without the claim only while the client never changed', () => {
    expect(issuedUnderCurrentCredentials({}, {})).toBe(true);
    expect(issuedUnderCurrentCredentials({}, { credentials_changed_at: T0 })).toBe(false);
  });

  it("accepts a token only while its stamp equals the client's", () => {
    expect(issuedUnderCurrentCredentials({ [CREDENTIALS_CLAIM]: T0 }, { credentials_changed_at: T0 })).toBe(true);
    expect(issuedUnderCurrentCredentials({ [CREDENTIALS_CLAIM]: T0 }, { credentials_changed_at: T0 + 1 })).toBe(false);
    expect(issuedUnderCurrentCredentials({ [CREDENTIALS_CLAIM]: String(T0) }, { credentials_changed_at: T0 })).toBe(
      false,
    );
  });
});
