import { Hono } from 'hono';
import type { TenantDeps, TenantEnv } from '../deps.ts';
import { UnauthorizedClient, UnsupportedGrantType } from '../errors/oauth-error.ts';
import { clientIp, readBodyParams, userAgent } from '../http/params.ts';
import { authenticateClient } from './client-auth.ts';
import { authorizationCodeGrant } from './grants/authorization-code.ts';
import { clientCredentialsGrant } from './grants/client-credentials.ts';
import { passwordGrant } from './grants/password.ts';
import { refreshTokenGrant } from './grants/refresh-token.ts';
import type { GrantHandler } from './grants/types.ts';

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
    const response = await handler({ deps, c, params, client, ip: clientIp(c, deps.options.trustProxy), userAgent: userAgent(c) });
    return c.json(response, 200, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  });
}
