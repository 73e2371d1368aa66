import { Hono } from 'hono';
import { z } from 'zod';
import { randomId, randomSecret, sha256 } from '../../crypto/secrets.ts';
import type { TenantDeps } from '../../deps.ts';
import { ids } from '../../domain/ids.ts';
import { badRequest, notFound } from '../../errors/management-error.ts';
import { DEFAULT_REFRESH_TOKEN_POLICY } from '../../domain/defaults.ts';
import { stampCredentials } from '../../domain/client-credentials.ts';
import type { AppType, ClientRecord, RefreshTokenPolicy } from '../../domain/model.ts';
import { requireScope, type ManagementEnv } from '../authorize-request.ts';
import {
  APP_TYPES as APP_TYPE_VALUES,
  callbackUrls,
  checkClientRules,
  grantTypes,
  KEPT_CLIENT_FIELDS,
  logoutUrls,
  splitKeptFields,
  TOKEN_ENDPOINT_AUTH_METHODS,
  webOrigins,
} from '../client-fields.ts';
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
    name: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^<>]*$/, 'Must not contain < or >')
      .optional(),
    description: z.string().max(140).optional(),
    app_type: z.enum(APP_TYPE_VALUES).optional(),
    token_endpoint_auth_method: z.enum(TOKEN_ENDPOINT_AUTH_METHODS).optional(),
    grant_types: grantTypes.optional(),
    callbacks: callbackUrls.optional(),
    allowed_logout_urls: logoutUrls.optional(),
    web_origins: webOrigins.optional(),
    allowed_origins: webOrigins.optional(),
    refresh_token: refreshTokenPolicy.optional(),
    require_proof_of_possession: z.boolean().optional(),
  })
  .extend(optional(KEPT_CLIENT_FIELDS))
  .strict();

const APP_TYPES = ['native', 'spa', 'regular_web', 'non_interactive'] as const;
const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', 'password'] as const;

/** Auth0's CreateClientRequestContent, the part this tenant acts on; the secret is never the caller's. */
const clientCreate = z
  .object({
    name: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^<>]*$/, 'Must not contain < or >'),
    description: z.string().max(140).optional(),
    app_type: z.enum(APP_TYPES).optional(),
    is_first_party: z.boolean().optional(),
    callbacks: callbackUrls.optional(),
    allowed_logout_urls: logoutUrls.optional(),
    web_origins: webOrigins.optional(),
    allowed_origins: webOrigins.optional(),
    grant_types: z.array(z.enum(GRANT_TYPES)).max(10).optional(),
    token_endpoint_auth_method: z.enum(['none', 'client_secret_post', 'client_secret_basic']).optional(),
    refresh_token: refreshTokenPolicy.optional(),
    require_proof_of_possession: z.boolean().optional(),
  })
  .extend(optional(KEPT_CLIENT_FIELDS))
  .strict();

/** Every field of `shape`, optional. */
function optional<T extends Record<string, z.ZodType>>(shape: T): { [K in keyof T]: z.ZodOptional<T[K]> } {
  return Object.fromEntries(Object.entries(shape).map(([key, schema]) => [key, schema.optional()])) as {
    [K in keyof T]: z.ZodOptional<T[K]>;
  };
}

/** Auth0's defaults by application type: browsers and devices cannot keep a secret. */
const isPublicType = (appType: AppType) => appType === 'spa' || appType === 'native';
const defaultGrantTypes = (appType: AppType) =>
  appType === 'non_interactive' ? ['client_credentials'] : ['authorization_code', 'refresh_token'];

/** A client secret: 48 random bytes (64 characters), shown once, kept as its SHA-256. */
const newClientSecret = () => randomSecret(48);

/** The rules every refresh-token policy keeps (Auth0 refuses the same combinations). */
function checkPolicy(policy: RefreshTokenPolicy): void {
  if (policy.rotation_type === 'rotating' && policy.expiration_type !== 'expiring') {
    throw badRequest('Refresh token rotation requires expiration_type "expiring".');
  }
  if (
    !policy.infinite_token_lifetime &&
    !policy.infinite_idle_token_lifetime &&
    policy.idle_token_lifetime > policy.token_lifetime
  ) {
    throw badRequest('idle_token_lifetime must not exceed token_lifetime.');
  }
}

