import { can, HistoryQuery } from '@rtc/contracts';
import { endpoints } from '@rtc/contracts/endpoints';
import { Hono } from 'hono';
import type { BffDeps } from '../deps.ts';
import type { BffEnv } from '../env.ts';
import { ManagementHttp } from '../management/management-http.ts';
import { rateLimitedFetch } from '../management/rate-limited-fetch.ts';
import { requirePermission } from '../middleware/session.ts';
import { UserHistoryService } from '../services/user-history.ts';
import { reply } from './contract.ts';
import { pathId, query } from './validate.ts';

/**
 * /api/users/{id}/history and /api/users/{id}/revoked: what happened to a user, newest first
 * and paged at the tenant, with who on the staff did it; and what was revoked or ended, kept
 * visible after it left the live lists.
 */
export function userHistoryRoutes(deps: BffDeps) {
  const http = new ManagementHttp(
    deps.config.management.baseUrl,
    deps.tokens,
    rateLimitedFetch({ ...deps.config.rateLimit }),
  );
  const service = new UserHistoryService(deps.mgmt, http, deps.store, deps.now);
  return new Hono<BffEnv>()
    .on(
      endpoints.userHistory.method,
      endpoints.userHistory.path,
      requirePermission('read'),
      query(HistoryQuery),
      async (c) => {
        const q = c.req.valid('query');
        return reply(
          c,
          endpoints.userHistory,
          await service.history(pathId(c.req.param('userId')), q.page, q.per_page),
        );
      },
    )
    .on(endpoints.userRevoked.method, endpoints.userRevoked.path, requirePermission('read'), async (c) => {
      const revoked = await service.revoked(pathId(c.req.param('userId')));
      // Against a tenant without revocation history the list comes from the audit log, whose
      // targets and details (ids, other users' emails, refusal reasons) are for the roles that
      // may read the audit log: a viewer sees what was done, when and by whom.
      if (can(c.get('session')?.role, 'readAudit')) return reply(c, endpoints.userRevoked, revoked);
      return reply(c, endpoints.userRevoked, {
        ...revoked,
        actions: revoked.actions.map((a) => ({ ...a, target: '', detail: '' })),
      });
    });
}
