import { Hono } from 'hono';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { TenantDeps, TenantEnv } from '../deps.ts';
import { userinfoAudience } from '../deps.ts';
import { InvalidToken } from '../errors/oauth-error.ts';
import { parseScope } from './scopes.ts';
import { profileClaims } from './tokens.ts';

/** GET /userinfo (OIDC Core 5.3) with an access token whose audience includes userinfo. */
export function userinfoRoutes(deps: TenantDeps) {
  const jwks = createLocalJWKSet(deps.keys.jwks());
  const handler = async (c: import('hono').Context<TenantEnv>) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
    if (!match) throw new InvalidToken('Missing or malformed Bearer token.');
    let payload;
    try {
      ({ payload } = await jwtVerify(match[1]!, jwks, {
        issuer: deps.issuer,
        audience: userinfoAudience(deps.issuer),
        algorithms: ['RS256'],
        currentDate: new Date(deps.clock.now()),
      }));
    } catch {
      throw new InvalidToken();
    }
    const user = payload.sub ? await deps.store.getUser(payload.sub) : undefined;
    if (!user) throw new InvalidToken();
    const scope = parseScope(typeof payload.scope === 'string' ? payload.scope : undefined);
    return c.json({ sub: user.user_id, ...profileClaims(user, scope) });
  };
  return new Hono<TenantEnv>().get('/userinfo', handler).post('/userinfo', handler);
}
