import { Hono } from 'hono';
import { z } from 'zod';
import type { TenantDeps } from '../../deps.ts';
import { planRevocation } from '../../domain/revocation-plan.ts';
import { invalidQuery, notFound } from '../../errors/management-error.ts';
import { logApiOperation } from '../api-log.ts';
import { requireScope, type ManagementEnv } from '../authorize-request.ts';
import { grantBody } from '../serializers.ts';
import { offsetPage, offsetPaging, pathId, query, schemas } from '../validation.ts';

/**
 * /api/v2/grants. Deleting a grant revokes every refresh token issued under it (reference
 * 002: "when a grant is revoked, so are all tokens issued in the context of that grant").
 */
export function grantRoutes(deps: TenantDeps) {
  const { store, clock } = deps;
  /** Whether the grant existed; deleting it journals the revocation of its tokens in the same transaction. */
  const remove = async (id: string) => {
    const applied = await store.revocations.applyRevocationPlan(
      planRevocation({ kind: 'grant', grant: { id } }, 'grant_deleted', null),
      clock.now(),
    );
    if (applied.applied) deps.revocations.kick();
    return applied.applied;
  };
  return new Hono<ManagementEnv>()
    .get(
      '/',
      requireScope('read:grants'),
      query(
        z.object({
          user_id: schemas.id.optional(),
          client_id: schemas.id.optional(),
          audience: z.string().min(1).max(600).optional(),
          ...offsetPaging,
        }),
      ),
      async (c) => {
        const q = c.req.valid('query');
        const page = q.page ?? 0;
        const perPage = q.per_page ?? 50;
        const filter = {
          ...(q.user_id ? { user_id: q.user_id } : {}),
          ...(q.client_id ? { client_id: q.client_id } : {}),
          ...(q.audience ? { audience: q.audience } : {}),
        };
        const result = await store.directory.listGrants(filter, page, perPage);
        return c.json(
          offsetPage('grants', result.items.map(grantBody), result.total, page, perPage, q.include_totals ?? false),
        );
      },
    )
    .delete('/', requireScope('delete:grants'), query(z.object({ user_id: schemas.id.optional() })), async (c) => {
      const { user_id } = c.req.valid('query');
      if (!user_id) throw invalidQuery('Query validation error: Missing required property: user_id.');
      for (;;) {
        const { items } = await store.directory.listGrants({ user_id }, 0, 100);
        if (items.length === 0) break;
        for (const grant of items) await remove(grant.id);
      }
      return c.body(null, 204);
    })
    .delete('/:id', requireScope('delete:grants'), async (c) => {
      const id = pathId(c.req.param('id'));
      // Read for the log entry: what the grant was (the plan deletes it).
      const grant = await store.directory.getGrant(id);
      if (!grant || !(await remove(id))) throw notFound('The grant does not exist.', 'inexistent_grant');
      await logApiOperation(deps, c, {
        description: 'Delete a grant',
        user_id: grant.user_id,
        details: { grant_id: grant.id, client_id: grant.client_id, audience: grant.audience },
      });
      return c.body(null, 204);
    });
}
