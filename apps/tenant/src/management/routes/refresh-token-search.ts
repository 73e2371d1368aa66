import { Hono } from 'hono';
import { z } from 'zod';
import type { TenantDeps } from '../../deps.ts';
import { requireScope, type ManagementEnv } from '../authorize-request.ts';
import { needsOneOf, refuseWideRange, SEARCH_TOTALS_LIMIT, searchFilters } from '../search-query.ts';
import { refreshTokenBody } from '../serializers.ts';
import { query, schemas } from '../validation.ts';

const FILTERS = ['ip', 'asn', 'user_agent', 'device_name', 'client_id', 'last_used_from', 'last_used_to'];

/**
 * GET /api/v2/refresh-tokens/search: NOT an Auth0 endpoint. An extension of this embedded
 * tenant, under `read:refresh_tokens`: live refresh tokens across all users by
 * `ip` (an address or a CIDR; the token's initial or last address), `asn` (initial or last),
 * `user_agent` (a substring of the initial or last one, ASCII case-insensitive), `device_name`
 * (a substring), `client_id`, and `last_used_from` / `last_used_to` (ISO 8601; inclusive,
 * exclusive; last used = last exchange, or creation if never exchanged). At least one of them;
 * `dpop=bound|bearer` (RFC 9449) keeps only the tokens bound to a DPoP key, or only the others,
 * and is no condition of its own (it checks each row the others find, and would list the tenant).
 * Checkpoint-paged in token id order (`take` 1 to 100, 50 by default; `from` the previous
 * page's `next`); `include_totals=true` adds `totals: { tokens, users, devices, limited }` (counting stops
 * past 10,000 matches: `limited` true, the counts those of the first 10,000, "at least").
 * Auth0 lists refresh tokens only per user, so a real Auth0 tenant answers 404 here.
 *
 * Answer: `{ refresh_tokens: [<as GET /refresh-tokens/{id}> + device_name], next?, totals? }`.
 * Tokens a journaled bulk revocation covers are left out at once, as in every listing, marked
 * or not; revoking a result with POST /refresh-tokens/revoke `{ ids }` marks the rows at once.
 */
export function refreshTokenSearchRoutes(deps: TenantDeps) {
  const { store, clock } = deps;
  const schema = needsOneOf(FILTERS)(
    z
      .object({
        ...searchFilters,
        device_name: z.string().min(1).max(255).optional(),
        client_id: schemas.id.optional(),
        dpop: z.enum(['bound', 'bearer']).optional(),
      })
      .strict(),
  );
  return new Hono<ManagementEnv>().get('/', requireScope('read:refresh_tokens'), query(schema), async (c) => {
    const { from, take, include_totals, ...filter } = c.req.valid('query');
    await refuseWideRange(store.refreshTokens, filter.ip);
    const now = clock.now();
    const page = await store.refreshTokens.searchRefreshTokens(filter, now, from, take ?? 50);
    return c.json({
      refresh_tokens: page.items.map((t) => ({ ...refreshTokenBody(t), device_name: t.device_name })),
      ...(page.next ? { next: page.next } : {}),
      ...(include_totals
        ? { totals: await store.refreshTokens.countRefreshTokenSearch(filter, now, SEARCH_TOTALS_LIMIT) }
        : {}),
    });
  });
}
