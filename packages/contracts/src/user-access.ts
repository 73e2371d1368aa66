import { z } from 'zod';
import { id, intFromQuery, placeOfIp } from './common.ts';

/** A user's devices, authorized applications, refresh tokens, sessions and security events, and the actions on them. */

export const Application = z.object({ client_id: z.string(), name: z.string() });
export type Application = z.infer<typeof Application>;

export const Device = z.object({
  /** The `device` given at /authorize; "Unnamed device" when none was. */
  name: z.string(),
  token_count: z.number(),
  applications: z.array(Application),
  credential_ids: z.array(z.string()),
  last_used_at: z.string().nullable(),
  last_ip: z.string().nullable(),
  last_place: placeOfIp,
  last_user_agent: z.string().nullable(),
  /** The last user agent in a few words (parsed, never guessed). */
  last_agent: z.string().nullable(),
  /** Why this device may be in someone else's hands: a token last used by another agent family or from another network than it was issued to. */
  signals: z.array(z.string()),
  /** Rotated refresh tokens of this device used again (Auth0 log `ferrt`). */
  reuse: z.array(z.lazy(() => SecurityEvent)),
  /** Live sessions the device's tokens were issued in. */
  session_ids: z.array(z.string()),
});
export type Device = z.infer<typeof Device>;

export const DeviceList = z.object({ devices: z.array(Device) });
export type DeviceList = z.infer<typeof DeviceList>;

/**
 * What the person saw in the preview and confirmed: every destructive action sends it back,
 * and the BFF runs the action only if a fresh preview says exactly the same (else 409 with
 * that preview). Optional in the schema so a request without it is answered with the preview
 * to confirm (409), not a bare 400.
 */
export const ExpectedImpact = z.object({
  token_ids: z.array(id).max(2000),
  grant_ids: z.array(id).max(200),
  session_ids: z.array(id).max(200),
  /** "Refresh Token Revocation Deletes Grant" as the preview assumed it. */
  setting_deletes_grant: z.boolean(),
});
export type ExpectedImpact = z.infer<typeof ExpectedImpact>;
const bound = { expected: ExpectedImpact.optional() };

export const UnlinkDeviceBody = z.object({ device_name: z.string().min(1).max(255), ...bound });
export type UnlinkDeviceBody = z.infer<typeof UnlinkDeviceBody>;

/** "This device was lost or stolen": its tokens and the sessions opened from it. */
export const DeviceLostBody = UnlinkDeviceBody;
export type DeviceLostBody = z.infer<typeof DeviceLostBody>;

/** The body of DELETE actions (a token, a grant, a session): the confirmed preview. */
export const ConfirmedActionBody = z.object(bound);
export type ConfirmedActionBody = z.infer<typeof ConfirmedActionBody>;

export const AuthorizedApp = z.object({
  grant_id: z.string(),
  client_id: z.string(),
  client_name: z.string(),
  audience: z.string(),
  api_name: z.string(),
  scopes: z.array(z.string()),
  /** The Management API does not return when a grant was made: this is its oldest live token's issue. */
  first_token_at: z.string().nullable(),
  token_count: z.number(),
  device_names: z.array(z.string()),
});
export type AuthorizedApp = z.infer<typeof AuthorizedApp>;

export const AuthorizedAppList = z.object({ apps: z.array(AuthorizedApp) });
export type AuthorizedAppList = z.infer<typeof AuthorizedAppList>;

const DeviceInfo = z.object({
  initial_ip: z.string().nullable(),
  initial_asn: z.string().nullable(),
  initial_user_agent: z.string().nullable(),
  last_ip: z.string().nullable(),
  last_asn: z.string().nullable(),
  last_user_agent: z.string().nullable(),
  initial_place: placeOfIp,
  last_place: placeOfIp,
  /** The user agents in a few words: "Chrome 126 on ChromeOS", "python-requests 2.31.0". */
  initial_agent: z.string().nullable(),
  last_agent: z.string().nullable(),
});

/**
 * How a refresh token is held: bound to a DPoP key (RFC 9449; `jkt`, the key's RFC
 * 7638 SHA-256 thumbprint), so a copy is useless without the private key, or a bearer token.
 * Null where the tenant does not say: a real Auth0 tenant's tokens carry no `dpop_jkt` at all,
 * and the console never guesses "bearer" for them.
 */
