import { Hono } from 'hono';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { TenantDeps, TenantEnv } from '../deps.ts';
import { userinfoAudience } from '../deps.ts';
import { OpaqueAccessTokens } from '../crypto/opaque-access-tokens.ts';
import { InvalidToken } from '../errors/oauth-error.ts';
import { parseScope } from './scopes.ts';
import { profileClaims } from './issue-user-tokens.ts';

/**
 * GET /userinfo (OIDC Core 5.3) with an access token whose audience includes userinfo: the
 * opaque one of a request without an API audience, or an API's JWT that also names userinfo.
 */
export function userinfoRoutes(deps: TenantDeps) {
  const jwks = createLocalJWKSet(deps.keys.jwks());
  const audience = userinfoAudience(deps.issuer);
  /** The claims of an opaque token, checked as jwtVerify checks a JWT's: issuer, audience, lifetime. */
  const openOpaque = (token: string) => {
    const claims = deps.opaqueAccessTokens.open(token);
    const now = Math.floor(deps.clock.now() / 1000);
    const audiences = Array.isArray(claims?.aud) ? claims.aud : [claims?.aud];
    if (!claims || claims.iss !== deps.issuer || !audiences.includes(audience) || typeof claims.exp !== 'number' || claims.exp <= now) throw new InvalidToken();
    return claims;
  };
  const handler = async (c: import('hono').Context<TenantEnv>) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
    if (!match) throw new InvalidToken('Missing or malformed Bearer token.');
    let payload: Record<string, unknown>;
    if (OpaqueAccessTokens.isOpaque(match[1]!)) payload = openOpaque(match[1]!);
    else {
      try {
        ({ payload } = await jwtVerify(match[1]!, jwks, { issuer: deps.issuer, audience, algorithms: ['RS256'], currentDate: new Date(deps.clock.now()) }));
      } catch {
        throw new InvalidToken();
      }
    }
    const user = typeof payload.sub === 'string' ? await deps.store.getUser(payload.sub) : undefined;
    // A blocked user's tokens speak for nobody: the same answer as for an unknown user.
    if (!user || user.blocked) throw new InvalidToken();
    const scope = parseScope(typeof payload.scope === 'string' ? payload.scope : undefined);
    return c.json({ sub: user.user_id, ...profileClaims(user, scope) });
  };
  return new Hono<TenantEnv>().get('/userinfo', handler).post('/userinfo', handler);
}
