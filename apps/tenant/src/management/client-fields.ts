import { z } from 'zod';
import { runsScript } from '../domain/callbacks.ts';
import { hasUserinfo, wildcardTooBroad } from '../domain/origins.ts';
import { badRequest } from '../errors/management-error.ts';
import type { ClientRecord, TenantSettings } from '../domain/model.ts';

/** The legacy grant `/delegation` needs (Auth0's 'Refresh Tokens' and legacy 'refresh_token' pages). */
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
  .array(
    z.enum(CLIENT_GRANT_TYPES, {
      error: (issue) => `Unknown grant type ${JSON.stringify(String(issue.input).slice(0, 100))}`,
    }),
  )
  .max(CLIENT_GRANT_TYPES.length)
  .refine(unique, 'Grant types must not repeat');

/**
 * A URL as Auth0 takes it in callbacks and logout URLs: absolute, any scheme (native apps
 * use their own), `*` allowed as a subdomain wildcard, no spaces or control characters. No
 * userinfo (`https://*.example.com@evil.org` is evil.org), and no wildcard over a public
 * suffix (`https://*.com`, `https://*.co.uk`: every site there).
 */
function parseUrl(value: string): URL | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what a URL may not hold.
  if (value.length > 2000 || /[\s\u0000-\u001f\u007f]/.test(value) || hasUserinfo(value)) return undefined;
  const wildcard = /^[a-z][a-z0-9+.-]*:\/\/\*\./i.test(value);
  try {
    const url = new URL(value.replace(/^([a-z][a-z0-9+.-]*:\/\/)\*\./i, '$1wildcard.'));
    if (url.username !== '' || url.password !== '') return undefined;
    if (wildcard && wildcardTooBroad(url.hostname.slice('wildcard.'.length))) return undefined;
    return url;
  } catch {
    return undefined;
  }
}

const urlList = (what: string, accept: (url: URL, text: string) => boolean) =>
  z
    .array(
      z.string().refine((text) => {
        const url = parseUrl(text);
        return url !== undefined && accept(url, text);
      }, `Must be a valid ${what}`),
    )
    .max(100, `At most 100 ${what}s`);

/** RFC 6749 3.1.2: a redirection URI must not include a fragment. Never a script scheme (domain/callbacks.ts). */
export const callbackUrls = urlList(
  'callback URL',
  (url, text) => url.hash === '' && !text.includes('#') && !runsScript(url),
);
export const logoutUrls = urlList('logout URL', (url) => !runsScript(url));
/** An origin: scheme, host and port, nothing after. */
export const webOrigins = urlList(
  'web origin',
  (url, text) => /^https?:$/.test(url.protocol) && !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*[/?#]/i.test(text),
);

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
    throw badRequest(
      'A client without a secret (token_endpoint_auth_method "none") cannot use the client_credentials grant.',
    );
  }
  if (
    grantTypesGiven &&
    client.grant_types.includes(LEGACY_DELEGATION_GRANT) &&
    !settings.flags.allow_legacy_delegation_grant_types
  ) {
    throw badRequest(
      `The grant type ${LEGACY_DELEGATION_GRANT} is legacy: turn on the tenant flag allow_legacy_delegation_grant_types first.`,
    );
  }
}

/** An https URL, as Auth0 requires of initiate_login_uri. */
const httpsUrl = z
  .string()
  .max(2000)
  .refine((text) => parseUrl(text)?.protocol === 'https:', 'Must be a valid https URL');
const anyUrl = z
  .string()
  .max(2000)
  .refine((text) => parseUrl(text) !== undefined, 'Must be a valid URL');
/** A JSON object Auth0 keeps as given (addons, mobile, ...), bounded so no client row grows without limit. */
const jsonObject = z
  .record(z.string().max(255), z.unknown())
  .refine((value) => JSON.stringify(value).length <= 16_384, 'Must be at most 16 KB of JSON');

/**
 * Auth0's client_metadata: at most 10 properties, keys and string values of at most 255
 * characters (Auth0's limits; it refuses more with a 400).
 */
const clientMetadata = z
  .record(z.string().min(1).max(255), z.string().max(255, 'client_metadata values must be at most 255 characters'))
  .refine((m) => Object.keys(m).length <= 10, 'client_metadata has at most 10 properties');

/**
 * The fields of the SDK's CreateClientRequestContent / UpdateClientRequestContent that this
 * tenant keeps and returns as given without acting on them (its sign-in has no SSO toggle,
 * organizations, add-ons or custom login page): an integration that sets them against Auth0
 * works here unchanged. Each is checked as Auth0 checks it, so what Auth0 refuses is refused.
 */
export const KEPT_CLIENT_FIELDS = {
  logo_uri: anyUrl,
  allowed_clients: z.array(z.string().min(1).max(255)).max(100),
  client_aliases: z.array(z.string().min(1).max(2000)).max(100),
  initiate_login_uri: httpsUrl,
  oidc_conformant: z.boolean(),
  jwt_configuration: z
    .object({
      lifetime_in_seconds: z.number().int().min(0).max(2_592_000),
      secret_encoded: z.boolean(),
      scopes: jsonObject,
      alg: z.enum(['HS256', 'RS256', 'PS256']),
    })
    .partial()
    .strict(),
  client_metadata: clientMetadata,
  sso: z.boolean(),
  sso_disabled: z.boolean(),
  cross_origin_authentication: z.boolean(),
  cross_origin_loc: anyUrl,
  custom_login_page_on: z.boolean(),
  custom_login_page: z.string().max(100_000),
  custom_login_page_preview: z.string().max(100_000),
  form_template: z.string().max(100_000),
  is_token_endpoint_ip_header_trusted: z.boolean(),
  addons: jsonObject,
  mobile: jsonObject,
  native_social_login: jsonObject,
  oidc_logout: jsonObject,
  oidc_backchannel_logout: jsonObject,
  organization_usage: z.enum(['deny', 'allow', 'require']),
  organization_require_behavior: z.enum(['no_prompt', 'pre_login_prompt', 'post_login_prompt']),
  require_pushed_authorization_requests: z.boolean(),
  skip_non_verifiable_callback_uri_confirmation_prompt: z.boolean(),
} as const;

export type KeptClientFields = { [K in keyof typeof KEPT_CLIENT_FIELDS]?: z.infer<(typeof KEPT_CLIENT_FIELDS)[K]> };

/** The kept fields of a validated request body, and the rest of it. */
export function splitKeptFields<T extends Record<string, unknown>>(
  body: T,
): { kept: KeptClientFields; rest: Omit<T, keyof KeptClientFields> } {
  const kept: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined) continue;
    if (Object.hasOwn(KEPT_CLIENT_FIELDS, key)) kept[key] = value;
    else rest[key] = value;
  }
  return { kept: kept as KeptClientFields, rest: rest as Omit<T, keyof KeptClientFields> };
}
