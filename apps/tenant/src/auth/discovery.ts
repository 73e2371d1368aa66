import { Hono } from 'hono';
import type { TenantDeps, TenantEnv } from '../deps.ts';
import { DPOP_SIGNING_ALGORITHMS } from '../domain/dpop-proof.ts';

/** OpenID Connect Discovery 1.0 and the JWKS, shaped as Auth0 publishes them. */
export function discoveryRoutes(deps: TenantDeps) {
  const { issuer } = deps;
  const configuration = {
    issuer,
    authorization_endpoint: `${issuer}authorize`,
    token_endpoint: `${issuer}oauth/token`,
    userinfo_endpoint: `${issuer}userinfo`,
    jwks_uri: `${issuer}.well-known/jwks.json`,
    revocation_endpoint: `${issuer}oauth/revoke`,
    end_session_endpoint: `${issuer}oidc/logout`,
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    response_types_supported: ['code'],
    // Auth0 lists query, fragment and form_post (web_message is its own, unlisted); no fragment here.
    response_modes_supported: ['query', 'form_post'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', 'password'],
    code_challenge_methods_supported: ['S256'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    claims_supported: [
      'aud',
      'auth_time',
      'email',
      'email_verified',
      'exp',
      'family_name',
      'given_name',
      'iat',
      'iss',
      'name',
      'nickname',
      'picture',
      'sid',
      'sub',
    ],
    request_uri_parameter_supported: false,
    // RFC 9449 section 5.1: proofs accepted at /oauth/token and /userinfo.
    dpop_signing_alg_values_supported: [...DPOP_SIGNING_ALGORITHMS],
  };
  return new Hono<TenantEnv>()
    .get('/.well-known/openid-configuration', (c) =>
      c.json(configuration, 200, { 'Cache-Control': 'public, max-age=300' }),
    )
    .get('/.well-known/jwks.json', (c) => c.json(deps.keys.jwks(), 200, { 'Cache-Control': 'public, max-age=300' }));
}
