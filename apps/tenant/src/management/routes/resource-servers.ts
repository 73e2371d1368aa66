import { Hono } from 'hono';
import { z } from 'zod';
import type { TenantDeps } from '../../deps.ts';
import { ids } from '../../domain/ids.ts';
import { ManagementError, notFound } from '../../errors/management-error.ts';
import type { ResourceServerRecord } from '../../domain/model.ts';
import { requireScope, type ManagementEnv } from '../authorize-request.ts';
import { json, offsetPage, offsetPaging, pathId, query } from '../validation.ts';

/** Auth0's ceiling for an API's access-token lifetime: 30 days, in seconds. */
const MAX_TOKEN_LIFETIME = 2_592_000;

const scopes = z
  .array(
    z
      .object({
        // A scope is one word of the space-separated `scope` parameter.
        value: z
          .string()
          .min(1)
          .max(280)
          .regex(/^[\x21-\x7e]+$/, 'Must be printable characters without spaces'),
        description: z.string().max(500).optional(),
      })
      .strict(),
  )
  .max(1000)
  .refine((list) => new Set(list.map((s) => s.value)).size === list.length, 'Scope values must be unique');

/** What a PATCH may change; a POST takes the same, all optional, plus the identifier. */
const resourceServerPatch = z
  .object({
    name: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^<>]*$/, 'Must not contain < or >'),
    scopes,
    token_lifetime: z.number().int().min(1).max(MAX_TOKEN_LIFETIME),
    allow_offline_access: z.boolean(),
    // Tokens are signed with the tenant's RS256 key; no other algorithm is offered.
    signing_alg: z.literal('RS256'),
  })
  .partial()
  .strict();

const resourceServerCreate = resourceServerPatch
  .extend({
    identifier: z
      .string()
      .min(1)
      .max(600)
      .regex(/^[^\s]+$/, 'Must not contain spaces'),
  })
  .strict();

/** Auth0's ResourceServer body. */
export function resourceServerBody(rs: ResourceServerRecord) {
  return {
    id: rs.id,
    name: rs.name,
    identifier: rs.identifier,
    is_system: rs.is_system,
    scopes: rs.scopes,
    signing_alg: 'RS256' as const,
    token_lifetime: rs.token_lifetime,
    allow_offline_access: rs.allow_offline_access,
  };
}

const systemApi = (what: string) =>
  new ManagementError(403, `You cannot ${what} a system resource server.`, 'operation_not_supported');

/** /api/v2/resource-servers: the APIs tokens are issued for, and their scopes. */
export function resourceServerRoutes(deps: TenantDeps) {
  const { store } = deps;
  // Auth0 takes either the API's id or its identifier (URL-encoded) in the path.
  const find = async (idOrIdentifier: string) => {
    const key = pathId(idOrIdentifier);
    const rs = (await store.directory.getResourceServerById(key)) ?? (await store.directory.getResourceServer(key));
    if (!rs) throw notFound('The resource server does not exist', 'inexistent_resource_server');
    return rs;
  };
  return new Hono<ManagementEnv>()
    .get(
      '/',
      requireScope('read:resource_servers'),
      query(z.object({ ...offsetPaging, identifiers: z.union([z.string(), z.array(z.string())]).optional() })),
      async (c) => {
        const q = c.req.valid('query');
        const page = q.page ?? 0;
        const perPage = q.per_page ?? 50;
        const wanted = q.identifiers === undefined ? undefined : new Set([q.identifiers].flat());
        const all = (await store.directory.listResourceServers()).filter((rs) => !wanted || wanted.has(rs.identifier));
        const items = all.slice(page * perPage, (page + 1) * perPage).map(resourceServerBody);
        return c.json(offsetPage('resource_servers', items, all.length, page, perPage, q.include_totals ?? false));
      },
    )
    .post('/', requireScope('create:resource_servers'), json(resourceServerCreate), async (c) => {
      const body = c.req.valid('json');
      const rs: ResourceServerRecord = {
        id: ids.resourceServer(),
        identifier: body.identifier,
        name: body.name ?? body.identifier,
        scopes: (body.scopes ?? []).map((s) => ({ value: s.value, description: s.description ?? '' })),
        token_lifetime: body.token_lifetime ?? 86_400,
        allow_offline_access: body.allow_offline_access ?? false,
        is_system: false,
      };
      if (!(await store.directory.createResourceServer(rs)))
        throw new ManagementError(409, 'A resource server with the same identifier already exists', 'conflict');
      deps.logger.info('resource server created', { caller: c.get('caller'), id: rs.id, identifier: rs.identifier });
      return c.json(resourceServerBody(rs), 201);
    })
    .get('/:id', requireScope('read:resource_servers'), async (c) =>
      c.json(resourceServerBody(await find(c.req.param('id')))),
    )
    .patch('/:id', requireScope('update:resource_servers'), json(resourceServerPatch), async (c) => {
      const rs = await find(c.req.param('id'));
      if (rs.is_system) throw systemApi('update');
      const patch = c.req.valid('json');
      const updated: ResourceServerRecord = {
        ...rs,
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.scopes !== undefined
          ? { scopes: patch.scopes.map((s) => ({ value: s.value, description: s.description ?? '' })) }
          : {}),
        ...(patch.token_lifetime !== undefined ? { token_lifetime: patch.token_lifetime } : {}),
        ...(patch.allow_offline_access !== undefined ? { allow_offline_access: patch.allow_offline_access } : {}),
      };
      await store.directory.putResourceServer(updated);
      deps.logger.info('resource server updated', { caller: c.get('caller'), id: rs.id, fields: Object.keys(patch) });
      return c.json(resourceServerBody(updated));
    })
    .delete('/:id', requireScope('delete:resource_servers'), async (c) => {
      const rs = await find(c.req.param('id'));
      if (rs.is_system) throw systemApi('delete');
      // Its client grants go with it: no client can get a token for an API that is gone.
      await store.directory.deleteResourceServer(rs.id);
      deps.logger.info('resource server deleted', { caller: c.get('caller'), id: rs.id, identifier: rs.identifier });
      return c.body(null, 204);
    });
}
