import { z } from 'zod';
import { badRequest } from '../errors/management-error.ts';
import type { ClientRecord, TenantSettings } from '../store/types.ts';

/** The legacy grant `/delegation` needs (references 001 and 004). */
export const LEGACY_DELEGATION_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * The grant types Auth0 accepts in a client's `grant_types` (the SDK's ClientCreate and
 * ClientUpdate list them), and the legacy delegation grant. A client may list one this
 * tenant does not serve; /oauth/token then answers `unsupported_grant_type` for it.
 */
export const CLIENT_GRANT_TYPES = [
  'authorization_code',
  'implicit',
  'refresh_token',
  'client_credentials',
  'password',
  'http://auth0.com/oauth/grant-type/password-realm',
  'http://auth0.com/oauth/grant-type/mfa-oob',
  'http://auth0.com/oauth/grant-type/mfa-otp',
  'http://auth0.com/oauth/grant-type/mfa-recovery-code',
  'urn:openid:params:grant-type:ciba',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token',
  LEGACY_DELEGATION_GRANT,
] as const;

export const APP_TYPES = ['native', 'spa', 'regular_web', 'non_interactive'] as const;
export const TOKEN_ENDPOINT_AUTH_METHODS = ['none', 'client_secret_post', 'client_secret_basic'] as const;

const unique = (values: string[]) => new Set(values).size === values.length;

export const grantTypes = z
  .array(z.enum(CLIENT_GRANT_TYPES, { error: (issue) => `Unknown grant type ${JSON.stringify(String(issue.input).slice(0, 100))}` }))
  .max(CLIENT_GRANT_TYPES.length)
  .refine(unique, 'Grant types must not repeat');

/**
 * A URL as Auth0 takes it in callbacks and logout URLs: absolute, any scheme (native apps
 * use their own), `*` allowed as a subdomain wildcard, no spaces or control characters.
 */
function parseUrl(value: string): URL | undefined {
  if (value.length > 2000 || /[\s\u0000-\u001f\u007f]/.test(value)) return undefined;
  try {
    return new URL(value.replace(/^([a-z][a-z0-9+.-]*:\/\/)\*\./i, '$1wildcard.'));
  } catch {
    return undefined;
  }
}

const urlList = (what: string, accept: (url: URL, text: string) => boolean) =>
  z
    .array(z.string().refine((text) => { const url = parseUrl(text); return url !== undefined && accept(url, text); }, `Must be a valid ${what}`))
    .max(100, `At most 100 ${what}s`);

/** RFC 6749 3.1.2: a redirection URI must not include a fragment. */
export const callbackUrls = urlList('callback URL', (url, text) => url.hash === '' && !text.includes('#'));
export const logoutUrls = urlList('logout URL', () => true);
/** An origin: scheme, host and port, nothing after. */
export const webOrigins = urlList('web origin', (url, text) => /^https?:$/.test(url.protocol) && !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*[/?#]/i.test(text));

/**
 * The rules a client keeps whatever was changed, checked on the client as it would be
 * stored: a public client cannot use client credentials (a confidential one may lack a
 * secret: made public and back, it has none until rotate-secret), and granting the legacy
 * delegation grant needs the tenant's legacy flag (Auth0 refuses legacy grants on tenants
 * that do not allow them). `grantTypesGiven`: only a
 * request that sets grant_types is held to the flag, so a client keeps working (and can be
 * renamed) after the flag is turned off.
 */
export function checkClientRules(
  client: Pick<ClientRecord, 'grant_types' | 'token_endpoint_auth_method'>,
  settings: TenantSettings,
  grantTypesGiven: boolean,
): void {
  if (client.token_endpoint_auth_method === 'none' && client.grant_types.includes('client_credentials')) {
    throw badRequest('A client without a secret (token_endpoint_auth_method "none") cannot use the client_credentials grant.');
  }
  if (grantTypesGiven && client.grant_types.includes(LEGACY_DELEGATION_GRANT) && !settings.flags.allow_legacy_delegation_grant_types) {
    throw badRequest(`The grant type ${LEGACY_DELEGATION_GRANT} is legacy: turn on the tenant flag allow_legacy_delegation_grant_types first.`);
  }
}
