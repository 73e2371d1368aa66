import { Hono } from 'hono';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { TenantDeps, TenantEnv } from '../deps.ts';
import { userinfoAudience } from '../deps.ts';
import { OpaqueAccessTokens } from '../crypto/opaque-access-tokens.ts';
import { InvalidDpopToken, InvalidToken } from '../errors/oauth-error.ts';
import { DPOP_SIGNING_ALGORITHMS } from '../domain/dpop-proof.ts';
import { ProofRefused } from './dpop.ts';
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
    if (
      !claims ||
      claims.iss !== deps.issuer ||
      !audiences.includes(audience) ||
      typeof claims.exp !== 'number' ||
      claims.exp <= now
    )
      throw new InvalidToken();
    return claims;
  };
  const refuseDpop = (error: 'invalid_token' | 'invalid_dpop_proof', description: string) =>
    new InvalidDpopToken(error, description, DPOP_SIGNING_ALGORITHMS);
  /**
   * RFC 9449 section 7: a token bound to a key (`cnf.jkt`) only with the DPoP scheme and a
   * proof by that key over this request and this token (`ath`); an unbound one only as Bearer.
   */
  const checkBinding = async (
    c: import('hono').Context<TenantEnv>,
    scheme: string,
    token: string,
    payload: Record<string, unknown>,
  ) => {
    const cnf = payload.cnf as { jkt?: unknown } | undefined;
    const jkt = typeof cnf?.jkt === 'string' ? cnf.jkt : null;
    if (jkt === null) {
      if (scheme === 'DPoP')
        throw refuseDpop('invalid_token', 'This access token is not DPoP-bound: present it as a Bearer token.');
      return;
    }
    if (scheme !== 'DPoP')
      throw refuseDpop(
        'invalid_token',
        'This access token is DPoP-bound: present it with the DPoP scheme and a proof.',
      );
    let proof: Awaited<ReturnType<typeof deps.dpop.verify>>;
    try {
      proof = await deps.dpop.verify(c, { htm: c.req.method, htu: `${deps.issuer}userinfo`, accessToken: token });
    } catch (err) {
      if (err instanceof ProofRefused) throw refuseDpop('invalid_dpop_proof', `${err.reason}.`);
      throw err;
    }
    if (!proof) throw refuseDpop('invalid_dpop_proof', 'A DPoP proof is required with a DPoP-bound access token.');
    if (proof.jkt !== jkt)
      throw refuseDpop('invalid_dpop_proof', 'The DPoP proof is not by the key this access token is bound to.');
  };
  const handler = async (c: import('hono').Context<TenantEnv>) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^(Bearer|DPoP) ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
    if (!match) throw new InvalidToken('Missing or malformed Bearer token.');
    const [, scheme, token] = match as unknown as [string, string, string];
    let payload: Record<string, unknown>;
    if (OpaqueAccessTokens.isOpaque(token)) payload = openOpaque(token);
    else {
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          issuer: deps.issuer,
          audience,
          algorithms: ['RS256'],
          currentDate: new Date(deps.clock.now()),
        }));
      } catch {
        throw new InvalidToken();
      }
    }
    await checkBinding(c, scheme, token, payload);
    const user = typeof payload.sub === 'string' ? await deps.store.directory.getUser(payload.sub) : undefined;
    // A blocked user's tokens speak for nobody: the same answer as for an unknown user.
    if (!user || user.blocked) throw new InvalidToken();
    const scope = parseScope(typeof payload.scope === 'string' ? payload.scope : undefined);
    return c.json({ sub: user.user_id, ...profileClaims(user, scope) });
  };
  return new Hono<TenantEnv>().get('/userinfo', handler).post('/userinfo', handler);
}
