import type { RevokeReason } from './revocation.ts';

/**
 * The tenant's model: settings, applications, APIs, users, consents, sessions, refresh
 * tokens and the rotation plan the domain hands a store. Stores persist these records;
 * the rules about them live beside this file (liveness, refresh-tokens, revocation-plan,
 * sso-session). Times are milliseconds since the epoch.
 */

export interface TenantFlags {
  /** "Refresh Token Revocation Deletes Grant": /oauth/revoke also deletes the grant. */
  revoke_refresh_token_grant: boolean;
  /** Allows the legacy /delegation endpoint (Auth0's 'Refresh Tokens' and legacy 'refresh_token' pages). */
  allow_legacy_delegation_grant_types: boolean;
  /**
   * Not Auth0's: /oauth/token asks every DPoP proof for a server nonce (RFC 9449 section 8),
   * answering `use_dpop_nonce` with a `DPoP-Nonce` header to a proof without a good one.
   */
  dpop_require_nonce: boolean;
}

export interface TenantSettings {
  friendly_name: string;
  support_email: string | null;
  flags: TenantFlags;
  /** Auth0's tenant-level session lifetimes, in hours. */
  session_lifetime: number;
  idle_session_lifetime: number;
}

export type RotationType = 'rotating' | 'non-rotating';

export type ExpirationType = 'expiring' | 'non-expiring';

/** Auth0's client `refresh_token` object. Lifetimes are in seconds. */
export interface RefreshTokenPolicy {
  rotation_type: RotationType;
  expiration_type: ExpirationType;
  leeway: number;
  token_lifetime: number;
  idle_token_lifetime: number;
  infinite_token_lifetime: boolean;
  infinite_idle_token_lifetime: boolean;
}

export type TokenEndpointAuthMethod = 'none' | 'client_secret_post' | 'client_secret_basic';

export type AppType = 'native' | 'spa' | 'regular_web' | 'non_interactive';

export interface ClientRecord {
  client_id: string;
  name: string;
  description: string;
  app_type: AppType;
  /** SHA-256 of the secret; null for public clients, and for a confidential one until rotate-secret gives it one. */
  client_secret_hash: Buffer | null;
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  callbacks: string[];
  allowed_logout_urls: string[];
  /** Auth0's Allowed Web Origins: where web_message responses may be posted; also allowed for CORS. */
  web_origins?: string[];
  /** Auth0's Allowed Origins (CORS): origins whose browser requests the Authentication API answers. */
  allowed_origins?: string[];
  grant_types: string[];
  refresh_token: RefreshTokenPolicy;
  is_first_party: boolean;
  created_at: number;
  updated_at: number;
  /**
   * When what vouches for the client last changed (its secret, its auth method, or
   * client_credentials taken away), ms, strictly increasing; absent if never. Its
   * client_credentials tokens carry the value they were issued under, and the Management API
   * refuses any that no longer matches (domain/client-credentials.ts).
   */
  credentials_changed_at?: number;
  /**
   * Auth0's client fields this tenant keeps and returns without acting on them (logo_uri,
   * client_metadata, jwt_configuration, ...: management/client-fields.ts KEPT_CLIENT_FIELDS).
   */
  kept?: Record<string, unknown>;
  /** Auth0's name: /oauth/token refuses this client's requests without a DPoP proof. */
  require_proof_of_possession?: boolean;
}

export interface ResourceServerRecord {
  id: string;
  identifier: string;
  name: string;
  scopes: { value: string; description: string }[];
  token_lifetime: number;
  allow_offline_access: boolean;
  is_system: boolean;
}

/** A client's permission to call an API with client_credentials. */
export interface ClientGrantRecord {
  id: string;
  client_id: string;
  audience: string;
  scope: string[];
}

export interface UserRecord {
  user_id: string;
  email: string;
  email_verified: boolean;
  name: string;
  nickname: string;
  given_name: string | null;
  family_name: string | null;
  picture: string | null;
  password_hash: string | null;
  /** Custom claims, e.g. the dashboard role of a staff account. */
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
  blocked: boolean;
  created_at: number;
  updated_at: number;
  last_login: number | null;
  last_ip: string | null;
  logins_count: number;
}

/** A user's consent for a client to act on an API with some scopes. */
export interface GrantRecord {
  id: string;
  user_id: string;
  client_id: string;
  audience: string;
  scope: string[];
  created_at: number;
  updated_at: number;
}

export interface DeviceInfo {
  initial_ip: string | null;
  initial_asn: string | null;
  initial_user_agent: string | null;
  last_ip: string | null;
  last_asn: string | null;
  last_user_agent: string | null;
}

export interface SessionRecord {
  id: string;
  user_id: string;
  created_at: number;
  updated_at: number;
  authenticated_at: number;
  last_interacted_at: number;
  idle_expires_at: number | null;
  expires_at: number | null;
  device: DeviceInfo;
  /** Clients that received tokens in this session. */
  clients: string[];
  authentication_methods: { name: string; timestamp: number }[];
  revoked_at: number | null;
}

export interface ResourceServerGrant {
  audience: string;
  scopes: string;
}