export const TokenBinding = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('dpop'), jkt: z.string() }),
    z.object({ kind: z.literal('bearer') }),
  ])
  .nullable();
export type TokenBinding = z.infer<typeof TokenBinding>;

export const RefreshToken = z.object({
  id: z.string(),
  client_id: z.string(),
  client_name: z.string(),
  device_name: z.string().nullable(),
  session_id: z.string().nullable(),
  rotating: z.boolean(),
  created_at: z.string().nullable(),
  last_exchanged_at: z.string().nullable(),
  expires_at: z.string().nullable(),
  idle_expires_at: z.string().nullable(),
  device: DeviceInfo,
  resource_servers: z.array(z.object({ audience: z.string(), api_name: z.string(), scopes: z.array(z.string()) })),
  metadata: z.record(z.string(), z.unknown()),
  binding: TokenBinding,
  /** How its last use differs from its issue (agent family, network), in sentences; empty when it does not. */
  signals: z.array(z.string()),
});
export type RefreshToken = z.infer<typeof RefreshToken>;

export const RefreshTokenList = z.object({
  tokens: z.array(RefreshToken),
  /** True when the user has more live tokens than the console loads at once. */
  truncated: z.boolean(),
});
export type RefreshTokenList = z.infer<typeof RefreshTokenList>;

/**
 * One page of a user's refresh tokens as the tenant pages them (by id, oldest first), for users
 * with more tokens than the console lists at once. `from` is the tenant's opaque cursor from
 * the previous page's `next`; `client_id` filters on the tenant (Auth0 can, for this listing).
 */
export const RefreshTokenPageQuery = z
  .object({
    from: z.string().min(1).max(1024).optional(),
    take: intFromQuery(1, 100, 50),
    client_id: id.optional(),
  })
  .strict();
export type RefreshTokenPageQuery = z.infer<typeof RefreshTokenPageQuery>;

export const RefreshTokenPage = z.object({
  tokens: z.array(RefreshToken),
  /** The cursor of the next page; null on the last one. */
  next: z.string().nullable(),
});
export type RefreshTokenPage = z.infer<typeof RefreshTokenPage>;

/** The refresh-token table's filters: exactly the rows it shows. */
export const RevokeAllTokensBody = z.object({
  client_id: id.optional(),
  device_name: z.string().min(1).max(255).optional(),
  ...bound,
});
export type RevokeAllTokensBody = z.infer<typeof RevokeAllTokensBody>;

export const Session = z.object({
  id: z.string(),
  created_at: z.string().nullable(),
  last_interacted_at: z.string().nullable(),
  authenticated_at: z.string().nullable(),
  expires_at: z.string().nullable(),
  idle_expires_at: z.string().nullable(),
  device: DeviceInfo,
  applications: z.array(Application),
  authentication_methods: z.array(z.string()),
  token_count: z.number(),
  /** Device names of the refresh tokens issued in this session. */
  device_names: z.array(z.string()),
});
export type Session = z.infer<typeof Session>;

export const SessionList = z.object({ sessions: z.array(Session) });
export type SessionList = z.infer<typeof SessionList>;

/** A tenant log entry worth showing a support person: e.g. a reused rotating token. */
export const SecurityEvent = z.object({
  id: z.string(),
  at: z.string().nullable(),
  type: z.string(),
  description: z.string(),
  client_id: z.string().nullable(),
  client_name: z.string().nullable(),
  refresh_token_id: z.string().nullable(),
  device_name: z.string().nullable(),
  ip: z.string().nullable(),
  /** The agent that presented the token, in a few words and raw. */
  agent: z.string().nullable(),
  user_agent: z.string().nullable(),
  place: placeOfIp,
  /** The address in words with its network and country, or why the data has none ("127.0.0.1 (loopback address: …)"). */
  where: z.string().nullable(),
  /**
   * `dpop_bound_token_refused` (the embedded tenant's theft signal): why it was refused
   * (`missing-proof`, `other-key`, `invalid-proof`); null otherwise.
   */
  reason: z.string().nullable(),
  /** `dpop_bound_token_refused`: whether the token presented is still live (so revoking it is offered); null for other events. */
  token_live: z.boolean().nullable(),
});
export type SecurityEvent = z.infer<typeof SecurityEvent>;
export const SecurityEventList = z.object({ events: z.array(SecurityEvent) });
export type SecurityEventList = z.infer<typeof SecurityEventList>;
