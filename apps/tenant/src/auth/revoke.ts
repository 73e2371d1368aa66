import { Hono } from 'hono';
import type { TenantDeps, TenantEnv } from '../deps.ts';
import { sha256 } from '../crypto/secrets.ts';
import { ids } from '../domain/ids.ts';
import { grantDeletedWith } from '../domain/revocation-policy.ts';
import { readBodyParams } from '../http/params.ts';
import { authenticateClient } from './client-auth.ts';

/**
 * POST /oauth/revoke, as reference 002 documents it. The client authenticates (a public
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

    const found = await deps.store.findRefreshTokenBySecret(sha256(token), now);
    if (found && found.token.client_id === client.client_id) {
      const { token: record } = found;
      const settings = await deps.store.getSettings();
      await deps.store.revokeRefreshTokens([record.id], 'oauth_revoke', now);
      const grantId = grantDeletedWith(record, 'oauth_revoke', settings.flags);
      if (grantId) {
        await deps.store.deleteGrant(grantId, { id: ids.revocationJob(now), now });
        deps.revocations.kick();
      }
      deps.logger.info('refresh token revoked via /oauth/revoke', {
        refresh_token_id: record.id,
        client_id: client.client_id,
        grant_deleted: !!grantId,
      });
    }
    return c.body(null, 200, { 'Cache-Control': 'no-store' });
  });
}
