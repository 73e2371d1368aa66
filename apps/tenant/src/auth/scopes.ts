import { isCurrentUserScope } from '../domain/management-api-access.ts';
import type { ResourceServerRecord } from '../domain/model.ts';

/** Scopes OpenID Connect defines; allowed whatever the audience. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

export const parseScope = (scope: string | undefined): string[] =>
  scope ? [...new Set(scope.split(' ').filter(Boolean))] : [];

/**
 * The scopes a user flow (authorization code, password, refresh) may be granted: OIDC scopes,
 * plus those the API defines. Auth0 silently drops requested scopes an API does not define;
 * so do we. For the Management API (a system API) a user flow gets at most the
 * `*:current_user*` scopes, never an administrative one: those need client_credentials.
 */
export function grantableScopes(requested: string[], api: ResourceServerRecord | undefined): string[] {
  const apiScopes = new Set(api?.scopes.map((s) => s.value) ?? []);
  const forUsers = api?.is_system ? isCurrentUserScope : () => true;
  return requested.filter((s) => (OIDC_SCOPES as readonly string[]).includes(s) || (apiScopes.has(s) && forUsers(s)));
}
