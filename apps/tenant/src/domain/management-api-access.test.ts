import { describe, expect, it } from 'vitest';
import { CREDENTIALS_CLAIM } from './client-credentials.ts';
import { CURRENT_USER_SCOPES, isCurrentUserScope, managementCaller } from './management-api-access.ts';

/** The tenant's client grants and clients, as the Management API's lookups return them. */
const GRANTS: Record<string, readonly string[]> = { backoffice: ['read:users', 'delete:refresh_tokens'] };
const CLIENTS: Record<string, { credentials_changed_at?: number }> = {
  backoffice: { credentials_changed_at: 5 },
  orphan: {},
};
const grantOf = async (clientId: string) => GRANTS[clientId];
const clientOf = async (clientId: string) => CLIENTS[clientId];

const caller = (claims: Record<string, unknown>) => managementCaller(claims, grantOf, clientOf);

describe('managementCaller: a machine', () => {
  const machine = { gty: 'client-credentials', sub: 'backoffice@clients', azp: 'backoffice', [CREDENTIALS_CLAIM]: 5 };

  it('holds the scopes of its token that its client grant still holds', async () => {
    const result = await caller({ ...machine, scope: 'read:users delete:users delete:refresh_tokens' });
    expect(result).toEqual({
      kind: 'machine',
      clientId: 'backoffice',
      scopes: new Set(['read:users', 'delete:refresh_tokens']),
    });
  });

  it('is refused without a client grant', async () => {
    expect(
      await caller({ gty: 'client-credentials', sub: 'orphan@clients', azp: 'orphan', scope: 'read:users' }),
    ).toEqual({ refused: 'no-client-grant' });
  });

  it("is refused when its subject is not its client, or the token predates the client's credentials", async () => {
    expect(await caller({ ...machine, sub: 'someone-else@clients' })).toEqual({ refused: 'invalid-token' });
    expect(await caller({ ...machine, azp: undefined })).toEqual({ refused: 'invalid-token' });
    expect(await caller({ ...machine, [CREDENTIALS_CLAIM]: 4 })).toEqual({ refused: 'invalid-token' });
  });
});

describe('managementCaller: a user', () => {
  it('holds at most the current_user scopes, whatever the token asks for', async () => {
    const result = await caller({
      sub: 'auth0|jane',
      azp: 'spa',
      scope: 'read:current_user delete:users read:users delete:current_user_device_credentials',
    });
    expect(result).toEqual({
      kind: 'user',
      userId: 'auth0|jane',
      clientId: 'spa',
      scopes: new Set(['read:current_user', 'delete:current_user_device_credentials']),
    });
  });

  it('has no client when the token names none, and no scopes without a scope claim', async () => {
    expect(await caller({ sub: 'auth0|jane' })).toEqual({
      kind: 'user',
      userId: 'auth0|jane',
      clientId: null,
      scopes: new Set(),
    });
  });

  it("is refused without a subject, or with a machine's subject but no grant type", async () => {
    expect(await caller({ scope: 'read:current_user' })).toEqual({ refused: 'invalid-token' });
    expect(await caller({ sub: 42 })).toEqual({ refused: 'invalid-token' });
    expect(await caller({ sub: 'backoffice@clients', azp: 'backoffice', scope: 'read:users' })).toEqual({
      refused: 'invalid-token',
    });
  });
});

describe('current_user scopes', () => {
  it("are Auth0's seven, and nothing administrative", () => {
    expect(CURRENT_USER_SCOPES).toHaveLength(7);
    expect(CURRENT_USER_SCOPES.every(isCurrentUserScope)).toBe(true);
    expect(['read:users', 'delete:device_credentials', 'read:current_user_x'].some(isCurrentUserScope)).toBe(false);
  });
});
