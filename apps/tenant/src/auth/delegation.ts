import { Hono } from 'hono';
import type { TenantDeps, TenantEnv } from '../deps.ts';
import { sha256 } from '../crypto/secrets.ts';
import { InvalidClient, InvalidRefreshToken, InvalidRequest, UnauthorizedClient, UnsupportedGrantType } from '../errors/oauth-error.ts';
import { readBodyParams } from '../http/params.ts';
import { idToken } from './tokens.ts';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Reference 001: delegated ID tokens live 36000 s. */
const DELEGATION_LIFETIME = 36_000;

/**
 * POST /delegation, the legacy endpoint of references 001 and 004: a refresh token buys a
 * new id_token. Off unless the tenant flag `allow_legacy_delegation_grant_types` is on;
 * refused as soon as the refresh token is revoked. It does not rotate the token.
 */
export function delegationRoutes(deps: TenantDeps) {
  return new Hono<TenantEnv>().post('/delegation', async (c) => {
    const params = await readBodyParams(c);
    const settings = await deps.store.getSettings();
    if (!settings.flags.allow_legacy_delegation_grant_types) {
      throw new UnauthorizedClient('Legacy delegation is disabled for this tenant (flag allow_legacy_delegation_grant_types).');
    }
    const clientId = params.require('client_id');
    const grantType = params.require('grant_type');
    if (grantType !== JWT_BEARER) throw new UnsupportedGrantType(grantType.slice(0, 100));
    const refreshToken = params.require('refresh_token');
    const apiType = params.get('api_type') ?? 'app';
    if (apiType !== 'app') throw new InvalidRequest('Only api_type "app" is supported.');

    const client = await deps.store.getClient(clientId);
    if (!client) throw new InvalidClient();
    const found = await deps.store.findRefreshTokenBySecret(sha256(refreshToken), deps.clock.now());
    if (!found || !found.usable || found.token.client_id !== client.client_id) throw new InvalidRefreshToken();
    const user = await deps.store.getUser(found.token.user_id);
    if (!user || user.blocked) throw new InvalidRefreshToken();

    const token = await idToken(
      deps,
      { client, user, scope: found.token.scope, sessionId: found.token.session_id },
      undefined,
      DELEGATION_LIFETIME,
    );
    return c.json({ token_type: 'Bearer', expires_in: DELEGATION_LIFETIME, id_token: token }, 200, { 'Cache-Control': 'no-store' });
  });
}
