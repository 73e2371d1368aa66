import { Hono } from 'hono';
import { z } from 'zod';
import type { TenantDeps } from '../../deps.ts';
import { requireScope, type ManagementEnv } from '../authorize-request.ts';
import { query, schemas } from '../validation.ts';

/**
 * GET /api/v2/refresh-tokens/summary[?client_id=&users=]: NOT an Auth0 endpoint. An extension
 * of this embedded tenant, under `read:refresh_tokens`: the live refresh tokens of
 * each application, with how many users and devices hold them, in one query. With
 * `client_id`, one application and the first `users` (10 by default, at most 100) users
 * holding its tokens, most tokens first. Auth0 itself lists refresh tokens only per user, so
 * against a real Auth0 tenant this answers 404 and the console says it cannot count.
 *
 * Answer: `{ applications: [{ client_id, tokens, users, devices, bound, issued_through }], users?: [{ user_id, tokens }] }`.
 * `bound` (DPoP, RFC 9449): how many of `tokens` are bound to a DPoP key (`dpop_jkt` set); the rest are bearer tokens.
 * `issued_through` marks the newest of the counted tokens in the tenant's insertion order;
 * POST /clients/{id}/refresh-tokens/revoke `{ issued_through }` then covers no token issued later.
 * (applications without live tokens are absent). Like every listing, it leaves out tokens a
 * journaled bulk revocation covers, from the moment it is journaled, marked or not.
 */
export function refreshTokenSummaryRoutes(deps: TenantDeps) {
  const { store, clock } = deps;
  return new Hono<ManagementEnv>().get(
    '/',
    requireScope('read:refresh_tokens'),
    query(
      z
        .object({ client_id: schemas.id.optional(), users: z.coerce.number().int().min(0).max(100).optional() })
        .strict(),
    ),
    async (c) => {
      const q = c.req.valid('query');
      const now = clock.now();
      const applications = await store.refreshTokens.summarizeRefreshTokensByClient(now, q.client_id);
      if (q.client_id === undefined) return c.json({ applications });
      const users = await store.refreshTokens.listRefreshTokenUsersOfClient(q.client_id, now, q.users ?? 10);
      return c.json({ applications, users });
    },
  );
}