/**
 * A refresh token as the Management API sees it: one stable id for the life of the token.
 * A rotating token keeps its id across exchanges (its secret changes; `last_exchanged_at`
 * moves), which is how Auth0 lists it, so a device's count does not grow with every refresh.
 */
export interface RefreshTokenRecord {
  id: string;
  user_id: string;
  client_id: string;
  grant_id: string | null;
  session_id: string | null;
  device_name: string | null;
  audience: string;
  scope: string[];
  resource_servers: ResourceServerGrant[];
  rotating: boolean;
  created_at: number;
  /** Absolute expiry, fixed when the family was first issued; null when infinite. */
  expires_at: number | null;
  /** Slides forward on every exchange; null when infinite. */
  idle_expires_at: number | null;
  last_exchanged_at: number | null;
  device: DeviceInfo;
  metadata: Record<string, string>;
  revoked_at: number | null;
  revoked_reason: RevokeReason | null;
  /** Reuse interval in seconds copied from the client when issued. */
  leeway: number;
  /** How long idle expiry slides on each exchange, seconds; null when infinite. */
  idle_lifetime: number | null;
  /**
   * The JWK SHA-256 thumbprint (RFC 7638) of the DPoP key the token is bound to for its whole
   * life, or null: only a proof by that key exchanges it (RFC 9449 section 5).
   */
  dpop_jkt: string | null;
}

/** The secret value of a refresh token as presented by a client. */
export interface PresentedSecret {
  /** SHA-256 of the presented value. */
  hash: Buffer;
}

/** The state of one family, as the rotation planner sees it under lock. */
export interface RotationState {
  token: RefreshTokenRecord;
  /** Which of the family's secrets was presented. */
  presented: 'current' | 'previous' | 'stale';
  /** Until when the previous secret may still be exchanged (reuse leeway). */
  previous_valid_until: number | null;
  /** A pending bulk revocation (user, grant, session, client) already covers this token. */
  revoked_by_job: boolean;
  /** The token's user, read in the same transaction: a blocked or deleted user's token is refused, not rotated. */
  user: 'active' | 'blocked' | 'missing';
}

/** What the domain decided to do with a presented refresh token; applied atomically. */
export type RotationPlan =
  /** Refused, nothing written. `notGranted`: the request asked for scopes the token does not hold. */
  | { kind: 'reject'; notGranted?: string[]; dpop?: DpopRefusal }
  | { kind: 'revoke-family'; reason: 'reuse_detected' }
  | {
      kind: 'exchange';
      /** A rotating token gets a new secret; a non-rotating one keeps its own. */
      newSecretHash: Buffer | null;
      /** True when the previous secret was used within leeway: the current secret is replaced. */
      replacesCurrent: boolean;
      previousValidUntil: number | null;
      idleExpiresAt: number | null;
      lastExchangedAt: number;
      lastIp: string | null;
      lastAsn: string | null;
      lastUserAgent: string | null;
      /** A log entry the store writes in the rotation's own transaction (no commit of its own). */
      event?: TenantEvent;
    };

/** Why a DPoP-bound refresh token was refused: no proof, or a proof by another key. */
export type DpopRefusal = 'missing-proof' | 'other-key';

export type RotationPlanner = (state: RotationState) => RotationPlan;

export type RotationOutcome =
  | { kind: 'unknown' }
  | { kind: 'rejected'; token: RefreshTokenRecord; notGranted?: string[]; dpop?: DpopRefusal }
  | { kind: 'reuse-detected'; token: RefreshTokenRecord }
  /** `user`: the token's user as the rotation read it, under its lock (active, or it would not be exchanged). */
  | { kind: 'exchanged'; token: RefreshTokenRecord; user: UserRecord };

export interface NewRefreshToken {
  id: string;
  secretHash: Buffer;
  user_id: string;
  client_id: string;
  grant_id: string | null;
  session_id: string | null;
  device_name: string | null;
  audience: string;
  scope: string[];
  resource_servers: ResourceServerGrant[];
  rotating: boolean;
  created_at: number;
  expires_at: number | null;
  idle_expires_at: number | null;
  idle_lifetime: number | null;
  leeway: number;
  device: DeviceInfo;
  metadata?: Record<string, string>;
  /** See RefreshTokenRecord.dpop_jkt; absent means unbound. */
  dpop_jkt?: string | null;
}

export interface AuthorizationCodeRecord {
  client_id: string;
  user_id: string;
  redirect_uri: string;
  scope: string[];
  audience: string;
  nonce: string | null;
  code_challenge: string | null;
  code_challenge_method: string | null;
  session_id: string;
  grant_id: string;
  device_name: string | null;
  auth_time: number;
  expires_at: number;
  /** The refresh token issued when the code was redeemed, so a second redemption can revoke it. */
  refresh_token_id?: string | null;
  /** Set when the code was presented again after its redemption. */
  reused?: boolean;
}

export interface TenantEvent {
  id: string;
  /** Auth0 log event types where one exists (e.g. `ferrt`: failed exchange, reused rotating token). */
  type: string;
  description: string;
  user_id: string | null;
  client_id: string | null;
  refresh_token_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  created_at: number;
}
