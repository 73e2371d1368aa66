import { Hono } from 'hono';
import type { TenantDeps, TenantEnv } from '../deps.ts';
import { sha256 } from '../crypto/secrets.ts';
import {
  InvalidClient,
  InvalidRefreshToken,
  InvalidRequest,
  TooManyRequests,
  UnauthorizedClient,
  UnsupportedGrantType,
} from '../errors/oauth-error.ts';
import { clientIp } from '@rtc/http-edge';
import { readBodyParams } from '../http/params.ts';
import { authenticateClient } from './client-auth.ts';
import { rateLimitHeaders } from './rate-limit.ts';
import { idToken } from './issue-user-tokens.ts';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Auth0's 'Refresh Tokens' page: delegated ID tokens live 36000 s. */
const DELEGATION_LIFETIME = 36_000;

/**
 * POST /delegation, the legacy endpoint of Auth0's 'Refresh Tokens' and legacy 'refresh_token'
 * pages: a refresh token buys a new id_token. Off unless the tenant flag `allow_legacy_delegation_grant_types` is on;
 * refused as soon as the refresh token is revoked. It does not rotate the token. The client
 * authenticates as at /oauth/token (a confidential client with its secret), must be allowed
 * the jwt-bearer grant type, and exchanges count against the refresh-token rate limit.
 */
export function delegationRoutes(deps: TenantDeps) {
  return new Hono<TenantEnv>().post('/delegation', async (c) => {
    const params = await readBodyParams(c);
    const settings = await deps.store.settings.getSettings();
    if (!settings.flags.allow_legacy_delegation_grant_types) {
      throw new UnauthorizedClient(
        'Legacy delegation is disabled for this tenant (flag allow_legacy_delegation_grant_types).',
      );
    }
    const grantType = params.require('grant_type');
    if (grantType !== JWT_BEARER) throw new UnsupportedGrantType(grantType.slice(0, 100));
    const refreshToken = params.require('refresh_token');
    const apiType = params.get('api_type') ?? 'app';
    if (apiType !== 'app') throw new InvalidRequest('Only api_type "app" is supported.');

    const client = await authenticateClient(c, params, deps.store);
    // A public client presents no secret: its client_id alone authenticates nothing.
    if (client.token_endpoint_auth_method === 'none')
      throw new InvalidClient('A public client cannot use /delegation: it cannot authenticate.');
    if (!client.grant_types.includes(JWT_BEARER))
      throw new UnauthorizedClient(`Grant type '${JWT_BEARER}' not allowed for the client.`);
    const now = deps.clock.now();
    const presentedHash = sha256(refreshToken);
    // The same limit as refresh exchanges (Auth0's 'Refresh Tokens' page: per token and IP).
    const limit = await deps.refreshRateLimiter.hit(
      `${presentedHash.toString('base64url')}|${clientIp(c, deps.options.trustProxy) ?? '-'}`,
      now,
    );
    if (!limit.allowed) {
      throw new TooManyRequests(
        'Too many requests for this refresh token. Try again later.',
        Math.max(1, Math.ceil((limit.resetAt - now) / 1000)),
        rateLimitHeaders(limit),
      );
    }
    const found = await deps.store.refreshTokens.findRefreshTokenBySecret(presentedHash, now);
    if (!found?.usable || found.token.client_id !== client.client_id) throw new InvalidRefreshToken();
    // A DPoP-bound token buys nothing without a proof by its key, and this legacy endpoint takes none.
    if (found.token.dpop_jkt !== null) throw new InvalidRefreshToken();
    const user = await deps.store.directory.getUser(found.token.user_id);
    if (!user || user.blocked) throw new InvalidRefreshToken();

    const token = await idToken(
      deps,
      { client, user, scope: found.token.scope, sessionId: found.token.session_id },
      undefined,
      DELEGATION_LIFETIME,
    );
    return c.json({ token_type: 'Bearer', expires_in: DELEGATION_LIFETIME, id_token: token }, 200, {
      'Cache-Control': 'no-store',
    });
  });
}
