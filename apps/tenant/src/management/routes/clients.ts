import { Hono } from 'hono';
import { z } from 'zod';
import type { TenantDeps } from '../../deps.ts';
import { badRequest, notFound } from '../../errors/management-error.ts';
import type { ClientRecord } from '../../store/types.ts';
import { requireScope, type ManagementEnv } from '../authorize-request.ts';
import { APP_TYPES as APP_TYPE_VALUES, callbackUrls, checkClientRules, grantTypes, logoutUrls, TOKEN_ENDPOINT_AUTH_METHODS, webOrigins } from '../client-fields.ts';
import { clientBody } from '../serializers.ts';
import { fieldSelection, json, offsetPage, offsetPaging, pathId, query, schemas, selectFields } from '../validation.ts';

const MAX_LIFETIME = 31_557_600; // one year, Auth0's ceiling
const seconds = z.number().int().min(1).max(MAX_LIFETIME);

/** Auth0's ClientRefreshTokenConfiguration; rotation and expiration types are required. */
const refreshTokenPolicy = z
  .object({
    rotation_type: z.enum(['rotating', 'non-rotating']),
    expiration_type: z.enum(['expiring', 'non-expiring']),
    leeway: z.number().int().min(0).max(60).optional(),
    token_lifetime: seconds.optional(),
    idle_token_lifetime: seconds.optional(),
    infinite_token_lifetime: z.boolean().optional(),
    infinite_idle_token_lifetime: z.boolean().optional(),
  })
  .strict();

/** The writable fields of the SDK's ClientUpdate that this tenant models; any other is a 400. */
const clientPatch = z
  .object({
    name: z.string().min(1).max(200).regex(/^[^<>]*$/, 'Must not contain < or >').optional(),
    description: z.string().max(140).optional(),
    app_type: z.enum(APP_TYPE_VALUES).optional(),
    token_endpoint_auth_method: z.enum(TOKEN_ENDPOINT_AUTH_METHODS).optional(),
    grant_types: grantTypes.optional(),
    callbacks: callbackUrls.optional(),
    allowed_logout_urls: logoutUrls.optional(),
    web_origins: webOrigins.optional(),
    refresh_token: refreshTokenPolicy.optional(),
  })
  .strict();

/** /api/v2/clients */
export function clientRoutes(deps: TenantDeps) {
  const { store, clock } = deps;
  const tenantName = new URL(deps.issuer).hostname;
  const find = async (id: string) => {
    const client = await store.getClient(pathId(id, 'client_id'));
    if (!client) throw notFound('The client does not exist', 'inexistent_client');
    return client;
  };
  return new Hono<ManagementEnv>()
    .get('/', requireScope('read:clients'), query(z.object({ ...offsetPaging, ...fieldSelection, app_type: z.string().max(100).optional(), is_first_party: schemas.bool.optional() })), async (c) => {
      const q = c.req.valid('query');
      const page = q.page ?? 0;
      const perPage = q.per_page ?? 50;
      const result = await store.listClients(page, perPage);
      const items = result.items.map((client) => selectFields(clientBody(client, tenantName), q.fields, q.include_fields ?? true));
      return c.json(offsetPage('clients', items, result.total, page, perPage, q.include_totals ?? false));
    })
    .get('/:id', requireScope('read:clients'), query(z.object(fieldSelection)), async (c) => {
      const q = c.req.valid('query');
      return c.json(selectFields(clientBody(await find(c.req.param('id')), tenantName), q.fields, q.include_fields ?? true));
    })
    .patch('/:id', requireScope('update:clients'), json(clientPatch), async (c) => {
      const client = await find(c.req.param('id'));
      const { refresh_token, ...fields } = c.req.valid('json');
      const policy = refresh_token ? { ...client.refresh_token, ...refresh_token } : client.refresh_token;
      if (policy.rotation_type === 'rotating' && policy.expiration_type !== 'expiring') {
        throw badRequest('Refresh token rotation requires expiration_type "expiring".');
      }
      if (!policy.infinite_token_lifetime && !policy.infinite_idle_token_lifetime && policy.idle_token_lifetime > policy.token_lifetime) {
        throw badRequest('idle_token_lifetime must not exceed token_lifetime.');
      }
      // Auth0 replaces each given field whole (arrays included) and keeps the others.
      const given = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<ClientRecord>;
      const updated: ClientRecord = { ...client, ...given, refresh_token: policy, updated_at: clock.now() };
      checkClientRules(updated, await store.getSettings());
      await store.putClient(updated);
      return c.json(clientBody(updated, tenantName));
    });
}
