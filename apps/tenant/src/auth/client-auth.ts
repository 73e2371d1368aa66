import type { Context } from 'hono';
import { matchesHash } from '../crypto/secrets.ts';
import { InvalidClient, InvalidRequest } from '../errors/oauth-error.ts';
import type { Params } from '../http/params.ts';
import type { ClientRecord, TokenEndpointAuthMethod } from '../domain/model.ts';
import type { TenantStore } from '../store/types.ts';

/**
 * Authenticates the client of a token, revocation or delegation request, with the method the
 * application is registered for (`token_endpoint_auth_method`), and only that one:
 * `client_secret_basic` (Authorization header), `client_secret_post` (body), or `none` for a
 * public client, which sends its client_id and no secret at all: a public client presenting
 * a secret is refused, so a leaked secret of a client that should have none is never trusted.
 * Secrets are compared in constant time against a stored hash.
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
  const presented: TokenEndpointAuthMethod = basic
    ? 'client_secret_basic'
    : bodySecret !== undefined
      ? 'client_secret_post'
      : 'none';
  const secret = basic?.secret ?? bodySecret;

  const client = await store.directory.getClient(clientId);
  if (!client) throw new InvalidClient();
  if (presented !== client.token_endpoint_auth_method) {
    throw new InvalidClient(
      client.token_endpoint_auth_method === 'none'
        ? 'A public client must not present a client secret.'
        : `The client must authenticate with ${client.token_endpoint_auth_method}.`,
    );
  }
  if (presented === 'none') return client;
  if (secret === undefined || client.client_secret_hash === null || !matchesHash(secret, client.client_secret_hash)) {
    throw new InvalidClient();
  }
  return client;
}

const MALFORMED = 'Malformed Basic authorization header.';

/**
 * RFC 6749 2.3.1: `Basic base64(form-urlencode(id) ":" form-urlencode(secret))`, decoded
 * strictly: canonical base64 only, valid UTF-8, a non-empty id, and `+` meaning a space as in
 * any form-urlencoded value.
 */
function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header || !/^basic /i.test(header)) return undefined;
  const encoded = header.slice(6).trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) throw new InvalidClient(MALFORMED);
  const bytes = Buffer.from(encoded, 'base64');
  // Non-canonical padding bits decode to the same bytes; re-encoding shows them.
  if (bytes.toString('base64') !== encoded) throw new InvalidClient(MALFORMED);
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InvalidClient(MALFORMED);
  }
  const colon = decoded.indexOf(':');
  if (colon < 1) throw new InvalidClient(MALFORMED);
  try {
    const formDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw new InvalidClient(MALFORMED);
  }
}
