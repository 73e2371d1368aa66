import { Hono } from 'hono';
import { z } from 'zod';
import type { TenantDeps } from '../../deps.ts';
import { requireScope, type ManagementEnv } from '../authorize-request.ts';
import { needsOneOf, SEARCH_TOTALS_LIMIT, searchFilters } from '../search-query.ts';
import { sessionBody } from '../serializers.ts';
import { query } from '../validation.ts';

const FILTERS = ['ip', 'asn', 'user_agent', 'last_used_from', 'last_used_to'];

/**
 * GET /api/v2/sessions/search: NOT an Auth0 endpoint. An extension of this embedded tenant
 * under `read:sessions`: live SSO sessions (not ended, not expired) across all
 * users by `ip` (an address or a CIDR; the session's initial or last address), `asn` (initial
 * or last), `user_agent` (a substring of the initial or last one, ASCII case-insensitive) and
 * `last_used_from` / `last_used_to` (ISO 8601; inclusive, exclusive; last used = the last
 * interaction). At least one of them. Checkpoint-paged in session id order (`take` 1 to 100,
 * 50 by default; `from` the previous page's `next`); `include_totals=true` adds
 * `totals: { sessions, users, limited }` (as for tokens: no further than 10,000). A real Auth0 tenant answers 404 here.
 *
 * Answer: `{ sessions: [<as GET /sessions/{id}>], next?, totals? }`.
 */
export function sessionSearchRoutes(deps: TenantDeps) {
  const { store, clock } = deps;
  const schema = needsOneOf(FILTERS)(z.object(searchFilters).strict());
  return new Hono<ManagementEnv>().get('/', requireScope('read:sessions'), query(schema), async (c) => {
    const { from, take, include_totals, ...filter } = c.req.valid('query');
    const now = clock.now();
    const page = await store.sessions.searchSessions(filter, now, from, take ?? 50);
    return c.json({
      sessions: page.items.map(sessionBody),
      ...(page.next ? { next: page.next } : {}),
      ...(include_totals ? { totals: await store.sessions.countSessionSearch(filter, now, SEARCH_TOTALS_LIMIT) } : {}),
    });
  });
}
