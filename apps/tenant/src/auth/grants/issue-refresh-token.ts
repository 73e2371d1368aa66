import { asnOf } from '@rtc/ip-intel';
import { mintRefreshToken } from '../../domain/refresh-tokens.ts';
import type { ResourceServerRecord } from '../../domain/model.ts';
import { userinfoAudience } from '../../deps.ts';
import type { GrantContext } from './types.ts';

/**
 * Issues a refresh token when the flow asked for `offline_access`, the client may use the
 * refresh_token grant, and the API (if any) allows offline access. Returns its id and its
 * value (the value only this once).
 */
export async function maybeIssueRefreshToken(
  ctx: GrantContext,
  input: {
    user_id: string;
    scope: string[];
    api: ResourceServerRecord | undefined;
    grant_id: string | null;
    session_id: string | null;
    device_name: string | null;
  },
): Promise<{ id: string; value: string } | undefined> {
  const { deps, client } = ctx;
  if (!input.scope.includes('offline_access')) return undefined;
  if (!client.grant_types.includes('refresh_token')) return undefined;
  if (input.api && !input.api.allow_offline_access) return undefined;
  const audience = input.api?.identifier ?? userinfoAudience(deps.issuer);
  const now = deps.clock.now();
  const minted = mintRefreshToken({
    client,
    user_id: input.user_id,
    grant_id: input.grant_id,
    session_id: input.session_id,
    device_name: input.device_name,
    audience,
    scope: input.scope,
    resource_servers: [{ audience, scopes: input.scope.join(' ') }],
    device: {
      initial_ip: ctx.ip,
      initial_asn: asnOf(ctx.ip),
      initial_user_agent: ctx.userAgent,
      last_ip: ctx.ip,
      last_asn: asnOf(ctx.ip),
      last_user_agent: ctx.userAgent,
    },
    now,
    dpop_jkt: ctx.proof?.jkt ?? null,
  });
  const { revokedForLimit } = await deps.store.refreshTokens.issueRefreshToken(
    minted.record,
    deps.options.maxActiveTokensPerUserAndClient,
  );
  if (revokedForLimit.length > 0) {
    deps.logger.info('refresh token entity limit reached; oldest revoked', {
      user_id: input.user_id,
      client_id: client.client_id,
      revoked: revokedForLimit.length,
    });
  }
  return { id: minted.record.id, value: minted.value };
}
