import { AuditQuery, type AuditPage } from '@rtc/contracts';
import { Hono } from 'hono';
import { auditCsv } from './audit-csv.ts';
import type { BffDeps } from '../deps.ts';
import type { BffEnv } from '../env.ts';
import { requirePermission } from '../middleware/session.ts';
import { query } from './validate.ts';

const EXPORT_LIMIT = 100_000;

/** No user has this id: an email that matches nobody filters to nothing. */
const NOBODY = '\u0001nobody';

/**
 * The User filter takes an email as well as a user id: an email is looked up at the tenant
 * (exactly, case-insensitively) and stands for that user's id.
 */
async function resolveUser(deps: BffDeps, q: AuditQuery): Promise<AuditQuery> {
  if (!q.user_id?.includes('@')) return q;
  const email = q.user_id.trim().replace(/["\\()[\]{}^~:!*?\s]/g, '');
  const { users } = await deps.mgmt.searchUsers(`email:${email}`, 0, 5);
  const match = users.find((u) => typeof u.email === 'string' && u.email.toLowerCase() === email.toLowerCase());
  return { ...q, user_id: match?.user_id ?? NOBODY };
}

/** /api/audit: the audit log, filterable, and exportable as CSV. */
export function auditRoutes(deps: BffDeps) {
  return new Hono<BffEnv>()
    .get('/', requirePermission('readAudit'), query(AuditQuery), async (c) => {
      const q = await resolveUser(deps, c.req.valid('query'));
      const { entries, total } = await deps.store.listAudit(q);
      const page: AuditPage = { entries, total, page: q.page, per_page: q.per_page };
      return c.json(page);
    })
    .get('/export.csv', requirePermission('readAudit'), query(AuditQuery), async (c) => {
      const q = await resolveUser(deps, c.req.valid('query'));
      const { entries } = await deps.store.listAudit({ ...q, page: 0, per_page: EXPORT_LIMIT });
      const stamp = new Date(deps.now()).toISOString().slice(0, 10);
      return c.body(auditCsv(entries), 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="audit-log-${stamp}.csv"`,
      });
    });
}
