import { Hono } from 'hono';
import { z } from 'zod';
import type { TenantDeps } from '../../deps.ts';
import { invalidQuery, notFound } from '../../errors/management-error.ts';
import { requireScope, requireScopeOrCurrentUser, type ManagementEnv } from '../authorize-request.ts';
import { logBody, refreshTokenBody, sessionBody, userBody } from '../serializers.ts';
import { checkpointPaging, fieldSelection, offsetPaging, pathId, query, schemas, selectFields } from '../validation.ts';

const SORTABLE = ['email', 'name', 'created_at', 'last_login', 'user_id'] as const;
/** Auth0's search returns at most the first 1000 results. */
const MAX_RESULTS = 1000;

/**
 * The part of Auth0's Lucene syntax people type into a support tool: plain text (email, name
 * or id), or `field:value` / `field:"value"` on email, name or user_id, with `*` wildcards.
 */
function parseUserQuery(q: string): { q: string; field?: 'email' | 'name' | 'user_id' } {
  const match = /^(email|name|user_id):\s*"?(.*?)"?$/.exec(q.trim());
  if (match) return { q: match[2]!, field: match[1] as 'email' | 'name' | 'user_id' };
  return { q: q.trim() };
}

/** /api/v2/users and the user-scoped refresh tokens, sessions and logs. */
export function userRoutes(deps: TenantDeps) {
  const { store, clock } = deps;
  const findUser = async (id: string) => {
    const user = await store.getUser(pathId(id, 'user_id'));
    if (!user) throw notFound('The user does not exist.', 'inexistent_user');
    return user;
  };

  return new Hono<ManagementEnv>()
    .get(
      '/',
      requireScope('read:users'),
      query(
        z.object({
          q: z.string().max(500).optional(),
          sort: z.string().regex(new RegExp(`^(${SORTABLE.join('|')}):(1|-1)$`), 'Expected field:1 or field:-1').optional(),
          search_engine: z.enum(['v1', 'v2', 'v3']).optional(),
          connection: z.string().max(255).optional(),
          ...offsetPaging,
          ...fieldSelection,
        }),
      ),
      async (c) => {
        const q = c.req.valid('query');
        const page = q.page ?? 0;
        const perPage = q.per_page ?? 50;
        if (page * perPage >= MAX_RESULTS) throw invalidQuery('You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation');
        const [field, order] = (q.sort ?? 'created_at:1').split(':') as [(typeof SORTABLE)[number], string];
        const result = await store.searchUsers({
          ...(q.q ? parseUserQuery(q.q) : {}),
          page,
          perPage,
          sort: { field, order: order === '1' ? 1 : -1 },
        });
        const users = result.items.map((u) => selectFields(userBody(u), q.fields, q.include_fields ?? true));
        const total = Math.min(result.total, MAX_RESULTS);
        return c.json(q.include_totals ?? false ? { start: page * perPage, limit: perPage, length: users.length, total, users } : users);
      },
    )
    .get('/:id', requireScopeOrCurrentUser('read:users', 'read:current_user'), query(z.object(fieldSelection)), async (c) => {
      const q = c.req.valid('query');
      return c.json(selectFields(userBody(await findUser(c.req.param('id'))), q.fields, q.include_fields ?? true));
    })
    .get('/:id/refresh-tokens', requireScope('read:refresh_tokens'), query(z.object(checkpointPaging)), async (c) => {
      const user = await findUser(c.req.param('id'));
      const q = c.req.valid('query');
      const page = await store.listRefreshTokens({ user_id: user.user_id }, clock.now(), q.from, q.take ?? 50);
      return c.json({ tokens: page.items.map(refreshTokenBody), ...(page.next ? { next: page.next } : {}) });
    })
    .delete('/:id/refresh-tokens', requireScope('delete:refresh_tokens'), async (c) => {
      const user = await findUser(c.req.param('id'));
      // In force once journaled; the rows are marked in the background (reference 000).
      await deps.revocations.enqueue({ kind: 'user', user_id: user.user_id }, 'user_tokens_revoked');
      return c.body(null, 202);
    })
    .get('/:id/sessions', requireScope('read:sessions'), query(z.object(checkpointPaging)), async (c) => {
      const user = await findUser(c.req.param('id'));
      const q = c.req.valid('query');
      const page = await store.listUserSessions(user.user_id, clock.now(), q.from, q.take ?? 50);
      return c.json({ sessions: page.items.map(sessionBody), ...(page.next ? { next: page.next } : {}) });
    })
    .delete('/:id/sessions', requireScope('delete:sessions'), async (c) => {
      const user = await findUser(c.req.param('id'));
      await store.revokeUserSessions(user.user_id, clock.now());
      return c.body(null, 202);
    })
    .get(
      '/:id/logs',
      requireScope('read:logs'),
      query(z.object({ page: schemas.int(0, 1000).optional(), per_page: schemas.int(1, 100).optional(), include_totals: schemas.bool.optional(), sort: z.enum(['date:1', 'date:-1']).optional() })),
      async (c) => {
        const user = await findUser(c.req.param('id'));
        const q = c.req.valid('query');
        const page = q.page ?? 0;
        const perPage = q.per_page ?? 50;
        const all = await store.listEvents({ user_id: user.user_id }, MAX_RESULTS);
        if (q.sort === 'date:1') all.reverse();
        const logs = all.slice(page * perPage, (page + 1) * perPage).map(logBody);
        return c.json(q.include_totals ? { start: page * perPage, limit: perPage, length: logs.length, total: all.length, logs } : logs);
      },
    );
}
