import { createHash } from 'node:crypto';
import { sha256, safeEqual } from '../../crypto/secrets.ts';
import { InvalidGrant } from '../../errors/oauth-error.ts';
import { planRevocation } from '../../domain/revocation-plan.ts';
import { userTokens } from '../issue-user-tokens.ts';
import { maybeIssueRefreshToken } from './issue-refresh-token.ts';
import type { GrantHandler } from './types.ts';

/** RFC 6749 4.1.3, with PKCE (RFC 7636) verified when the code was bound to a challenge. */
export const authorizationCodeGrant: GrantHandler = async (ctx) => {
  const { deps, params, client } = ctx;
  const code = params.require('code');
  const redirectUri = params.get('redirect_uri');
  const verifier = params.get('code_verifier');

  // Every check first, on the code as stored, and only then consume it (as node-oidc-provider
  // does): a refused request (another client, redirect_uri or verifier) changes nothing, so a
  // wrong guess cannot burn a code its rightful client is about to redeem.
  const codeHash = sha256(code);
  const record = await deps.store.authorizationCodes.findAuthorizationCode(codeHash);
  if (!record) throw new InvalidGrant('Invalid authorization code');
  if (record.client_id !== client.client_id) throw new InvalidGrant('Invalid authorization code');
  if (record.expires_at <= deps.clock.now()) throw new InvalidGrant('Invalid authorization code');
  if (redirectUri === undefined || redirectUri !== record.redirect_uri) {
    throw new InvalidGrant('The redirect_uri does not match the one used at /authorize.');
  }
  if (record.code_challenge) {
    if (!verifier) throw new InvalidGrant('Missing required parameter: code_verifier');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    if (!safeEqual(challenge, record.code_challenge)) throw new InvalidGrant('Failed to verify code verifier');
  } else if (verifier !== undefined) {
    // A verifier for a code bound to no challenge is a downgrade attempt (RFC 9700 2.1.1).
    throw new InvalidGrant('code_verifier was sent, but the authorization request had no code_challenge');
  }
  const user = await deps.store.directory.getUser(record.user_id);
  if (!user || user.blocked) throw new InvalidGrant('The user no longer exists or is blocked.');

  const consumed = await deps.store.authorizationCodes.consumeAuthorizationCode(codeHash, deps.clock.now());
  if (!consumed) throw new InvalidGrant('Invalid authorization code');
  if (consumed.reused) {
    // RFC 6749 4.1.2: a code presented twice may have been stolen; what it bought goes.
    await revokeIssuedFromCode(ctx, consumed.code.refresh_token_id ?? null);
    throw new InvalidGrant('Invalid authorization code');
  }
  const api = await deps.store.directory.getResourceServer(record.audience);
  const refreshToken = await maybeIssueRefreshToken(ctx, {
    user_id: user.user_id,
    scope: record.scope,
    api,
    grant_id: record.grant_id,
    session_id: record.session_id,
    device_name: record.device_name,
  });
  if (
    refreshToken &&
    (await deps.store.authorizationCodes.attachRefreshTokenToCode(codeHash, refreshToken.id)).reusedMeanwhile
  ) {
    // The code was presented again while this redemption ran: nothing it bought survives.
    await revokeIssuedFromCode(ctx, refreshToken.id);
    throw new InvalidGrant('Invalid authorization code');
  }
  return userTokens(deps, {
    client,
    user,
    scope: record.scope,
    audience: api ? api.identifier : null,
    sessionId: record.session_id,
    nonce: record.nonce,
    authTime: record.auth_time,
    ...(refreshToken ? { refreshToken: refreshToken.value } : {}),
    dpopJkt: ctx.proof?.jkt ?? null,
  });
};

async function revokeIssuedFromCode(
  { deps, client }: Parameters<GrantHandler>[0],
  refreshTokenId: string | null,
): Promise<void> {
  if (refreshTokenId)
    await deps.store.revocations.applyRevocationPlan(
      planRevocation({ kind: 'tokens', ids: [refreshTokenId] }, 'code_reused', null),
      deps.clock.now(),
    );
  deps.logger.warn('authorization code reused; tokens issued from it revoked', {
    client_id: client.client_id,
    refresh_token_id: refreshTokenId,
  });
}
