import { Hono, type Context } from 'hono';
import type { TenantDeps, TenantEnv } from '../deps.ts';
import { sha256 } from '../crypto/secrets.ts';
import { planRevocation } from '../domain/revocation-plan.ts';
import { LOG_TYPES, tenantEvent } from '../domain/tenant-log.ts';
import { readBodyParams } from '../http/params.ts';
import { clientIp } from '@rtc/http-edge';
import { authenticateClient } from './client-auth.ts';
import { ProofRefused } from './dpop.ts';

/**
 * POST /oauth/revoke, as Auth0's 'Revoke Refresh Tokens' page documents it. The client authenticates (a public
 * client with its client_id alone); an unknown token, or one issued to another client,
 * still answers 200 with an empty body (RFC 7009 2.2). With the tenant flag
 * "Refresh Token Revocation Deletes Grant" on, the grant goes too, and with it every
 * refresh token of that user, application and audience on every device.
 */
export function revokeRoutes(deps: TenantDeps) {
  return new Hono<TenantEnv>().post('/oauth/revoke', async (c) => {
    const params = await readBodyParams(c);
    const token = params.require('token');
    const client = await authenticateClient(c, params, deps.store);
    const now = deps.clock.now();

    const found = await deps.store.refreshTokens.findRefreshTokenBySecret(sha256(token), now);
    // Any secret of the token revokes it, a rotated-out one too (a leaked old value is reason
    // enough), except that a DPoP-bound token is revoked only with a proof by its key, as it is
    // exchanged: its secrets alone, stolen, change nothing (RFC 7009: still 200).
    if (found && found.token.client_id === client.client_id && (await provesKey(c, deps, found.token.dpop_jkt))) {
      const { token: record } = found;
      const plan = planRevocation(
        { kind: 'token', token: record },
        'oauth_revoke',
        await deps.store.settings.getSettings(),
      );
      const ip = clientIp(c, deps.options.trustProxy);
      // The token and, with the flag on, its grant go in one transaction, with their log entry.
      const applied = await deps.store.revocations.applyRevocationPlan(plan, now, ({ deletedGrantIds }) =>
        tenantEvent(
          {
            type: LOG_TYPES.revocation,
            description: deletedGrantIds.length ? 'Refresh token revoked; its grant deleted' : 'Refresh token revoked',
            user_id: record.user_id,
            client_id: client.client_id,
            refresh_token_id: record.id,
            ip,
            details: { device_name: record.device_name, grant_deleted: deletedGrantIds.length > 0 },
          },
          now,
        ),
      );
      const grantDeleted = applied.deletedGrantIds.length > 0;
      if (grantDeleted) deps.revocations.kick();
      deps.logger.info('refresh token revoked via /oauth/revoke', {
        refresh_token_id: record.id,
        client_id: client.client_id,
        grant_deleted: grantDeleted,
      });
    }
    return c.body(null, 200, { 'Cache-Control': 'no-store' });
  });
}

/** Whether the request carries a valid DPoP proof for this endpoint by the key a bound token names; true for an unbound token. */
async function provesKey(c: Context, deps: TenantDeps, jkt: string | null): Promise<boolean> {
  if (jkt === null) return true;
  try {
    const proof = await deps.dpop.verify(c, { htm: 'POST', htu: `${deps.issuer}oauth/revoke` });
    return proof?.jkt === jkt;
  } catch (err) {
    if (err instanceof ProofRefused) return false;
    throw err;
  }
}
