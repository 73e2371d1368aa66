import { asnOf } from '@rtc/ip-intel';
import { ids } from '../../domain/ids.ts';
import { sha256 } from '../../crypto/secrets.ts';
import { newRefreshSecret } from '../../domain/refresh-secrets.ts';
import { planExchange } from '../../domain/refresh-tokens.ts';
import { InvalidGrant, InvalidRefreshToken, InvalidScope, TooManyRequests } from '../../errors/oauth-error.ts';
import { rateLimitHeaders } from '../rate-limit.ts';
import { parseScope } from '../scopes.ts';
import { userTokens } from '../issue-user-tokens.ts';
import type { GrantHandler } from './types.ts';

/**
 * RFC 6749 section 6, with Auth0's rotation and reuse detection. One transaction decides and
 * applies (see `planExchange`), so concurrent exchanges of one secret get one successor.
 */
export const refreshTokenGrant: GrantHandler = async (ctx) => {
  const { deps, params, client, ip } = ctx;
  const presented = params.require('refresh_token');
  const presentedHash = sha256(presented);
  const scopeParam = params.get('scope');
  const requestedScope = scopeParam === undefined ? undefined : parseScope(scopeParam);
  const now = deps.clock.now();

  // Reference 001: exchanges are rate limited per token and IP.
  const limit = await deps.refreshRateLimiter.hit(`${presentedHash.toString('base64url')}|${ip ?? '-'}`, now);
  if (!limit.allowed) {
    const retryAfter = Math.max(1, Math.ceil((limit.resetAt - now) / 1000));
    throw new TooManyRequests('Too many requests for this refresh token. Try again later.', retryAfter, rateLimitHeaders(limit));
  }

  const newSecret = newRefreshSecret();
  const outcome = await deps.store.rotateRefreshToken(
    presentedHash,
    now,
    planExchange({ clientId: client.client_id, now, requestedScope, newSecretHash: newSecret.hash, ip, asn: asnOf(ip), userAgent: ctx.userAgent }),
  );

  if (outcome.kind === 'reuse-detected') {
    const token = outcome.token;
    await deps.store.addEvent({
      id: ids.event(now),
      type: 'ferrt',
      description: 'Reused rotating refresh token detected; the token family was revoked.',
      user_id: token.user_id,
      client_id: token.client_id,
      refresh_token_id: token.id,
      ip,
      details: { device_name: token.device_name, user_agent: ctx.userAgent },
      created_at: now,
    });
    deps.logger.warn('refresh token reuse detected; family revoked', { refresh_token_id: token.id, client_id: token.client_id });
    throw new InvalidRefreshToken();
  }
  if (outcome.kind === 'rejected' && outcome.notGranted) {
    throw new InvalidScope(`Scope ${outcome.notGranted.join(' ')} was not granted to this refresh token.`);
  }
  if (outcome.kind !== 'exchanged') throw new InvalidRefreshToken();

  const token = outcome.token;
  // The rotation refused a blocked or deleted user under its lock. Only a user blocked or
  // deleted since is refused here, and then the block or deletion refuses this token anyway.
  const user = await deps.store.getUser(token.user_id);
  if (!user || user.blocked) throw new InvalidGrant('The user no longer exists or is blocked.');
  const scope = requestedScope ?? token.scope;
  const audience = (await deps.store.getResourceServer(token.audience)) ? token.audience : null;
  const response = await userTokens(deps, {
    client,
    user,
    scope,
    audience,
    sessionId: token.session_id,
    ...(token.rotating ? { refreshToken: newSecret.value } : {}),
  });
  return response;
};
