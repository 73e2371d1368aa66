import { toIso } from '../clock.ts';
import { deviceCredentialId } from '../domain/ids.ts';
import type {
  ClientRecord,
  DeviceInfo,
  GrantRecord,
  RefreshTokenRecord,
  SessionRecord,
  TenantEvent,
  TenantSettings,
  UserRecord,
} from '../domain/model.ts';
import type { RefreshTokenSummary } from '../store/contract/refresh-tokens.ts';

/**
 * The Management API's bodies, field for field as the auth0 SDK (v7) types them:
 * RefreshTokenResponseContent, DeviceCredential, UserGrant, SessionResponseContent, ...
 */

/**
 * Auth0's Management API reference (GET /refresh-tokens/{id}): the device object always carries
 * these six keys, null when unknown (the SDK types them as optional strings; a missing key and a null mean the same to it).
 */
function device(info: DeviceInfo): DeviceInfo {
  return {
    initial_ip: info.initial_ip ?? null,
    initial_asn: info.initial_asn ?? null,
    initial_user_agent: info.initial_user_agent ?? null,
    last_ip: info.last_ip ?? null,
    last_asn: info.last_asn ?? null,
    last_user_agent: info.last_user_agent ?? null,
  };
}

export function refreshTokenBody(t: RefreshTokenSummary) {
  return {
    id: t.id,
    user_id: t.user_id,
    created_at: toIso(t.created_at),
    idle_expires_at: toIso(t.idle_expires_at),
    expires_at: toIso(t.expires_at),
    device: device(t.device),
    client_id: t.client_id,
    session_id: t.session_id,
    rotating: t.rotating,
    resource_servers: t.resource_servers,
    refresh_token_metadata: t.metadata,
    last_exchanged_at: toIso(t.last_exchanged_at),
    // Not Auth0's: the thumbprint (RFC 7638) of the DPoP key the token is bound to, or null.
    dpop_jkt: t.dpop_jkt,
  };
}

/** A refresh token as a device credential (Auth0's 'Refresh Tokens': `device_name` is the `device` given at /authorize). */
export function deviceCredentialBody(t: RefreshTokenRecord) {
  return {
    id: deviceCredentialId(t.id),
    device_name: t.device_name ?? '',
    type: t.rotating ? ('rotating_refresh_token' as const) : ('refresh_token' as const),
    user_id: t.user_id,
    client_id: t.client_id,
  };
}

/** Auth0's grant body, with its camel-case `clientID`. */
export function grantBody(g: GrantRecord) {
  return { id: g.id, clientID: g.client_id, user_id: g.user_id, audience: g.audience, scope: g.scope };
}

export function sessionBody(s: SessionRecord) {
  return {
    id: s.id,
    user_id: s.user_id,
    created_at: toIso(s.created_at),
    updated_at: toIso(s.updated_at),
    authenticated_at: toIso(s.authenticated_at),
    idle_expires_at: toIso(s.idle_expires_at),
    expires_at: toIso(s.expires_at),
    last_interacted_at: toIso(s.last_interacted_at),
    device: device(s.device),
    clients: s.clients.map((client_id) => ({ client_id })),
    authentication: { methods: s.authentication_methods.map((m) => ({ name: m.name, timestamp: toIso(m.timestamp) })) },
    cookie: { mode: 'non-persistent' as const },
  };
}

export function userBody(u: UserRecord) {
  return {
    user_id: u.user_id,
    email: u.email,
    email_verified: u.email_verified,
    name: u.name,
    nickname: u.nickname,
    ...(u.given_name ? { given_name: u.given_name } : {}),
    ...(u.family_name ? { family_name: u.family_name } : {}),
    ...(u.picture ? { picture: u.picture } : {}),
    created_at: toIso(u.created_at)!,
    updated_at: toIso(u.updated_at)!,
    identities: [
      {
        provider: 'auth0',
        user_id: u.user_id.replace(/^auth0\|/, ''),
        connection: 'Username-Password-Authentication',
        isSocial: false,
      },
    ],
    app_metadata: u.app_metadata,
    user_metadata: u.user_metadata,
    ...(u.last_login ? { last_login: toIso(u.last_login)! } : {}),
    ...(u.last_ip ? { last_ip: u.last_ip } : {}),
    logins_count: u.logins_count,
    blocked: u.blocked,
  };
}

export function clientBody(c: ClientRecord, tenant: string) {
  return {
    // Fields kept as given come first: the ones this tenant acts on are written after, and win.
    ...c.kept,
    client_id: c.client_id,
    tenant,
    name: c.name,
    description: c.description,
    app_type: c.app_type,
    is_first_party: c.is_first_party,
    oidc_conformant: c.kept?.oidc_conformant ?? true,
    callbacks: c.callbacks,
    allowed_logout_urls: c.allowed_logout_urls,
    web_origins: c.web_origins ?? [],
    allowed_origins: c.allowed_origins ?? [],
    grant_types: c.grant_types,
    token_endpoint_auth_method: c.token_endpoint_auth_method,
    refresh_token: c.refresh_token,
    require_proof_of_possession: c.require_proof_of_possession ?? false,
    created_at: toIso(c.created_at),
    updated_at: toIso(c.updated_at),
  };
}

export function tenantSettingsBody(s: TenantSettings) {
  return {
    friendly_name: s.friendly_name,
    ...(s.support_email ? { support_email: s.support_email } : {}),
    flags: s.flags,
    session_lifetime: s.session_lifetime,
    idle_session_lifetime: s.idle_session_lifetime,
  };
}

/** A tenant event as an Auth0 log entry (`GET /users/{id}/logs`). */
export function logBody(e: TenantEvent) {
  return {
    log_id: e.id,
    date: toIso(e.created_at),
    type: e.type,
    description: e.description,
    ...(e.client_id ? { client_id: e.client_id } : {}),
    ...(e.ip ? { ip: e.ip } : {}),
    ...(e.user_id ? { user_id: e.user_id } : {}),
    details: { ...e.details, ...(e.refresh_token_id ? { refresh_token_id: e.refresh_token_id } : {}) },
  };
}
