import type { TenantDeps } from '../deps.ts';
import { userinfoAudience } from '../deps.ts';
import { ids } from '../domain/ids.ts';
import type { ClientRecord, ResourceServerRecord, UserRecord } from '../domain/model.ts';

export interface TokenResponse {
  access_token: string;
  /** `DPoP` when the access token is bound to the request's proof key (RFC 9449 section 5). */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  scope?: string;
  id_token?: string;
  refresh_token?: string;
}

export interface UserTokenRequest {
  client: ClientRecord;
  user: UserRecord;
  scope: string[];
  /** The API the access token is for, or null for /userinfo only. */
  audience: string | null;
  /** The API's record when the caller has read it already (one read per exchange). */
  api?: ResourceServerRecord | undefined;
  sessionId: string | null;
  nonce?: string | null;
  authTime?: number | null;
  refreshToken?: string;
  /** The thumbprint of the request's DPoP proof key: the access token is bound to it (`cnf.jkt`). */
  dpopJkt?: string | null;
}

/** Access token (and ID token when `openid` was granted) for a user. */
export async function userTokens(deps: TenantDeps, req: UserTokenRequest): Promise<TokenResponse> {
  const now = Math.floor(deps.clock.now() / 1000);
  const api = req.audience ? (req.api ?? (await deps.store.directory.getResourceServer(req.audience))) : undefined;
  const expiresIn = api?.token_lifetime ?? deps.options.accessTokenLifetime;
  const userinfo = userinfoAudience(deps.issuer);
  const claims = {
    iss: deps.issuer,
    sub: req.user.user_id,
    aud: req.audience ? [req.audience, userinfo] : userinfo,
    iat: now,
    exp: now + expiresIn,
    scope: req.scope.join(' '),
    azp: req.client.client_id,
    ...(req.sessionId ? { sid: req.sessionId } : {}),
    // Unique per issue (RFC 9068 2.2): two tokens issued in one second are never the same bytes.
    jti: ids.accessToken(),
    // RFC 9449 section 6: a bound token names its key's thumbprint; the opaque one carries it sealed.
    ...(req.dpopJkt ? { cnf: { jkt: req.dpopJkt } } : {}),
  };
  // For an API, a JWT the API verifies; for /userinfo alone, an opaque token only we can read
  // (Auth0's behaviour: "opaque" access tokens when no audience is requested).
  const accessToken = req.audience ? await deps.keys.sign(claims, 'at+jwt') : deps.opaqueAccessTokens.seal(claims);
  const response: TokenResponse = {
    access_token: accessToken,
    token_type: req.dpopJkt ? 'DPoP' : 'Bearer',
    expires_in: expiresIn,
    scope: req.scope.join(' '),
  };
  if (req.scope.includes('openid')) {
    response.id_token = await idToken(deps, req, now);
  }
  if (req.refreshToken) response.refresh_token = req.refreshToken;
  return response;
}

export async function idToken(
  deps: TenantDeps,
  req: Pick<UserTokenRequest, 'client' | 'user' | 'scope' | 'sessionId' | 'nonce' | 'authTime'>,
  now = Math.floor(deps.clock.now() / 1000),
  lifetime = deps.options.idTokenLifetime,
): Promise<string> {
  return deps.keys.sign({
    // Profile and custom claims first: the registered claims below are written last and win.
    ...profileClaims(req.user, req.scope),
    iss: deps.issuer,
    sub: req.user.user_id,
    aud: req.client.client_id,
    iat: now,
    exp: now + lifetime,
    ...(req.nonce ? { nonce: req.nonce } : {}),
    ...(req.sessionId ? { sid: req.sessionId } : {}),
    ...(req.authTime ? { auth_time: Math.floor(req.authTime / 1000) } : {}),
  });
}

/**
 * Claims the tenant itself decides: JWT (RFC 7519 4.1), OpenID Connect Core (2, 5.1) and what
 * this tenant adds. A custom claim by one of these names is dropped, as Auth0 drops them from
 * an Action, so no metadata can make a token speak for another user, issuer or audience.
 */
const REGISTERED_CLAIMS = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'sid',
  'at_hash',
  'c_hash',
  'scope',
  'gty',
  'client_id',
  'cnf',
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'email_verified',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
  'phone_number_verified',
  'address',
  'updated_at',
]);

/** Claims by scope (OIDC Core 5.4), plus the user's custom claims (what an Auth0 Action adds), which never replace a registered one. */
export function profileClaims(user: UserRecord, scope: string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  const custom = user.app_metadata.custom_claims;
  if (custom && typeof custom === 'object' && !Array.isArray(custom)) {
    for (const [name, value] of Object.entries(custom)) if (!REGISTERED_CLAIMS.has(name)) claims[name] = value;
  }
  if (scope.includes('profile')) {
    Object.assign(claims, {
      name: user.name,
      nickname: user.nickname,
      picture: user.picture,
      updated_at: new Date(user.updated_at).toISOString(),
      ...(user.given_name ? { given_name: user.given_name } : {}),
      ...(user.family_name ? { family_name: user.family_name } : {}),
    });
  }
  if (scope.includes('email')) Object.assign(claims, { email: user.email, email_verified: user.email_verified });
  return claims;
}