/** /api/v2/clients */
export function clientRoutes(deps: TenantDeps) {
  const { store, clock } = deps;
  const tenantName = new URL(deps.issuer).hostname;
  const find = async (id: string) => {
    const client = await store.directory.getClient(pathId(id, 'client_id'));
    if (!client) throw notFound('The client does not exist', 'inexistent_client');
    return client;
  };
  return new Hono<ManagementEnv>()
    .post('/', requireScope('create:clients'), json(clientCreate), async (c) => {
      const { kept, rest: body } = splitKeptFields(c.req.valid('json'));
      const appType = body.app_type ?? 'regular_web';
      const authMethod = body.token_endpoint_auth_method ?? (isPublicType(appType) ? 'none' : 'client_secret_post');
      const grantTypes = body.grant_types ?? defaultGrantTypes(appType);
      if (authMethod === 'none' && grantTypes.includes('client_credentials')) {
        throw badRequest(
          'A client without a secret (token_endpoint_auth_method "none") cannot use the client_credentials grant.',
        );
      }
      const expiring = body.refresh_token?.expiration_type === 'expiring';
      // Lifetimes given for an expiring policy are meant to apply: "infinite" defaults off there.
      const policy = body.refresh_token
        ? {
            ...DEFAULT_REFRESH_TOKEN_POLICY,
            infinite_token_lifetime: !expiring,
            infinite_idle_token_lifetime: !expiring,
            ...body.refresh_token,
          }
        : DEFAULT_REFRESH_TOKEN_POLICY;
      checkPolicy(policy);
      const secret = authMethod === 'none' ? undefined : newClientSecret();
      const now = clock.now();
      const client: ClientRecord = {
        client_id: randomId(32),
        name: body.name,
        description: body.description ?? '',
        app_type: appType,
        client_secret_hash: secret ? sha256(secret) : null,
        token_endpoint_auth_method: authMethod,
        callbacks: body.callbacks ?? [],
        allowed_logout_urls: body.allowed_logout_urls ?? [],
        web_origins: body.web_origins ?? [],
        allowed_origins: body.allowed_origins ?? [],
        grant_types: grantTypes,
        refresh_token: policy,
        is_first_party: body.is_first_party ?? true,
        ...(body.require_proof_of_possession ? { require_proof_of_possession: true } : {}),
        created_at: now,
        updated_at: now,
        ...(Object.keys(kept).length > 0 ? { kept } : {}),
      };
      await store.directory.putClient(client);
      deps.origins.forget();
      deps.logger.info('client created', { caller: c.get('caller'), client_id: client.client_id });
      // A secret in the answer is for the caller once: no cache along the way keeps it.
      return c.json({ ...clientBody(client, tenantName), ...(secret ? { client_secret: secret } : {}) }, 201, {
        'Cache-Control': 'no-store',
      });
    })
    .post('/:id/rotate-secret', requireScope('update:client_keys'), async (c) => {
      const client = await find(c.req.param('id'));
      if (client.token_endpoint_auth_method === 'none')
        throw badRequest('This client has no secret to rotate: its token_endpoint_auth_method is "none".');
      const secret = newClientSecret();
      // The old secret is refused from this write on: client authentication compares against this hash.
      // and Management API tokens bought with it too (credentials_changed_at).
      const rotated = stampCredentials(
        client,
        { ...client, client_secret_hash: sha256(secret), updated_at: clock.now() },
        clock.now(),
      );
      await store.directory.putClient(rotated);
      deps.logger.info('client secret rotated', { caller: c.get('caller'), client_id: client.client_id });
      return c.json({ ...clientBody(rotated, tenantName), client_secret: secret }, 200, {
        'Cache-Control': 'no-store',
      });
    })
    .delete('/:id', requireScope('delete:clients'), async (c) => {
      const now = clock.now();
      // Journaled with the deletion: the client's refresh tokens are refused at once.
      const deleted = await store.directory.deleteClient(pathId(c.req.param('id'), 'client_id'), {
        id: ids.revocationJob(now),
        now,
      });
      if (!deleted) throw notFound('The client does not exist', 'inexistent_client');
      deps.origins.forget();
      deps.revocations.kick();
      deps.logger.info('client deleted', { caller: c.get('caller'), client_id: deleted.client_id });
      return c.body(null, 204);
    })
    .get(
      '/',
      requireScope('read:clients'),
      query(
        z.object({
          ...offsetPaging,
          ...fieldSelection,
          app_type: z.string().max(100).optional(),
          is_first_party: schemas.bool.optional(),
        }),
      ),
      async (c) => {
        const q = c.req.valid('query');
        const page = q.page ?? 0;
        const perPage = q.per_page ?? 50;
        const result = await store.directory.listClients(page, perPage);
        const items = result.items.map((client) =>
          selectFields(clientBody(client, tenantName), q.fields, q.include_fields ?? true),
        );
        return c.json(offsetPage('clients', items, result.total, page, perPage, q.include_totals ?? false));
      },
    )
    .get('/:id', requireScope('read:clients'), query(z.object(fieldSelection)), async (c) => {
      const q = c.req.valid('query');
      return c.json(
        selectFields(clientBody(await find(c.req.param('id')), tenantName), q.fields, q.include_fields ?? true),
      );
    })
    .patch('/:id', requireScope('update:clients'), json(clientPatch), async (c) => {
      const client = await find(c.req.param('id'));
      const { kept, rest } = splitKeptFields(c.req.valid('json'));
      const { refresh_token, ...fields } = rest;
      const policy = refresh_token ? { ...client.refresh_token, ...refresh_token } : client.refresh_token;
      if (policy.rotation_type === 'rotating' && policy.expiration_type !== 'expiring') {
        throw badRequest('Refresh token rotation requires expiration_type "expiring".');
      }
      if (
        !policy.infinite_token_lifetime &&
        !policy.infinite_idle_token_lifetime &&
        policy.idle_token_lifetime > policy.token_lifetime
      ) {
        throw badRequest('idle_token_lifetime must not exceed token_lifetime.');
      }
      // Auth0 replaces each given field whole (arrays included) and keeps the others.
      const given = Object.fromEntries(
        Object.entries(fields).filter(([, value]) => value !== undefined),
      ) as Partial<ClientRecord>;
      const changed: ClientRecord = { ...client, ...given, refresh_token: policy, updated_at: clock.now() };
      if (Object.keys(kept).length > 0) changed.kept = { ...client.kept, ...kept };
      // A client made public loses its secret for good: made confidential again, it has none
      // until rotate-secret gives it a new one (its old secret never comes back).
      if (changed.token_endpoint_auth_method === 'none') changed.client_secret_hash = null;
      checkClientRules(changed, await store.settings.getSettings(), fields.grant_types !== undefined);
      const updated = stampCredentials(client, changed, clock.now());
      await store.directory.putClient(updated);
      deps.origins.forget();
      return c.json(clientBody(updated, tenantName));
    });
}
