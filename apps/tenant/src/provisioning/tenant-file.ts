import { z } from 'zod';
import { sha256 } from '../crypto/secrets.ts';
import { managementAudience } from '../deps.ts';
import { ids } from '../domain/ids.ts';
import { DEFAULT_REFRESH_TOKEN_POLICY, DEFAULT_TENANT_SETTINGS } from '../domain/defaults.ts';
import { stampCredentials } from '../domain/client-credentials.ts';
import { callbackUrls, logoutUrls, webOrigins } from '../management/client-fields.ts';
import type { ClientRecord, UserRecord } from '../domain/model.ts';
import type { TenantStore } from '../store/types.ts';

/**
 * A tenant as a file a team keeps in its repository: settings, APIs, applications, client
 * grants and users. Export is deterministic (sorted, no timestamps, no secrets in clear) and
 * import is idempotent (upserts by natural key), so export -> import -> export is a fixed point.
 *
 * - Users carry their password only as the tenant's own scrypt hash (`password_hash`), never
 *   in clear; a user without one cannot sign in with a password until one is set.
 * - Clients are exported without secrets. An import may give `client_secret` (stored hashed,
 *   for test tenants whose secret is public anyway); without it an existing client keeps its
 *   secret, and a new confidential client has none until `POST /clients/{id}/rotate-secret`.
 * - The Management API's audience depends on the issuer, so it is written `@management-api`.
 */

export const TENANT_FILE_VERSION = 1;
export const MANAGEMENT_AUDIENCE_ALIAS = '@management-api';

const id = z.string().min(1).max(255);
const scope = z.string().min(1).max(280);
const metadata = z.record(z.string(), z.unknown());
const lifetime = z.number().int().min(1).max(31_557_600);

