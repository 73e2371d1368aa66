import { Hono } from 'hono';
import { z } from 'zod';
import type { TenantDeps } from '../../deps.ts';
import { refreshTokenIdOfDeviceCredential } from '../../domain/ids.ts';
import { planRevocation } from '../../domain/revocation-plan.ts';
import { notFound } from '../../errors/management-error.ts';
import { logApiOperation } from '../api-log.ts';
import { requireScope, type ManagementEnv } from '../authorize-request.ts';
import { deviceCredentialBody } from '../serializers.ts';
import { fieldSelection, offsetPage, offsetPaging, pathId, query, schemas, selectFields } from '../validation.ts';

/**
 * /api/v2/device-credentials: every refresh token is a credential of type `refresh_token`
 * or `rotating_refresh_token` named by its device (Auth0's 'Refresh Tokens' and 'Revoke Refresh
 * Tokens' pages). This tenant keeps no `public_key` credentials, so that type lists nothing; no type lists all.
 */
export function deviceCredentialRoutes(deps: TenantDeps) {
  const { store, clock } = deps;
  return new Hono<ManagementEnv>()
    .get(
      '/',
      requireScope('read:device_credentials'),
      query(
        z.object({
          user_id: schemas.id.optional(),
          client_id: schemas.id.optional(),
          type: z.enum(['public_key', 'refresh_token', 'rotating_refresh_token']).optional(),
          ...offsetPaging,
          ...fieldSelection,
        }),
      ),
      async (c) => {
        const q = c.req.valid('query');
        const page = q.page ?? 0;
        const perPage = q.per_page ?? 50;
        const includeTotals = q.include_totals ?? false;
        if (q.type === 'public_key')
          return c.json(offsetPage('device_credentials', [], 0, page, perPage, includeTotals));
        const result = await store.refreshTokens.pageRefreshTokens(
          {
            ...(q.user_id ? { user_id: q.user_id } : {}),
            ...(q.client_id ? { client_id: q.client_id } : {}),
            ...(q.type ? { rotating: q.type === 'rotating_refresh_token' } : {}),
          },
          clock.now(),
          page,
          perPage,
        );
        const items = result.items.map((t) =>
          selectFields(deviceCredentialBody(t), q.fields, q.include_fields ?? true),
        );
        return c.json(offsetPage('device_credentials', items, result.total, page, perPage, includeTotals));
      },
    )
    .delete('/:id', requireScope('delete:device_credentials'), async (c) => {
      // "Refresh Token Revocation Deletes Grant" also decides what unlinking a device does,
      // whether from the Dashboard or the Management API (domain/revocation-plan.ts).
      const tokenId = refreshTokenIdOfDeviceCredential(pathId(c.req.param('id')));
      const token = tokenId ? await store.refreshTokens.getRefreshToken(tokenId) : undefined;
      const gone = () => notFound('The device credential does not exist.', 'inexistent_device_credential');
      if (!token) throw gone();
      const plan = planRevocation({ kind: 'token', token }, 'device_unlinked', await store.settings.getSettings());
      // One transaction: a credential revoked already (concurrently, say) writes nothing, its grant included.
      const applied = await store.revocations.applyRevocationPlan(plan, clock.now());
      if (!applied.applied) throw gone();
      if (applied.deletedGrantIds.length > 0) deps.revocations.kick();
      await logApiOperation(deps, c, {
        description: 'Delete a device credential',
        user_id: token.user_id,
        refresh_token_id: token.id,
        details: {
          client_id: token.client_id,
          device_name: token.device_name,
          grant_deleted: applied.deletedGrantIds.length > 0,
        },
      });
      return c.body(null, 204);
    });
}
