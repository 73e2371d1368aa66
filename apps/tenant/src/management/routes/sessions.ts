import { Hono } from 'hono';
import type { TenantDeps } from '../../deps.ts';
import { planRevocation } from '../../domain/revocation-plan.ts';
import { notFound } from '../../errors/management-error.ts';
import { logApiOperation } from '../api-log.ts';
import { requireScope, type ManagementEnv } from '../authorize-request.ts';
import { sessionBody } from '../serializers.ts';
import { pathId } from '../validation.ts';

/**
 * /api/v2/sessions. DELETE ends the session only (refresh tokens outlive sessions,
 * Auth0's 'Manage Refresh Tokens with Auth0 Management API' page); POST /{id}/revoke also
 * revokes the refresh tokens bound to it.
 */
export function sessionRoutes(deps: TenantDeps) {
  const { store, clock } = deps;
  return new Hono<ManagementEnv>()
    .get('/:id', requireScope('read:sessions'), async (c) => {
      const session = await store.sessions.getSession(pathId(c.req.param('id')));
      if (!session || session.revoked_at !== null) throw notFound('The session does not exist.', 'inexistent_session');
      return c.json(sessionBody(session));
    })
    .delete('/:id', requireScope('delete:sessions'), async (c) => {
      const now = clock.now();
      const session = await store.sessions.revokeSession(pathId(c.req.param('id')), now, null);
      // Logged when this request ended it: a session ended before keeps its own time.
      if (session && session.revoked_at === now)
        await logApiOperation(deps, c, {
          description: 'Delete a session',
          user_id: session.user_id,
          details: { session_id: session.id },
        });
      return c.body(null, 202);
    })
    .post('/:id/revoke', requireScope('delete:sessions'), async (c) => {
      const id = pathId(c.req.param('id'));
      // Read for the log entry: whose session it was.
      const session = await store.sessions.getSession(id);
      const plan = planRevocation({ kind: 'session', session: { id } }, 'session_revoked', null);
      const applied = await store.revocations.applyRevocationPlan(plan, clock.now());
      if (!session || !applied.applied) throw notFound('The session does not exist.', 'inexistent_session');
      deps.revocations.kick();
      await logApiOperation(deps, c, {
        description: 'Revoke a session and its refresh tokens',
        user_id: session.user_id,
        details: { session_id: session.id },
      });
      return c.body(null, 202);
    });
}
