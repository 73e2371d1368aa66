import { managementAudience } from '../deps.ts';
import { CURRENT_USER_SCOPES } from '../domain/management-api-access.ts';
import type { TenantStore } from '../store/types.ts';

/** Scopes of the Management API v2 that this tenant implements. */
export const MANAGEMENT_SCOPES = [
  'read:users',
  'create:users',
  'update:users',
  'delete:users',
  'read:refresh_tokens',
  'update:refresh_tokens',
  'delete:refresh_tokens',
  'read:device_credentials',
  'delete:device_credentials',
  'read:grants',
  'delete:grants',
  'read:sessions',
  'delete:sessions',
  'read:clients',
  'create:clients',
  'update:clients',
  'delete:clients',
  'update:client_keys',
  'read:client_grants',
  'create:client_grants',
  'update:client_grants',
  'delete:client_grants',
  'read:tenant_settings',
  'update:tenant_settings',
  'read:logs',
  'read:logs_users',
  'read:resource_servers',
  'create:resource_servers',
  'update:resource_servers',
  'delete:resource_servers',
] as const;

export const MANAGEMENT_API_ID = 'management-api';

/**
 * The Management API is a system API whose identifier is `<issuer>api/v2/`. The issuer can
 * change between starts (another port), so its record, and the client grants that point at
 * it, follow the issuer here.
 */
export async function syncManagementApi(store: TenantStore, issuer: string): Promise<void> {
  const identifier = managementAudience(issuer);
  const existing = (await store.directory.listResourceServers()).find((rs) => rs.id === MANAGEMENT_API_ID);
  if (existing && existing.identifier !== identifier)
    await store.directory.retargetResourceServer(existing.identifier, identifier);
  await store.directory.putResourceServer({
    id: MANAGEMENT_API_ID,
    identifier,
    name: 'Auth0 Management API',
    scopes: managementApiScopes(),
    token_lifetime: 86_400,
    allow_offline_access: false,
    is_system: true,
  });
}

/** The Management API's scopes: the administrative ones (client grants only) and the end user's own. */
export function managementApiScopes(): { value: string; description: string }[] {
  return [...MANAGEMENT_SCOPES, ...CURRENT_USER_SCOPES].map((value) => ({ value, description: value }));
}
