import { Hono } from 'hono';
import { z } from 'zod';
import type { TenantDeps } from '../../deps.ts';
import { refreshTokenIdOfDeviceCredential } from '../../domain/ids.ts';
import type { RefreshTokenRecord } from '../../domain/model.ts';
import { planRevocation } from '../../domain/revocation-plan.ts';
import { notFound } from '../../errors/management-error.ts';
import { logApiOperation } from '../api-log.ts';
import { requireScope, type ManagementEnv } from '../authorize-request.ts';
import { deviceCredentialBody } from '../serializers.ts';
import { fieldSelection, offsetPage, offsetPaging, pathId, query, schemas, selectFields } from '../validation.ts';

/**
 * /api/v2/device-credentials: every refresh token is a credential of type `refresh_token`
 * or `rotating_refresh_token` named by its device (Auth0's 'Refresh Tokens' and 'Revoke Refresh
 * Tokens' pages). This tenant keeps no `public_key` credentials, so that type lists nothing.
 *
 * Without a type, as Auth0, whose two texts agree once read together: the SDK's
 * ListDeviceCredentialsRequestParameters.type says "a combined list of refresh_tokens and
 * public_keys (and no rotating_refresh_token)" with page, per_page and include_totals ignored;
 * the API reference says that with paging the type defaults to refresh_token. So a call with
 * any paging parameter (the SDK always sends them) is a `refresh_token` listing, paged; a call
 * with none is the combined list as a bare array (here the non-rotating refresh tokens, at most
 * 1,000, the most "allowed from this endpoint"). Either way no rotating token is listed.
 */
const UNTYPED_LIMIT = 1000;
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
        const filter = {
          ...(q.user_id ? { user_id: q.user_id } : {}),
          ...(q.client_id ? { client_id: q.client_id } : {}),
          rotating: q.type === 'rotating_refresh_token',
        };
        const shown = (tokens: RefreshTokenRecord[]) =>
          tokens.map((t) => selectFields(deviceCredentialBody(t), q.fields, q.include_fields ?? true));
        const paged = q.page !== undefined || q.per_page !== undefined || q.include_totals !== undefined;
        if (q.type === undefined && !paged) {
          // No count: none is answered, and without user_id it would read every live token.
          const all = await store.refreshTokens.listRefreshTokens(filter, clock.now(), undefined, UNTYPED_LIMIT);
          return c.json(shown(all.items));
        }
        const result = await store.refreshTokens.pageRefreshTokens(filter, clock.now(), page, perPage);
        return c.json(
          offsetPage('device_credentials', shown(result.items), result.total, page, perPage, includeTotals),
        );
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
