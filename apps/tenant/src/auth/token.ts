import { Hono } from 'hono';
import type { TenantDeps, TenantEnv } from '../deps.ts';
import { InvalidDpopProof, UnauthorizedClient, UnsupportedGrantType, UseDpopNonce } from '../errors/oauth-error.ts';
import { clientIp } from '@rtc/http-edge';
import { readBodyParams, userAgent } from '../http/params.ts';
import { authenticateClient } from './client-auth.ts';
import { authorizationCodeGrant } from './grants/authorization-code.ts';
import { clientCredentialsGrant } from './grants/client-credentials.ts';
import { passwordGrant } from './grants/password.ts';
import { refreshTokenGrant } from './grants/refresh-token.ts';
import type { GrantContext, GrantHandler } from './grants/types.ts';
import { ProofRefused, type VerifiedProof } from './dpop.ts';

const GRANTS: Record<string, GrantHandler> = {
  authorization_code: authorizationCodeGrant,
  refresh_token: refreshTokenGrant,
  client_credentials: clientCredentialsGrant,
  password: passwordGrant,
  // Auth0's name for the password grant against a named connection; we have one.
  'http://auth0.com/oauth/grant-type/password-realm': passwordGrant,
};

/** Auth0's names for the grants a client may be allowed (`grant_types` of the client). */
const CLIENT_GRANT_NAME: Record<string, string> = {
  'http://auth0.com/oauth/grant-type/password-realm': 'password',
};

/** POST /oauth/token */
export function tokenRoutes(deps: TenantDeps) {
  return new Hono<TenantEnv>().post('/oauth/token', async (c) => {
    const params = await readBodyParams(c);
    const grantType = params.require('grant_type');
    const handler = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined;
    if (!handler) throw new UnsupportedGrantType(grantType.slice(0, 100));
    const client = await authenticateClient(c, params, deps.store);
    if (!client.grant_types.includes(CLIENT_GRANT_NAME[grantType] ?? grantType)) {
      throw new UnauthorizedClient(`Grant type '${grantType}' not allowed for the client.`);
    }
    const ctx = { deps, c, params, client, ip: clientIp(c, deps.options.trustProxy), userAgent: userAgent(c) };
    const proof = await tokenRequestProof(ctx, handler);
    const response = await handler({ ...ctx, proof });
    return c.json(response, 200, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  });
}

/**
 * RFC 9449 section 5: a token request may carry a DPoP proof, on every grant; a client with
 * `require_proof_of_possession` must. The proof is verified before the grant does anything, so
 * a request refused for its proof writes nothing (but the refresh grant's record of an attempt
 * on a bound token, see GrantHandler.onRefusedProof).
 */
async function tokenRequestProof(
  ctx: Omit<GrantContext, 'proof'>,
  handler: GrantHandler,
): Promise<VerifiedProof | null> {
  const { deps, c, client } = ctx;
  let refusal: InvalidDpopProof;
  try {
    const proof = await deps.dpop.verify(c, {
      htm: 'POST',
      htu: `${deps.issuer}oauth/token`,
      requireNonce: async () => (await deps.store.settings.getSettings()).flags.dpop_require_nonce,
    });
    if (proof || !client.require_proof_of_possession) return proof;
    refusal = new InvalidDpopProof('A DPoP proof is required for this client.');
  } catch (err) {
    if (!(err instanceof ProofRefused)) throw err;
    if (err.nonce !== undefined) throw new UseDpopNonce(err.nonce);
    refusal = new InvalidDpopProof(`${err.reason}.`);
  }
  await handler.onRefusedProof?.(ctx, refusal);
  throw refusal;
}
