import { asnOf } from '@rtc/ip-intel';
import { ids } from '../../domain/ids.ts';
import { sha256 } from '../../crypto/secrets.ts';
import { newRefreshSecret } from '../../domain/refresh-secrets.ts';
import { planExchange } from '../../domain/refresh-tokens.ts';
import {
  InvalidGrant,
  InvalidRefreshToken,
  InvalidScope,
  TooManyRequests,
  type OAuthError,
} from '../../errors/oauth-error.ts';
import type { DpopRefusal, RefreshTokenRecord } from '../../domain/model.ts';
import { rateLimitHeaders } from '../rate-limit.ts';
import { parseScope } from '../scopes.ts';
import { userTokens } from '../issue-user-tokens.ts';
import type { GrantContext, GrantHandler } from './types.ts';
import { LOG_TYPES, tenantEvent } from '../../domain/tenant-log.ts';

/**
 * The tenant's own log event type (not Auth0's): a DPoP-bound refresh token presented without
 * a proof by its key (no proof, another key's, or a proof refused: replayed, stale, for another
 * URL or method). A theft signal: the token's secret is in hands that do not hold the key.
 */
export const DPOP_BOUND_TOKEN_REFUSED = 'dpop_bound_token_refused';

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

  await countExchange(ctx, presentedHash);

  const newSecret = newRefreshSecret();
  const outcome = await deps.store.refreshTokens.rotateRefreshToken(
    presentedHash,
    now,
    planExchange({
      clientId: client.client_id,
      now,
      requestedScope,
      newSecretHash: newSecret.hash,
      ip,
      asn: asnOf(ip),
      userAgent: ctx.userAgent,
      dpopJkt: ctx.proof?.jkt ?? null,
      // Written in the rotation's transaction: a commit of its own cost a fifth of the exchange's throughput.
      exchangeEvent: deps.options.logExchanges
        ? (token) =>
            tenantEvent(
              {
                type: LOG_TYPES.exchange,
                description: 'Successful exchange of refresh token for access token',
                user_id: token.user_id,
                client_id: token.client_id,
                refresh_token_id: token.id,
                ip,
                details: { device_name: token.device_name, user_agent: ctx.userAgent },
              },
              now,
            )
        : undefined,
    }),
  );

  if (outcome.kind === 'reuse-detected') {
    const token = outcome.token;
    await deps.store.events.addEvent({
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
    deps.logger.warn('refresh token reuse detected; family revoked', {
      refresh_token_id: token.id,
      client_id: token.client_id,
    });
    throw new InvalidRefreshToken();
  }
  if (outcome.kind === 'rejected' && outcome.dpop) {
    // RFC 9449 section 5: the proof is good, but not by the key this token is bound to.
    await recordBoundTokenRefusal(
      ctx,
      outcome.token,
      outcome.dpop,
      outcome.dpop === 'missing-proof' ? 'no DPoP proof' : 'DPoP proof by another key',
    );
    throw new InvalidGrant(
      outcome.dpop === 'missing-proof'
        ? 'This refresh token is DPoP-bound: a DPoP proof by its key is required.'
        : 'The DPoP proof is not by the key this refresh token is bound to.',
    );
  }
  if (outcome.kind === 'rejected' && outcome.notGranted) {
    throw new InvalidScope(`Scope ${outcome.notGranted.join(' ')} was not granted to this refresh token.`);
  }
  if (outcome.kind !== 'exchanged') throw new InvalidRefreshToken();

  const { token, user } = outcome;
  // The rotation refused a blocked or deleted user under its lock, and read the user it exchanged for.
  const scope = requestedScope ?? token.scope;
  const api = await deps.store.directory.getResourceServer(token.audience);
  const response = await userTokens(deps, {
    client,
    user,
    scope,
    audience: api ? token.audience : null,
    api,
    sessionId: token.session_id,
    ...(token.rotating ? { refreshToken: newSecret.value } : {}),
    dpopJkt: ctx.proof?.jkt ?? null,
  });
  return response;
};

/**
 * The endpoint refused the request's DPoP proof before any rotation: nothing about the token
 * changed. If the token presented is bound, the attempt is recorded (looked up, not locked).
 */
refreshTokenGrant.onRefusedProof = async (ctx, refusal: OAuthError) => {
  const presented = ctx.params.get('refresh_token');
  if (!presented) return;
  // Counted as an exchange of this token from this address is: a flood of junk proofs meets
  // the same limit, and cannot fill the token's theft record past it.
  await countExchange(ctx, sha256(presented));
  const found = await ctx.deps.store.refreshTokens.findRefreshTokenBySecret(sha256(presented), ctx.deps.clock.now());
  if (found?.token.dpop_jkt) await recordBoundTokenRefusal(ctx, found.token, 'invalid-proof', refusal.description);
};

/** Auth0's 'Refresh Tokens' page: exchanges are rate limited per token and IP; past the limit, 429. */
async function countExchange(ctx: Pick<GrantContext, 'deps' | 'ip'>, presentedHash: Buffer): Promise<void> {
  const now = ctx.deps.clock.now();
  const limit = await ctx.deps.refreshRateLimiter.hit(`${presentedHash.toString('base64url')}|${ctx.ip ?? '-'}`, now);
  if (!limit.allowed) {
    const retryAfter = Math.max(1, Math.ceil((limit.resetAt - now) / 1000));
    throw new TooManyRequests(
      'Too many requests for this refresh token. Try again later.',
      retryAfter,
      rateLimitHeaders(limit),
    );
  }
}

/** The one write a refusal on a bound token makes: its record, for the console's theft signals. */
async function recordBoundTokenRefusal(
  ctx: Omit<GrantContext, 'proof'> & { proof?: GrantContext['proof'] },
  token: RefreshTokenRecord,
  reason: DpopRefusal | 'invalid-proof',
  detail: string,
): Promise<void> {
  const now = ctx.deps.clock.now();
  await ctx.deps.store.events.addEvent({
    id: ids.event(now),
    type: DPOP_BOUND_TOKEN_REFUSED,
    description: `DPoP-bound refresh token refused: ${detail}`,
    user_id: token.user_id,
    client_id: token.client_id,
    refresh_token_id: token.id,
    ip: ctx.ip,
    details: {
      reason,
      device_name: token.device_name,
      user_agent: ctx.userAgent,
      // The client that presented it, when not the token's own.
      ...(token.client_id !== ctx.client.client_id ? { presented_by_client_id: ctx.client.client_id } : {}),
      ...(ctx.proof ? { presented_jkt: ctx.proof.jkt } : {}),
    },
    created_at: now,
  });
  ctx.deps.logger.warn('DPoP-bound refresh token refused', {
    refresh_token_id: token.id,
    client_id: ctx.client.client_id,
    reason,
  });
}
