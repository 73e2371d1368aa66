import type { Context } from 'hono';
import { matchesHash } from '../crypto/secrets.ts';
import { InvalidClient, InvalidRequest } from '../errors/oauth-error.ts';
import type { Params } from '../http/params.ts';
import type { ClientRecord, TenantStore } from '../store/types.ts';

/**
 * Authenticates the client of a token or revocation request: `client_secret_basic`
 * (Authorization header), `client_secret_post` (body), or `none` for public clients, which
 * send only their client_id. Secrets are compared in constant time against a stored hash.
 */
export async function authenticateClient(c: Context, params: Params, store: TenantStore): Promise<ClientRecord> {
  const basic = parseBasic(c.req.header('authorization'));
  const bodyId = params.get('client_id');
  const bodySecret = params.get('client_secret');
  if (basic && bodySecret !== undefined) {
    throw new InvalidRequest('Use only one method of client authentication');
  }
  if (basic && bodyId !== undefined && bodyId !== basic.id) {
    throw new InvalidRequest('client_id does not match the Authorization header');
  }
  const clientId = basic?.id ?? bodyId;
  if (clientId === undefined) throw new InvalidRequest('Missing required parameter: client_id');
  const secret = basic?.secret ?? bodySecret;

  const client = await store.getClient(clientId);
  if (!client) throw new InvalidClient();
  if (client.token_endpoint_auth_method === 'none') return client;
  if (secret === undefined || client.client_secret_hash === null || !matchesHash(secret, client.client_secret_hash)) {
    throw new InvalidClient();
  }
  return client;
}

/** RFC 6749 2.3.1: `Basic base64(urlencode(id):urlencode(secret))`. */
function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw new InvalidClient('Malformed Basic authorization header.');
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  } catch {
    throw new InvalidClient('Malformed Basic authorization header.');
  }
}
