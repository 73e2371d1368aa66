import { CREDENTIALS_CLAIM } from '../../domain/client-credentials.ts';
import { ids } from '../../domain/ids.ts';
import { AccessDenied, UnauthorizedClient } from '../../errors/oauth-error.ts';
import { parseScope } from '../scopes.ts';
import type { GrantHandler } from './types.ts';

/**
 * RFC 6749 4.4: a machine-to-machine client gets an access token for an API it holds a
 * client grant for. This is how the BFF gets its Management API token.
 */
export const clientCredentialsGrant: GrantHandler = async ({ deps, params, client, proof }) => {
  if (client.token_endpoint_auth_method === 'none') {
    throw new UnauthorizedClient('Public clients cannot use the client_credentials grant.');
  }
  const audience = params.get('audience');
  if (!audience)
    throw new AccessDenied('No audience parameter was provided, and no default audience has been configured');
  const api = await deps.store.directory.getResourceServer(audience);
  if (!api) throw new AccessDenied(`Service not found: ${audience}`);
  const clientGrant = await deps.store.directory.getClientGrant(client.client_id, audience);
  if (!clientGrant) {
    throw new AccessDenied(
      `Client is not authorized to access "${audience}". You need to create a "client-grant" associated to this API.`,
    );
  }
  const requested = parseScope(params.get('scope'));
  const denied = requested.filter((s) => !clientGrant.scope.includes(s));
  if (denied.length > 0) throw new AccessDenied(`Client has not been granted scopes: ${denied.join(', ')}`);
  const scope = requested.length > 0 ? requested : clientGrant.scope;

  const now = Math.floor(deps.clock.now() / 1000);
  const expiresIn = api.token_lifetime;
  const accessToken = await deps.keys.sign(
    {
      iss: deps.issuer,
      sub: `${client.client_id}@clients`,
      aud: audience,
      iat: now,
      exp: now + expiresIn,
      scope: scope.join(' '),
      gty: 'client-credentials',
      azp: client.client_id,
      // The credentials it was bought with: refused by the Management API once they change.
      ...(client.credentials_changed_at !== undefined ? { [CREDENTIALS_CLAIM]: client.credentials_changed_at } : {}),
      jti: ids.accessToken(),
      // RFC 9449 section 6: bound to the proof's key.
      ...(proof ? { cnf: { jkt: proof.jkt } } : {}),
    },
    'at+jwt',
  );
  return {
    access_token: accessToken,
    token_type: proof ? 'DPoP' : 'Bearer',
    expires_in: expiresIn,
    scope: scope.join(' '),
  };
};
