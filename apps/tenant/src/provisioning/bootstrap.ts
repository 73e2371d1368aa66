import { sha256 } from '../crypto/secrets.ts';
import { managementAudience } from '../deps.ts';
import { ids } from '../domain/ids.ts';
import { MANAGEMENT_SCOPES } from '../management/system-api.ts';
import { DEFAULT_REFRESH_TOKEN_POLICY } from '../domain/defaults.ts';
import type { TenantStore } from '../store/types.ts';

/** The machine-to-machine client a fresh tenant is administered with, from the operator's configuration. */
export interface BootstrapClient {
  clientId: string;
  clientSecret: string;
}

/** Client ids are names in URLs and Basic credentials: keep them to a safe alphabet. */
export const BOOTSTRAP_CLIENT_ID = /^[A-Za-z0-9_.-]{8,64}$/;
/** The secret guards every Management API scope: at least 32 characters (as Auth0's own are 64). */
export const MIN_BOOTSTRAP_SECRET_LENGTH = 32;

/** Why a bootstrap client's id or secret is unacceptable, or undefined when both are fine. */
export function bootstrapClientProblem(client: BootstrapClient): string | undefined {
  if (!BOOTSTRAP_CLIENT_ID.test(client.clientId))
    return 'the bootstrap client id must be 8 to 64 characters of A-Z a-z 0-9 _ . -';
  if (client.clientSecret.length < MIN_BOOTSTRAP_SECRET_LENGTH) {
    return `the bootstrap client secret must be at least ${MIN_BOOTSTRAP_SECRET_LENGTH} characters (e.g. \`openssl rand -base64 48\`)`;
  }
  return undefined;
}

/**
 * The bootstrap client from `--bootstrap-client ID:SECRET`, or else TENANT_BOOTSTRAP_CLIENT_ID
 * and TENANT_BOOTSTRAP_CLIENT_SECRET; throws when it is given by halves or is too weak.
 */
export function readBootstrapClient(flag: string | undefined, env: NodeJS.ProcessEnv): BootstrapClient | undefined {
  let client: BootstrapClient | undefined;
  if (flag !== undefined) {
    const colon = flag.indexOf(':');
    if (colon < 1) throw new Error('--bootstrap-client takes ID:SECRET');
    client = { clientId: flag.slice(0, colon), clientSecret: flag.slice(colon + 1) };
  } else if (env.TENANT_BOOTSTRAP_CLIENT_ID || env.TENANT_BOOTSTRAP_CLIENT_SECRET) {
    if (!env.TENANT_BOOTSTRAP_CLIENT_ID || !env.TENANT_BOOTSTRAP_CLIENT_SECRET) {
      throw new Error('Set both TENANT_BOOTSTRAP_CLIENT_ID and TENANT_BOOTSTRAP_CLIENT_SECRET, or neither');
    }
    client = { clientId: env.TENANT_BOOTSTRAP_CLIENT_ID, clientSecret: env.TENANT_BOOTSTRAP_CLIENT_SECRET };
  }
  const problem = client && bootstrapClientProblem(client);
  if (problem) throw new Error(problem);
  return client;
}

/** What a start did about the bootstrap client: the banner says it. */
export type BootstrapOutcome = 'created' | 'secret-set' | 'exists';

/**
 * Makes sure the configured machine-to-machine client can administer the tenant, as Auth0
 * gives every new tenant one, so a tenant never locks itself out:
 * - no client of that id (a new tenant, or one deleted since): created, with a client grant
 *   for the Management API holding every scope;
 * - a client of that id without a secret that never had its credentials changed (a tenant
 *   file carries no secret): given the configured one;
 * - otherwise left alone: its secret may have been rotated through the API since, its grant
 *   narrowed or deleted on purpose.
 * Instances starting together decide one at a time.
 */
export async function ensureBootstrapClient(
  store: TenantStore,
  input: BootstrapClient & { issuer: string; now: number },
): Promise<BootstrapOutcome> {
  const problem = bootstrapClientProblem(input);
  if (problem) throw new Error(problem);
  return store.settings.exclusive('bootstrap-client', async () => {
    const existing = await store.directory.getClient(input.clientId);
    if (existing) {
      // Only a client that never had its credentials changed (one a tenant file brought in
      // without a secret) is given the configured secret. A secret taken away through the
      // Management API (made public and back) stays away, or anyone allowed to update clients
      // could bring a rotated-away bootstrap secret, and every scope, back at the next start.
      if (
        existing.client_secret_hash !== null ||
        existing.token_endpoint_auth_method === 'none' ||
        existing.credentials_changed_at !== undefined
      )
        return 'exists';
      await store.directory.putClient({
        ...existing,
        client_secret_hash: sha256(input.clientSecret),
        updated_at: input.now,
      });
      return 'secret-set';
    }
    await store.directory.putClient({
      client_id: input.clientId,
      name: 'Bootstrap (Management API)',
      description: 'Created at start from TENANT_BOOTSTRAP_CLIENT_ID / --bootstrap-client.',
      app_type: 'non_interactive',
      client_secret_hash: sha256(input.clientSecret),
      token_endpoint_auth_method: 'client_secret_post',
      callbacks: [],
      allowed_logout_urls: [],
      grant_types: ['client_credentials'],
      refresh_token: DEFAULT_REFRESH_TOKEN_POLICY,
      is_first_party: true,
      created_at: input.now,
      updated_at: input.now,
    });
    const audience = managementAudience(input.issuer);
    if (!(await store.directory.getClientGrant(input.clientId, audience))) {
      await store.directory.putClientGrant({
        id: ids.clientGrant(),
        client_id: input.clientId,
        audience,
        scope: [...MANAGEMENT_SCOPES],
      });
    }
    return 'created';
  });
}
