import { Hono } from 'hono';
import { z } from 'zod';
import type { TenantDeps } from '../../deps.ts';
import { planRevocation } from '../../domain/revocation-plan.ts';
import { notFound } from '../../errors/management-error.ts';
import { requireScope, type ManagementEnv } from '../authorize-request.ts';
import { json, pathId } from '../validation.ts';

const body = z
  .object({
    /** Only the tokens of this API (its identifier). */
    audience: z.string().min(1).max(600).optional(),
    /**
     * Revoke no token issued after this point (the `issued_through` of GET
     * /refresh-tokens/summary), so a revocation confirmed on a preview covers what the preview
     * counted and nothing issued since.
     */
    issued_through: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict();

/**
 * POST /api/v2/clients/{id}/refresh-tokens/revoke: NOT an Auth0 endpoint. An extension of this
 * embedded tenant, under `delete:refresh_tokens`: every live refresh token of one application,
 * across all its users (of one API with `audience`), for a leaked application. Auth0 revokes
 * an application's tokens only user by user; its POST /refresh-tokens/revoke refuses
 * `client_id` without `user_id`, and so does this tenant's, so the wider action has a route of
 * its own that no Auth0 integration can reach by accident. Answers 202 like Auth0's bulk
 * revocations: journaled, the tokens are refused and unlisted at once, their rows marked in
 * the background. 404 `inexistent_client` for an unknown application.
 */
export function clientTokenRevocationRoutes(deps: TenantDeps) {
  return new Hono<ManagementEnv>().post(
    '/:id/refresh-tokens/revoke',
    requireScope('delete:refresh_tokens'),
    json(body),
    async (c) => {
      const clientId = pathId(c.req.param('id'));
      const { audience, issued_through } = c.req.valid('json');
      if (!(await deps.store.directory.getClient(clientId)))
        throw notFound('The client does not exist', 'inexistent_client');
      const plan = planRevocation(
        {
          kind: 'client',
          client_id: clientId,
          ...(audience ? { audience } : {}),
          ...(issued_through !== undefined ? { issued_through } : {}),
        },
        'client_tokens_revoked',
        null,
      );
      await deps.store.revocations.applyRevocationPlan(plan, deps.clock.now());
      deps.revocations.kick();
      return c.body(null, 202);
    },
  );
}
