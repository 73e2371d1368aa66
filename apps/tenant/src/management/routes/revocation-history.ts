import { Hono } from 'hono';
import type { TenantDeps } from '../../deps.ts';
import { notFound } from '../../errors/management-error.ts';
import { requireScope, type ManagementEnv } from '../authorize-request.ts';
import { toIso } from '../../clock.ts';
import { refreshTokenBody, sessionBody } from '../serializers.ts';
import { pathId } from '../validation.ts';

/** At most this many of each, the latest first: a support person reads the recent ones. */
const MAX_ITEMS = 100;
const DAY_MS = 86_400_000;

/**
 * Not Auth0's: `GET /api/v2/users/{id}/revocation-history`, a user's refresh tokens revoked and
 * sessions ended within the retention (TENANT_HISTORY_RETENTION_DAYS, 30 days by default), each
 * with when and by which way in (`revoked_reason`). Auth0's own routes list only what is live; a
 * real Auth0 tenant answers 404 here and the console reads its audit log instead.
 */
export function revocationHistoryRoutes(deps: TenantDeps) {
  const { store, clock } = deps;
  return new Hono<ManagementEnv>().get(
    '/:id/revocation-history',
    requireScope('read:refresh_tokens'),
    requireScope('read:sessions'),
    async (c) => {
      const user = await store.directory.getUser(pathId(c.req.param('id')));
      if (!user) throw notFound('The user does not exist.', 'inexistent_user');
      const retentionDays = deps.options.historyRetentionDays;
      const since = clock.now() - retentionDays * DAY_MS;
      const [tokens, sessions] = await Promise.all([
        store.refreshTokens.listRevokedRefreshTokens(user.user_id, since, MAX_ITEMS),
        store.sessions.listEndedSessions(user.user_id, since, MAX_ITEMS),
      ]);
      return c.json({
        retention_days: retentionDays,
        since: toIso(since),
        refresh_tokens: tokens.map((t) => ({
          ...refreshTokenBody(t),
          device_name: t.device_name,
          revoked_at: toIso(t.revoked_at),
          revoked_reason: t.revoked_reason,
        })),
        sessions: sessions.map((s) => ({ ...sessionBody(s), ended_at: toIso(s.revoked_at) })),
      });
    },
  );
}
