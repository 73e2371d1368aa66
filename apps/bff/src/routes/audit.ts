import { AuditQuery, type AuditPage } from '@rtc/contracts';
import type { AuditListQuery } from '../store/bff-store.ts';
import { ManagementHttp } from '../management/management-http.ts';
import { rateLimitedFetch } from '../management/rate-limited-fetch.ts';
import { UserHistoryService } from '../services/user-history.ts';
import { endpoints } from '@rtc/contracts/endpoints';
import { Hono } from 'hono';
import { auditCsv } from './audit-csv.ts';
import type { BffDeps } from '../deps.ts';
import type { BffEnv } from '../env.ts';
import { requirePermission } from '../middleware/session.ts';
import { reply } from './contract.ts';
import { query } from './validate.ts';

const EXPORT_LIMIT = 100_000;

/** No user has this id: an email that matches nobody filters to nothing. */
const NOBODY = '\u0001nobody';

/** How many users a fragment may stand for: the first page of the tenant's search. */
const MAX_USERS_OF_FRAGMENT = 100;

/**
 * The User filter takes a user id (`auth0|...`), or a fragment of a user's name or email
 * ("jane", "@example.com"): the fragment is searched at the tenant as the Users page searches,
 * and stands for every user it finds (at most MAX_USERS_OF_FRAGMENT).
 */
async function resolveUser(deps: BffDeps, q: AuditQuery, history: UserHistoryService): Promise<AuditListQuery> {
  if (!q.user_id) return q;
  // A user's own entries, and the application-wide revocations that revoked their tokens.
  if (q.user_id.includes('|')) return { ...q, with_applications: await history.applicationsRevokedFor(q.user_id) };
  const fragment = q.user_id
    .trim()
    .replace(/["\\()[\]{}^~:!*?]/g, ' ')
    .trim();
  if (!fragment) return { ...q, user_id: NOBODY };
  const { users } = await deps.mgmt.searchUsers(fragment, 0, MAX_USERS_OF_FRAGMENT);
  const ids = users.map((u) => u.user_id).filter((id): id is string => typeof id === 'string');
  const { user_id: _fragment, ...rest } = q;
  return ids.length ? { ...rest, user_ids: ids } : { ...q, user_id: NOBODY };
}

/** /api/audit: the audit log, filterable, and exportable as CSV. */
export function auditRoutes(deps: BffDeps) {
  const http = new ManagementHttp(
    deps.config.management.baseUrl,
    deps.tokens,
    rateLimitedFetch({ ...deps.config.rateLimit }),
  );
  const history = new UserHistoryService(deps.mgmt, http, deps.store, deps.now);
  return new Hono<BffEnv>()
    .on(endpoints.audit.method, endpoints.audit.path, requirePermission('readAudit'), query(AuditQuery), async (c) => {
      const q = await resolveUser(deps, c.req.valid('query'), history);
      const { entries, total } = await deps.store.listAudit(q);
      const page: AuditPage = { entries, total, page: q.page, per_page: q.per_page };
      return reply(c, endpoints.audit, page);
    })
    .on(
      endpoints.auditExport.method,
      endpoints.auditExport.path,
      requirePermission('readAudit'),
      query(AuditQuery),
      async (c) => {
        const q = await resolveUser(deps, c.req.valid('query'), history);
        const { entries } = await deps.store.listAudit({ ...q, page: 0, per_page: EXPORT_LIMIT });
        const stamp = new Date(deps.now()).toISOString().slice(0, 10);
        return c.body(auditCsv(entries), 200, {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="audit-log-${stamp}.csv"`,
        });
      },
    );
}
