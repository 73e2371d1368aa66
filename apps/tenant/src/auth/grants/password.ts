import { DUMMY_PASSWORD_HASH, verifyPassword } from '../../crypto/secrets.ts';
import { ids } from '../../domain/ids.ts';
import { LOG_TYPES, signInFailure, tenantEvent } from '../../domain/tenant-log.ts';
import { MAX_DEVICE_NAME_LENGTH } from '../../domain/defaults.ts';
import { AccessDenied, InvalidGrant, InvalidRequest, TooManyRequests } from '../../errors/oauth-error.ts';
import { userinfoAudience } from '../../deps.ts';
import { rateLimitHeaders } from '../rate-limit.ts';
import { grantableScopes, parseScope } from '../scopes.ts';
import { userTokens } from '../issue-user-tokens.ts';
import { maybeIssueRefreshToken } from './issue-refresh-token.ts';
import type { GrantHandler } from './types.ts';

/**
 * Resource Owner Password (RFC 6749 4.3), for scripts and tests. As in Auth0, it creates no
 * SSO session, so its tokens carry no session_id. `device` names the refresh token's
 * device, as at /authorize.
 */
export const passwordGrant: GrantHandler = async (ctx) => {
  const { deps, params, client, ip } = ctx;
  const username = params.require('username');
  const password = params.require('password');
  // Checked before the sign-in is counted: a refused request changes nothing.
  const device = params.get('device') ?? null;
  if (device !== null && device.length > MAX_DEVICE_NAME_LENGTH)
    throw new InvalidRequest(`device must be at most ${MAX_DEVICE_NAME_LENGTH} characters.`);
  const now = deps.clock.now();

  // Counted before the slow hash, so a parallel burst cannot outrun the limit (domain/sign-in-throttle.ts).
  const attempt = await deps.signInThrottle.attempt(username, ip, now);
  if (!attempt.allowed) {
    throw new TooManyRequests(
      'Too many failed sign-in attempts. Try again later.',
      attempt.retryAfterSeconds,
      rateLimitHeaders(attempt.limit),
    );
  }
  const user = await deps.store.directory.getUserByEmail(username);
  // Verify against a dummy hash when the user is unknown, so timing does not tell.
  const valid = await verifyPassword(password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
  const details = { user_agent: ctx.userAgent, email: username.slice(0, 254), grant_type: 'password' };
  if (!user?.password_hash || !valid) {
    await deps.store.events.addEvent(signInFailure(user, { client_id: client.client_id, ip, details }, now));
    throw new InvalidGrant('Wrong email or password.');
  }
  await attempt.succeeded();
  if (user.blocked) {
    await deps.store.events.addEvent(
      tenantEvent(
        {
          type: LOG_TYPES.failedLogin,
          description: 'user is blocked',
          user_id: user.user_id,
          client_id: client.client_id,
          ip,
          details,
        },
        now,
      ),
    );
    throw new AccessDenied('user is blocked');
  }

  const audienceParam = params.get('audience');
  const api = audienceParam ? await deps.store.directory.getResourceServer(audienceParam) : undefined;
  if (audienceParam && !api) throw new AccessDenied(`Service not found: ${audienceParam}`);
  const scope = grantableScopes(parseScope(params.get('scope') ?? 'openid'), api);
  const grant = await deps.store.directory.upsertGrant(
    {
      user_id: user.user_id,
      client_id: client.client_id,
      audience: api?.identifier ?? userinfoAudience(deps.issuer),
      scope,
    },
    ids.grant(),
    now,
  );
  await deps.store.directory.recordLogin(user.user_id, ip, now);
  await deps.store.events.addEvent(
    tenantEvent(
      {
        type: LOG_TYPES.login,
        description: 'Successful login',
        user_id: user.user_id,
        client_id: client.client_id,
        ip,
        details,
      },
      now,
    ),
  );
  const refreshToken = await maybeIssueRefreshToken(ctx, {
    user_id: user.user_id,
    scope,
    api,
    grant_id: grant.id,
    session_id: null,
    device_name: device,
  });
  return userTokens(deps, {
    client,
    user,
    scope,
    audience: api ? api.identifier : null,
    sessionId: null,
    authTime: now,
    ...(refreshToken ? { refreshToken: refreshToken.value } : {}),
    dpopJkt: ctx.proof?.jkt ?? null,
  });
};
