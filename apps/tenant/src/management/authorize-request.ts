import type { MiddlewareHandler } from 'hono';
import { rateLimitHeaders, type RateLimiter } from '../auth/rate-limit.ts';
import type { TenantDeps, TenantEnv } from '../deps.ts';
import { managementAudience } from '../deps.ts';
import { managementCaller, type CURRENT_USER_SCOPES, type ManagementCaller } from '../domain/management-api-access.ts';
import { insufficientScope, ManagementError, unauthorized } from '../errors/management-error.ts';
import type { MANAGEMENT_SCOPES } from './system-api.ts';
import { VerifiedBearerTokens } from './verified-bearer-tokens.ts';

export type ManagementScope = (typeof MANAGEMENT_SCOPES)[number];
export type CurrentUserScope = (typeof CURRENT_USER_SCOPES)[number];

export interface ManagementEnv extends TenantEnv {
  Variables: TenantEnv['Variables'] & { scopes: Set<string>; caller: string; principal: ManagementCaller };
}

/**
 * Verifies the Management API access token (RS256, this tenant's issuer, audience
 * `<issuer>api/v2/`, not expired), decides who it speaks for and with which scopes
 * (`domain/management-api-access.ts`: client_credentials bounded by the client grant now and
 * issued under the client's current credentials, or a user with `*:current_user*` scopes only), and applies the per-caller rate limit with
 * Auth0's `x-ratelimit-*` headers on every answer.
 */
export function managementAuth(deps: TenantDeps, limiter: RateLimiter): MiddlewareHandler<ManagementEnv> {
  const audience = managementAudience(deps.issuer);
  const tokens = new VerifiedBearerTokens(deps.keys.jwks(), { issuer: deps.issuer, audience }, deps.clock);
  return async function managementAuth(c, next) {
    const header = c.req.header('authorization');
    if (!header) throw unauthorized('Missing authentication');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized('Bad HTTP authentication header format');
    const payload = await tokens.verify(match[1]!);
    const principal = await managementCaller(
      payload,
      async (clientId) => (await deps.store.directory.getClientGrant(clientId, audience))?.scope,
      (clientId) => deps.store.directory.getClient(clientId),
    );
    if ('refused' in principal) {
      if (principal.refused === 'no-client-grant') {
        throw new ManagementError(
          403,
          `Client is not authorized to access "${audience}". It has no client grant for this API.`,
          'access_denied',
        );
      }
      throw unauthorized('Invalid token');
    }
    const caller = principal.kind === 'machine' ? principal.clientId : principal.userId;
    const limit = await limiter.hit(`mgmt|${caller}`, deps.clock.now());
    const headers = rateLimitHeaders(limit);
    if (!limit.allowed) {
      const error = new ManagementError(429, 'Global limit has been reached', 'too_many_requests');
      Object.assign(error.headers, headers, {
        'Retry-After': String(Math.max(1, Math.ceil((limit.resetAt - deps.clock.now()) / 1000))),
      });
      throw error;
    }
    c.set('scopes', principal.scopes);
    c.set('caller', caller);
    c.set('principal', principal);
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}

/**
 * 403 unless the token holds `scope`, or is a user's token holding `selfScope` and the
 * route's `:id` is that user (Auth0's `read:current_user` and friends act on the caller alone).
 */
export function requireScopeOrCurrentUser(
  scope: ManagementScope,
  selfScope: CurrentUserScope,
): MiddlewareHandler<ManagementEnv> {
  return async function requireScopeOrCurrentUser(c, next) {
    const principal = c.get('principal');
    const held = c.get('scopes');
    const self = principal.kind === 'user' && held.has(selfScope) && c.req.param('id') === principal.userId;
    if (!held.has(scope) && !self) throw insufficientScope([scope]);
    await next();
  };
}

/** 403 `insufficient_scope` unless the token holds one of `scopes`. */
export function requireScope(...scopes: ManagementScope[]): MiddlewareHandler<ManagementEnv> {
  return async function requireScope(c, next) {
    const held = c.get('scopes');
    if (!scopes.some((scope) => held.has(scope))) throw insufficientScope(scopes);
    await next();
  };
}
