import type { MiddlewareHandler } from 'hono';
import { createLocalJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import { rateLimitHeaders, type RateLimiter } from '../auth/rate-limit.ts';
import type { TenantDeps, TenantEnv } from '../deps.ts';
import { managementAudience } from '../deps.ts';
import { insufficientScope, ManagementError, unauthorized } from '../errors/management-error.ts';
import type { MANAGEMENT_SCOPES } from './system-api.ts';

export type ManagementScope = (typeof MANAGEMENT_SCOPES)[number];

export interface ManagementEnv extends TenantEnv {
  Variables: TenantEnv['Variables'] & { scopes: Set<string>; caller: string };
}

/**
 * Verifies the Management API access token (RS256, this tenant's issuer, audience
 * `<issuer>api/v2/`, not expired), and applies the per-caller rate limit with Auth0's
 * `x-ratelimit-*` headers on every answer.
 */
export function managementAuth(deps: TenantDeps, limiter: RateLimiter): MiddlewareHandler<ManagementEnv> {
  const jwks = createLocalJWKSet(deps.keys.jwks());
  const audience = managementAudience(deps.issuer);
  return async function managementAuth(c, next) {
    const header = c.req.header('authorization');
    if (!header) throw unauthorized('Missing authentication');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized('Bad HTTP authentication header format');
    let payload;
    try {
      ({ payload } = await jwtVerify(match[1]!, jwks, {
        issuer: deps.issuer,
        audience,
        algorithms: ['RS256'],
        currentDate: new Date(deps.clock.now()),
      }));
    } catch (err) {
      throw unauthorized(err instanceof joseErrors.JWTExpired ? 'Expired token received for JSON Web Token validation' : 'Invalid token');
    }
    const caller = String(payload.azp ?? payload.sub ?? 'unknown');
    const limit = await limiter.hit(`mgmt|${caller}`, deps.clock.now());
    const headers = rateLimitHeaders(limit);
    if (!limit.allowed) {
      const error = new ManagementError(429, 'Global limit has been reached', 'too_many_requests');
      Object.assign(error.headers, headers, { 'Retry-After': String(Math.max(1, Math.ceil((limit.resetAt - deps.clock.now()) / 1000))) });
      throw error;
    }
    c.set('scopes', new Set(typeof payload.scope === 'string' ? payload.scope.split(' ') : []));
    c.set('caller', caller);
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
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
