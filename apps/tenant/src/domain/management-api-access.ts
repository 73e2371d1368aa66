/**
 * Who may call the Management API, and with which scopes: the rule Auth0 applies.
 *
 * - A machine (client_credentials token: `gty: client-credentials`, `sub: <client_id>@clients`)
 *   holds the scopes of its token that its client grant for the Management API still holds:
 *   narrowing or deleting the grant takes scopes away at once, not when the token expires.
 * - A user (any other token for the Management API audience: password, authorization_code,
 *   refresh_token) holds at most Auth0's `*:current_user*` scopes, and those act on that user
 *   alone. No user flow ever yields an administrative scope, whatever it asks for.
 */

import { issuedUnderCurrentCredentials } from './client-credentials.ts';
import type { ClientRecord } from './model.ts';

/** Auth0's scopes for end users' own data ("Get Management API tokens for single-page applications"). */
export const CURRENT_USER_SCOPES = [
  'read:current_user',
  'update:current_user_identities',
  'create:current_user_metadata',
  'update:current_user_metadata',
  'delete:current_user_metadata',
  'create:current_user_device_credentials',
  'delete:current_user_device_credentials',
] as const;

const CURRENT_USER = new Set<string>(CURRENT_USER_SCOPES);

export const isCurrentUserScope = (scope: string): boolean => CURRENT_USER.has(scope);

export type ManagementCaller =
  | { kind: 'machine'; clientId: string; scopes: Set<string> }
  | { kind: 'user'; userId: string; clientId: string | null; scopes: Set<string> };

export type ManagementCallerRefusal = { refused: 'invalid-token' | 'no-client-grant' };

export interface VerifiedClaims {
  sub?: unknown;
  azp?: unknown;
  gty?: unknown;
  scope?: unknown;
  [claim: string]: unknown;
}

/**
 * Who a verified Management API token speaks for. `clientGrantScopes` looks up the client
 * grant of a machine caller for the Management API (undefined when it has none); `client`, the
 * machine caller's client, whose credentials must not have changed since the token was issued
 * (domain/client-credentials.ts).
 */
export async function managementCaller(
  claims: VerifiedClaims,
  clientGrantScopes: (clientId: string) => Promise<readonly string[] | undefined>,
  client: (clientId: string) => Promise<Pick<ClientRecord, 'credentials_changed_at'> | undefined>,
): Promise<ManagementCaller | ManagementCallerRefusal> {
  const requested = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
  const sub = typeof claims.sub === 'string' ? claims.sub : undefined;
  const azp = typeof claims.azp === 'string' ? claims.azp : undefined;
  if (!sub) return { refused: 'invalid-token' };

  if (claims.gty === 'client-credentials') {
    // The subject of a client_credentials token is its client; anything else is not one.
    if (!azp || sub !== `${azp}@clients`) return { refused: 'invalid-token' };
    const granted = await clientGrantScopes(azp);
    if (!granted) return { refused: 'no-client-grant' };
    // Issued before the client's secret was rotated, its auth method changed, or client_credentials taken away.
    const current = await client(azp);
    if (!current || !issuedUnderCurrentCredentials(claims, current)) return { refused: 'invalid-token' };
    const held = new Set(granted);
    return { kind: 'machine', clientId: azp, scopes: new Set(requested.filter((s) => held.has(s))) };
  }
  // A user flow's token. A `@clients` subject without the grant type is forged or broken.
  if (sub.endsWith('@clients')) return { refused: 'invalid-token' };
  return { kind: 'user', userId: sub, clientId: azp ?? null, scopes: new Set(requested.filter(isCurrentUserScope)) };
}
