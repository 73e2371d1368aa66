import { Hono } from 'hono';
import type { TenantDeps } from '../../deps.ts';
import { requireScope, type ManagementEnv } from '../authorize-request.ts';
import { offsetPage, offsetPaging, query } from '../validation.ts';
import { z } from 'zod';

/** /api/v2/resource-servers: the APIs, so consoles can name the audiences of grants and tokens. */
export function resourceServerRoutes(deps: TenantDeps) {
  return new Hono<ManagementEnv>().get('/', requireScope('read:resource_servers'), query(z.object({ ...offsetPaging, identifiers: z.union([z.string(), z.array(z.string())]).optional() })), async (c) => {
    const q = c.req.valid('query');
    const page = q.page ?? 0;
    const perPage = q.per_page ?? 50;
    const wanted = q.identifiers === undefined ? undefined : new Set([q.identifiers].flat());
    const all = (await deps.store.listResourceServers()).filter((rs) => !wanted || wanted.has(rs.identifier));
    const items = all.slice(page * perPage, (page + 1) * perPage).map((rs) => ({
      id: rs.id,
      name: rs.name,
      identifier: rs.identifier,
      is_system: rs.is_system,
      scopes: rs.scopes,
      signing_alg: 'RS256',
      token_lifetime: rs.token_lifetime,
      allow_offline_access: rs.allow_offline_access,
    }));
    return c.json(offsetPage('resource_servers', items, all.length, page, perPage, q.include_totals ?? false));
  });
}