const TenantFile = z
  .object({
    version: z.literal(TENANT_FILE_VERSION),
    settings: z
      .object({
        friendly_name: z.string().min(1).max(255),
        support_email: z.string().max(255).nullable(),
        // dpop_require_nonce is the tenant's own (not Auth0's), optional so files written before it still apply.
        flags: z
          .object({
            revoke_refresh_token_grant: z.boolean(),
            allow_legacy_delegation_grant_types: z.boolean(),
            dpop_require_nonce: z.boolean().optional(),
          })
          .strict(),
        session_lifetime: z.number().min(1).max(8760),
        idle_session_lifetime: z.number().min(1).max(8760),
      })
      .strict()
      .partial()
      .optional(),
    resource_servers: z
      .array(
        z
          .object({
            identifier: z.string().min(1).max(600),
            name: z.string().min(1).max(200),
            scopes: z
              .array(z.object({ value: scope, description: z.string().max(500).default('') }).strict())
              .default([]),
            token_lifetime: z.number().int().min(1).max(2_592_000).default(86_400),
            allow_offline_access: z.boolean().default(false),
          })
          .strict(),
      )
      .default([]),
    clients: z
      .array(
        z
          .object({
            client_id: id,
            name: z.string().min(1).max(200),
            description: z.string().max(140).default(''),
            app_type: z.enum(['native', 'spa', 'regular_web', 'non_interactive']),
            token_endpoint_auth_method: z.enum(['none', 'client_secret_post', 'client_secret_basic']),
            client_secret: z.string().min(16).max(500).optional(),
            callbacks: callbackUrls.default([]),
            allowed_logout_urls: logoutUrls.default([]),
            web_origins: webOrigins.default([]),
            allowed_origins: webOrigins.default([]),
            grant_types: z.array(z.string().min(1).max(100)).default([]),
            refresh_token: z
              .object({
                rotation_type: z.enum(['rotating', 'non-rotating']),
                expiration_type: z.enum(['expiring', 'non-expiring']),
                leeway: z.number().int().min(0).max(60),
                token_lifetime: lifetime,
                idle_token_lifetime: lifetime,
                infinite_token_lifetime: z.boolean(),
                infinite_idle_token_lifetime: z.boolean(),
              })
              .strict()
              .default(DEFAULT_REFRESH_TOKEN_POLICY),
            is_first_party: z.boolean().default(true),
            require_proof_of_possession: z.boolean().optional(),
          })
          .strict(),
      )
      .default([]),
    client_grants: z
      .array(z.object({ client_id: id, audience: z.string().min(1).max(600), scope: z.array(scope) }).strict())
      .default([]),
    users: z
      .array(
        z
          .object({
            user_id: id,
            email: z.email().max(255),
            email_verified: z.boolean().default(false),
            name: z.string().min(1).max(300),
            nickname: z.string().min(1).max(300),
            given_name: z.string().max(150).nullable().default(null),
            family_name: z.string().max(150).nullable().default(null),
            picture: z.string().max(2000).nullable().default(null),
            password_hash: z
              .string()
              .regex(
                /^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/,
                "must be this tenant's scrypt hash (scrypt$N$r$p$salt$hash)",
              )
              .optional(),
            app_metadata: metadata.default({}),
            user_metadata: metadata.default({}),
            blocked: z.boolean().default(false),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type TenantFile = z.input<typeof TenantFile>;

/** Parses and checks a tenant file; throws an Error naming the first bad field. */
export function parseTenantFile(text: string): z.output<typeof TenantFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`The tenant file is not JSON: ${(err as Error).message}`);
  }
  const parsed = TenantFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`The tenant file is invalid at ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  const file = parsed.data;
  const unique = (what: string, keys: string[]) => {
    const seen = new Set<string>();
    for (const key of keys) {
      if (seen.has(key)) throw new Error(`The tenant file lists ${what} ${key} twice`);
      seen.add(key);
    }
  };
  unique(
    'the API',
    file.resource_servers.map((rs) => rs.identifier),
  );
  unique(
    'the client',
    file.clients.map((c) => c.client_id),
  );
  unique(
    'the client grant of',
    file.client_grants.map((g) => `${g.client_id} for ${g.audience}`),
  );
  unique(
    'the user',
    file.users.map((u) => u.user_id),
  );
  unique(
    'the email',
    file.users.map((u) => u.email.toLowerCase()),
  );
  return file;
}

const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** The tenant as a file: deterministic, without secrets in clear. */
export async function exportTenant(store: TenantStore, issuer: string): Promise<TenantFile> {
  const mgmt = managementAudience(issuer);
  const settings = await store.settings.getSettings();
  const apis = (await store.directory.listResourceServers())
    .filter((rs) => !rs.is_system)
    .sort(byKey((rs) => rs.identifier));
  const clients: ClientRecord[] = [];
  for (let page = 0; ; page++) {
    const { items } = await store.directory.listClients(page, 100);
    clients.push(...items);
    if (items.length < 100) break;
  }
  const grants = [];
  for (let from: string | undefined; ; ) {
    const page = await store.directory.listClientGrants({}, from, 100);
    grants.push(...page.items);
    if (!page.next) break;
    from = page.next;
  }
  const users: UserRecord[] = [];
  for (let page = 0; ; page++) {
    const { items } = await store.directory.searchUsers({ page, perPage: 100, sort: { field: 'user_id', order: 1 } });
    users.push(...items);
    if (items.length < 100) break;
  }
  return {
    version: TENANT_FILE_VERSION,
    settings: { ...settings, flags: { ...settings.flags } },
    resource_servers: apis.map((rs) => ({
      identifier: rs.identifier,
      name: rs.name,
      scopes: rs.scopes,
      token_lifetime: rs.token_lifetime,
      allow_offline_access: rs.allow_offline_access,
    })),
    clients: clients.sort(byKey((c) => c.client_id)).map((c) => ({
      client_id: c.client_id,
      name: c.name,
      description: c.description,
      app_type: c.app_type,
      token_endpoint_auth_method: c.token_endpoint_auth_method,
      callbacks: c.callbacks,
      allowed_logout_urls: c.allowed_logout_urls,
      web_origins: c.web_origins ?? [],
      allowed_origins: c.allowed_origins ?? [],
      grant_types: c.grant_types,
      refresh_token: c.refresh_token,
      is_first_party: c.is_first_party,
      ...(c.require_proof_of_possession ? { require_proof_of_possession: true } : {}),
    })),
    client_grants: grants
      .map((g) => ({
        client_id: g.client_id,
        audience: g.audience === mgmt ? MANAGEMENT_AUDIENCE_ALIAS : g.audience,
        scope: [...g.scope].sort(),
      }))
      .sort(byKey((g) => `${g.client_id} ${g.audience}`)),
    users: users.map((u) => ({
      user_id: u.user_id,
      email: u.email,
      email_verified: u.email_verified,
      name: u.name,
      nickname: u.nickname,
      given_name: u.given_name,
      family_name: u.family_name,
      picture: u.picture,
      ...(u.password_hash ? { password_hash: u.password_hash } : {}),
      app_metadata: u.app_metadata,
      user_metadata: u.user_metadata,
      blocked: u.blocked,
    })),
  };
}

export interface ImportReport {
  created: { resource_servers: number; clients: number; client_grants: number; users: number };
  updated: { resource_servers: number; clients: number; client_grants: number; users: number };
  /** Confidential clients created without a secret: rotate one to use them. */
  clientsWithoutSecret: string[];
}

/**
 * Applies a tenant file: upserts by natural key (API identifier, client_id, client and
 * audience, user_id), so importing the same file twice changes nothing the second time.
 * What the file does not name is left alone. Checked in full before anything is written.
 */
export async function importTenant(
  store: TenantStore,
  text: string,
  input: { issuer: string; now: number },
): Promise<ImportReport> {
  const file = parseTenantFile(text);
  const mgmt = managementAudience(input.issuer);
  const audienceOf = (audience: string) => (audience === MANAGEMENT_AUDIENCE_ALIAS ? mgmt : audience);
  const report: ImportReport = {
    created: { resource_servers: 0, clients: 0, client_grants: 0, users: 0 },
    updated: { resource_servers: 0, clients: 0, client_grants: 0, users: 0 },
    clientsWithoutSecret: [],
  };

  // References first, so a bad file writes nothing.
  const apis = new Map((await store.directory.listResourceServers()).map((rs) => [rs.identifier, rs]));
  for (const rs of file.resource_servers) {
    if (rs.identifier === mgmt || apis.get(rs.identifier)?.is_system)
      throw new Error(`The tenant file cannot redefine the system API ${rs.identifier}`);
  }
  const fileApis = new Map(file.resource_servers.map((rs) => [rs.identifier, rs]));
  const fileClients = new Set(file.clients.map((c) => c.client_id));
  for (const g of file.client_grants) {
    const audience = audienceOf(g.audience);
    const api = fileApis.get(audience) ?? apis.get(audience);
    if (!api) throw new Error(`The client grant of ${g.client_id} names an unknown API: ${g.audience}`);
    const defined = new Set(api.scopes.map((s) => s.value));
    const unknown = g.scope.filter((s) => !defined.has(s));
    if (unknown.length)
      throw new Error(
        `The client grant of ${g.client_id} for ${g.audience} holds scopes its API does not define: ${unknown.join(', ')}`,
      );
    if (!fileClients.has(g.client_id) && !(await store.directory.getClient(g.client_id)))
      throw new Error(`The client grant names an unknown client: ${g.client_id}`);
  }
  for (const u of file.users) {
    const holder = await store.directory.getUserByEmail(u.email);
    if (holder && holder.user_id !== u.user_id)
      throw new Error(`The email of ${u.user_id} belongs to another user already: ${holder.user_id}`);
  }

  if (file.settings) {
    const patch = file.settings;
    await store.settings.updateSettings((current) => ({
      ...DEFAULT_TENANT_SETTINGS,
      ...current,
      ...patch,
      flags: { ...current.flags, ...patch.flags },
    }));
  }
  for (const rs of file.resource_servers) {
    const existing = apis.get(rs.identifier);
    await store.directory.putResourceServer({ id: existing?.id ?? ids.resourceServer(), ...rs, is_system: false });
    report[existing ? 'updated' : 'created'].resource_servers++;
  }
  for (const c of file.clients) {
    const existing = await store.directory.getClient(c.client_id);
    const { client_secret, ...fields } = c;
    const hash =
      c.token_endpoint_auth_method === 'none'
        ? null
        : client_secret
          ? sha256(client_secret)
          : (existing?.client_secret_hash ?? null);
    if (c.token_endpoint_auth_method !== 'none' && !hash) report.clientsWithoutSecret.push(c.client_id);
    const next: ClientRecord = {
      ...fields,
      client_secret_hash: hash,
      created_at: existing?.created_at ?? input.now,
      updated_at: existing ? existing.updated_at : input.now,
    };
    // A new secret, auth method or client_credentials taken away ends the client's Management API tokens, as through the API.
    await store.directory.putClient(
      existing
        ? stampCredentials(
            existing,
            {
              ...next,
              ...(existing.credentials_changed_at === undefined
                ? {}
                : { credentials_changed_at: existing.credentials_changed_at }),
            },
            input.now,
          )
        : next,
    );
    report[existing ? 'updated' : 'created'].clients++;
  }
  for (const g of file.client_grants) {
    const audience = audienceOf(g.audience);
    const existing = await store.directory.getClientGrant(g.client_id, audience);
    await store.directory.putClientGrant({
      id: existing?.id ?? ids.clientGrant(),
      client_id: g.client_id,
      audience,
      scope: g.scope,
    });
    report[existing ? 'updated' : 'created'].client_grants++;
  }
  for (const u of file.users) {
    const existing = await store.directory.getUser(u.user_id);
    const { password_hash, ...profile } = u;
    const user: UserRecord = {
      ...profile,
      // Without a hash in the file, an existing user keeps the password they have.
      password_hash: password_hash ?? existing?.password_hash ?? null,
      created_at: existing?.created_at ?? input.now,
      updated_at: existing?.updated_at ?? input.now,
      last_login: existing?.last_login ?? null,
      last_ip: existing?.last_ip ?? null,
      logins_count: existing?.logins_count ?? 0,
    };
    if (existing) {
      if ((await store.directory.updateUser(user)) === 'email_taken')
        throw new Error(`The email of ${u.user_id} belongs to another user already`);
    } else if (!(await store.directory.createUser(user))) {
      throw new Error(`The user ${u.user_id} could not be created: the email is taken`);
    }
    report[existing ? 'updated' : 'created'].users++;
  }
  return report;
}
