import { Hono } from 'hono';
import { z } from 'zod';
import type { TenantDeps } from '../../deps.ts';
import { ids } from '../../domain/ids.ts';
import { badRequest, ManagementError, notFound } from '../../errors/management-error.ts';
import type { ClientGrantRecord, ResourceServerRecord } from '../../domain/model.ts';
import { requireScope, type ManagementEnv } from '../authorize-request.ts';
import { checkpointPaging, json, pathId, query, schemas } from '../validation.ts';

const scopeList = z.array(z.string().min(1).max(280)).max(1000);

const clientGrantCreate = z
  .object({
    client_id: schemas.id,
    audience: z.string().min(1).max(600),
    scope: scopeList.optional(),
  })
  .strict();

const clientGrantPatch = z.object({ scope: scopeList.nullable().optional() }).strict();

/** Auth0's ClientGrantResponseContent. */
export function clientGrantBody(g: ClientGrantRecord) {
  return { id: g.id, client_id: g.client_id, audience: g.audience, scope: g.scope };
}

/** A client grant may hold only scopes its API defines (what client_credentials can then grant). */
function checkScopes(scope: string[], api: ResourceServerRecord): string[] {
  const defined = new Set(api.scopes.map((s) => s.value));
  const unknown = scope.filter((s) => !defined.has(s));
  if (unknown.length > 0)
    throw badRequest(`Scope(s) not defined by the resource server ${api.identifier}: ${unknown.join(', ')}`);
  return [...new Set(scope)];
}

/**
 * /api/v2/client-grants: which client may get client_credentials tokens for which API, with
 * which scopes. The token endpoint and the Management API read these on every request, so a
 * change is in force at once.
 */
export function clientGrantRoutes(deps: TenantDeps) {
  const { store } = deps;
  const find = async (id: string) => {
    const grant = await store.directory.getClientGrantById(pathId(id));
    if (!grant) throw notFound('The client grant does not exist', 'inexistent_client_grant');
    return grant;
  };
  const apiOf = async (audience: string) => {
    const api = await store.directory.getResourceServer(audience);
    if (!api) throw notFound('No resource server found by supplied audience', 'inexistent_resource_server');
    return api;
  };
  return new Hono<ManagementEnv>()
    .get(
      '/',
      requireScope('read:client_grants'),
      query(
        z.object({
          client_id: schemas.id.optional(),
          audience: z.string().min(1).max(600).optional(),
          ...checkpointPaging,
        }),
      ),
      async (c) => {
        const q = c.req.valid('query');
        const filter = {
          ...(q.client_id ? { client_id: q.client_id } : {}),
          ...(q.audience ? { audience: q.audience } : {}),
        };
        const page = await store.directory.listClientGrants(filter, q.from, q.take ?? 50);
        return c.json({
          client_grants: page.items.map(clientGrantBody),
          ...(page.next ? { next: page.next } : {}),
          ...(q.include_totals ? { total: await store.directory.countClientGrants(filter) } : {}),
        });
      },
    )
    .post('/', requireScope('create:client_grants'), json(clientGrantCreate), async (c) => {
      const body = c.req.valid('json');
      if (!(await store.directory.getClient(body.client_id)))
        throw notFound('The client does not exist', 'inexistent_client');
      const api = await apiOf(body.audience);
      const grant: ClientGrantRecord = {
        id: ids.clientGrant(),
        client_id: body.client_id,
        audience: api.identifier,
        scope: checkScopes(body.scope ?? [], api),
      };
      if (!(await store.directory.createClientGrant(grant)))
        throw new ManagementError(409, 'A client grant for this client and audience already exists.', 'conflict');
      deps.logger.info('client grant created', {
        caller: c.get('caller'),
        id: grant.id,
        client_id: grant.client_id,
        audience: grant.audience,
      });
      return c.json(clientGrantBody(grant), 201);
    })
    .get('/:id', requireScope('read:client_grants'), async (c) =>
      c.json(clientGrantBody(await find(c.req.param('id')))),
    )
    .patch('/:id', requireScope('update:client_grants'), json(clientGrantPatch), async (c) => {
      const grant = await find(c.req.param('id'));
      const { scope } = c.req.valid('json');
      if (scope === undefined) return c.json(clientGrantBody(grant));
      const api = await apiOf(grant.audience);
      const updated = await store.directory.updateClientGrantScope(grant.id, checkScopes(scope ?? [], api));
      if (!updated) throw notFound('The client grant does not exist', 'inexistent_client_grant');
      deps.logger.info('client grant updated', { caller: c.get('caller'), id: grant.id, scope: updated.scope });
      return c.json(clientGrantBody(updated));
    })
    .delete('/:id', requireScope('delete:client_grants'), async (c) => {
      const deleted = await store.directory.deleteClientGrant(pathId(c.req.param('id')));
      if (!deleted) throw notFound('The client grant does not exist', 'inexistent_client_grant');
      deps.logger.info('client grant deleted', {
        caller: c.get('caller'),
        id: deleted.id,
        client_id: deleted.client_id,
        audience: deleted.audience,
      });
      return c.body(null, 204);
    });
}
