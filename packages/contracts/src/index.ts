import { z } from 'zod';

/**
 * The BFF's API for the dashboard: every request it validates and every body it answers.
 * Times are ISO 8601 strings; ids are the Management API's.
 */

export {
  ROLES,
  CAN,
  can,
  searchNarrows,
  searchRevokePermission,
  staffTargetReason,
  WIDE_SEARCH_REVOKE_REASON,
  type Role as RoleName,
  type Permission,
} from './roles.ts';
import { IpPlace } from './locations.ts';
import { ROLES } from './roles.ts';
import { AUDIT_ACTIONS, AUDIT_KINDS, AUDIT_RESULTS } from './audit.ts';
export {
  AUDIT_ACTIONS,
  AUDIT_ACTION_KINDS,
  AUDIT_ACTION_LABELS,
  AUDIT_KINDS,
  AUDIT_RESULTS,
  actionsOfKind,
} from './audit.ts';

export * from './locations.ts';
export * from './history.ts';
export { bindingOf, bindingWords, shortThumbprint, DPOP_BOUND_TOKEN_REFUSED } from './binding.ts';
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

// ---------------------------------------------------------------- errors

export const ApiError = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    request_id: z.string().optional(),
    /** Seconds, when the answer is "try again later". */
    retry_after: z.number().optional(),
    /** Which fields were wrong, for 400s. */
    fields: z.record(z.string(), z.string()).optional(),
    /** 409 impact_changed: what the action would revoke now, to show and confirm again. */
    impact: z.lazy(() => Impact).optional(),
    /** 409 impact_changed: how that differs from what was confirmed, in sentences. */
    changes: z.array(z.string()).optional(),
  }),
});
export type ApiError = z.infer<typeof ApiError>;

// ---------------------------------------------------------------- session

export const Me = z.object({
  user: z.object({ sub: z.string(), name: z.string(), email: z.string().nullable(), role: Role }),
  csrf_token: z.string(),
  tenant: z.object({ name: z.string(), domain: z.string(), embedded: z.boolean() }),
  session: z.object({ expires_at: z.string(), idle_timeout_seconds: z.number() }),
});
export type Me = z.infer<typeof Me>;

// ---------------------------------------------------------------- users

const id = z.string().min(1).max(255);
const intFromQuery = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const UserSearchQuery = z.object({
  q: z.string().trim().max(200).optional(),
  page: intFromQuery(0, 39, 0),
  per_page: intFromQuery(1, 100, 25),
});
export type UserSearchQuery = z.infer<typeof UserSearchQuery>;

export const UserSummary = z.object({
  user_id: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  picture: z.string().nullable(),
  created_at: z.string().nullable(),
  last_login: z.string().nullable(),
  logins_count: z.number(),
  blocked: z.boolean(),
  /** The console role this account holds (staff), from the tenant's roles claim; null for end users. */
  console_role: Role.nullable(),
});
export type UserSummary = z.infer<typeof UserSummary>;

export const UserSearchResult = z.object({
  users: z.array(UserSummary),
  total: z.number(),
  page: z.number(),
  per_page: z.number(),
});
export type UserSearchResult = z.infer<typeof UserSearchResult>;

/** The network and country of the address beside it (issue 19). Optional only for fixtures: the BFF always sends it. */
const placeOfIp = IpPlace.nullable().optional();

export const UserDetail = UserSummary.extend({
  email_verified: z.boolean(),
  updated_at: z.string().nullable(),
  last_ip: z.string().nullable(),
  last_place: placeOfIp,
  connection: z.string().nullable(),
});
export type UserDetail = z.infer<typeof UserDetail>;

// ---------------------------------------------------------------- devices, apps, tokens, sessions

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
 * How a refresh token is held (issue 30): bound to a DPoP key (RFC 9449; `jkt`, the key's RFC
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
  /** `dpop_bound_token_refused` (the embedded tenant's theft signal, issue 30): why it was refused (`missing-proof`, `other-key`, `invalid-proof`); null otherwise. */
  reason: z.string().nullable(),
  /** `dpop_bound_token_refused`: whether the token presented is still live (so revoking it is offered); null for other events. */
  token_live: z.boolean().nullable(),
});
export type SecurityEvent = z.infer<typeof SecurityEvent>;
export const SecurityEventList = z.object({ events: z.array(SecurityEvent) });
export type SecurityEventList = z.infer<typeof SecurityEventList>;

// ---------------------------------------------------------------- tenant settings

export const TenantSettings = z.object({ revoke_refresh_token_grant: z.boolean() });
export type TenantSettings = z.infer<typeof TenantSettings>;
export const UpdateTenantSettings = z.object({ revoke_refresh_token_grant: z.boolean() }).strict();
export type UpdateTenantSettings = z.infer<typeof UpdateTenantSettings>;

// ---------------------------------------------------------------- impact previews

export const IMPACT_ACTIONS = [
  'device.unlink',
  'device.lost',
  'grant.revoke',
  'refresh_token.revoke',
  'refresh_tokens.revoke_all',
  'session.revoke',
] as const;

export const ImpactRequest = z.discriminatedUnion('action', [
  z.object({ action: z.literal('device.unlink'), device_name: z.string().min(1).max(255) }),
  z.object({ action: z.literal('device.lost'), device_name: z.string().min(1).max(255) }),
  z.object({ action: z.literal('grant.revoke'), grant_id: id }),
  z.object({ action: z.literal('refresh_token.revoke'), token_id: id }),
  z.object({
    action: z.literal('refresh_tokens.revoke_all'),
    client_id: id.optional(),
    device_name: z.string().min(1).max(255).optional(),
  }),
  z.object({ action: z.literal('session.revoke'), session_id: id }),
]);
export type ImpactRequest = z.infer<typeof ImpactRequest>;

export const ImpactToken = z.object({
  id: z.string(),
  client_id: z.string(),
  client_name: z.string(),
  device_name: z.string().nullable(),
  /** Its DPoP binding (issue 30), for the preview and the audit log; null where the tenant does not say. */
  binding: TokenBinding,
  /** Why it goes: the target itself, the grant the setting deletes with it, or a session that ends. */
  via: z.enum(['target', 'grant', 'session']),
});
export type ImpactToken = z.infer<typeof ImpactToken>;

export const ImpactSession = z.object({
  session_id: z.string(),
  /** "Chrome on Android 15 (Jane's Pixel), 203.0.113.7", for the preview. */
  description: z.string(),
});
export type ImpactSession = z.infer<typeof ImpactSession>;

export const Impact = z.object({
  action: z.enum(IMPACT_ACTIONS),
  /** The current value of "Refresh Token Revocation Deletes Grant". */
  setting_deletes_grant: z.boolean(),
  tokens: z.array(ImpactToken),
  grants: z.array(z.object({ grant_id: z.string(), client_name: z.string(), api_name: z.string() })),
  /** Sessions the action ends. */
  sessions: z.array(ImpactSession),
  /** The target device, application or session, by name. */
  target_name: z.string(),
});
export type Impact = z.infer<typeof Impact>;

export const ActionResult = z.object({
  /** Tokens the action revoked (their rows may still be listed for a moment: revocation is eventually consistent). */
  revoked_token_ids: z.array(z.string()),
  deleted_grant_ids: z.array(z.string()),
  ended_session_ids: z.array(z.string()),
  /** What was done, as previewed and confirmed: for the result summary. */
  impact: Impact,
  /** The audit entry recording it. */
  audit_id: z.string(),
});
export type ActionResult = z.infer<typeof ActionResult>;

// ---------------------------------------------------------------- sign out everywhere

/** A count of the user's live tokens by application or by device, most tokens first. */
const TokenCount = z.object({ name: z.string(), tokens: z.number().int() });

/**
 * "Sign out everywhere" (issue 29), the binding preview: every live refresh token of the user,
 * counted by application and by device, and every session. `digest` is the SHA-256 (hex) of the
 * sorted token and session ids; the action runs only when a fresh preview has the same counts
 * and digest (else 409 `impact_changed` with the new preview in `sign_out_impact`).
 */
export const SignOutImpact = z.object({
  user_id: z.string(),
  /** The user's name (else email, else id), for the dialog and the result. */
  user_name: z.string(),
  tokens: z.number().int(),
  applications: z.array(TokenCount.extend({ client_id: z.string() })),
  /** By device name; a token without one (a real Auth0 tenant's) counts under its agent in words, else "Unnamed device". */
  devices: z.array(TokenCount),
  sessions: z.array(ImpactSession),
  digest: z.string(),
  /** More live tokens than the console loads (10,000): then every token of the user is revoked, not only the ids counted. */
  truncated: z.boolean(),
  /** Already blocked: "Also block this user" has nothing left to do. */
  blocked: z.boolean(),
});
export type SignOutImpact = z.infer<typeof SignOutImpact>;

export const SignOutExpected = z
  .object({
    tokens: z.number().int().min(0),
    sessions: z.number().int().min(0),
    digest: z.string().regex(/^[0-9a-f]{64}$/, 'must be the preview digest'),
  })
  .strict();
export type SignOutExpected = z.infer<typeof SignOutExpected>;

export const SignOutEverywhereBody = z
  .object({
    /** Also block the user (PATCH /api/v2/users/{id} {blocked: true}): no new sign-in, no refresh. */
    block: z.boolean(),
    /** The preview confirmed; without it the answer is 409 with the preview to confirm. */
    expected: SignOutExpected.optional(),
  })
  .strict();
export type SignOutEverywhereBody = z.infer<typeof SignOutEverywhereBody>;

export const SignOutEverywhereResult = z.object({
  /** What was revoked and ended: the preview confirmed. */
  impact: SignOutImpact,
  /** Whether this action blocked the user (false when not asked, or when already blocked). */
  blocked: z.boolean(),
  /** The user is blocked now (by this action or before it). */
  is_blocked: z.boolean(),
  audit_id: z.string(),
});
export type SignOutEverywhereResult = z.infer<typeof SignOutEverywhereResult>;

// ---------------------------------------------------------------- audit

export const AuditAction = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditAction>;
export const AuditKind = z.enum(AUDIT_KINDS);
export type AuditKind = z.infer<typeof AuditKind>;
export const AuditResult = z.enum(AUDIT_RESULTS);
export type AuditResult = z.infer<typeof AuditResult>;

export const AuditEntry = z.object({
  id: z.string(),
  at: z.string(),
  /** role null: someone signed in at the identity provider without a console role (a refused sign-in). */
  actor: z.object({ sub: z.string(), name: z.string(), role: Role.nullable() }),
  action: AuditAction,
  kind: AuditKind,
  target_user_id: z.string().nullable(),
  target: z.string(),
  /** refused: the BFF answered 403 (the role may not do this, or not to this user or result), nothing was done. */
  result: AuditResult,
  detail: z.string(),
  request_id: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditQuery = z.object({
  /** One entry, by its id: the detail view's link. */
  id: z.string().max(100).optional(),
  actor: z.string().max(255).optional(),
  user_id: z.string().max(255).optional(),
  action: AuditAction.optional(),
  kind: AuditKind.optional(),
  result: AuditResult.optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  page: intFromQuery(0, 10_000, 0),
  per_page: intFromQuery(1, 200, 50),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

/** Auth0 pages a user's logs through the first 1,000 entries only: 40 pages of 25. */
export const HistoryQuery = z.object({ page: intFromQuery(0, 39, 0), per_page: intFromQuery(1, 25, 25) });
export type HistoryQuery = z.infer<typeof HistoryQuery>;

export const AuditPage = z.object({
  entries: z.array(AuditEntry),
  total: z.number(),
  page: z.number(),
  per_page: z.number(),
});
export type AuditPage = z.infer<typeof AuditPage>;

// ---------------------------------------------------------------- applications (issue 20)

/** One application's live refresh tokens: how many, of how many users, on how many devices. */
export const TokenCounts = z.object({
  tokens: z.number().int().min(0),
  users: z.number().int().min(0),
  devices: z.number().int().min(0),
});
export type TokenCounts = z.infer<typeof TokenCounts>;

/**
 * `bound`: how many of its live tokens are bound to a DPoP key (issue 30), the rest being bearer
 * tokens; null where the tenant does not count them (a real Auth0 tenant, or counts null).
 */
export type ApplicationSummary = { client_id: string; name: string; counts: TokenCounts | null; bound: number | null };
/**
 * The Applications area. `counts` are null where the tenant cannot count (a real Auth0 tenant
 * lists refresh tokens per user only): `counts_unavailable` then says so in words.
 */
export type ApplicationList = { applications: ApplicationSummary[]; counts_unavailable: string | null };

/** What "Revoke all tokens of this application" would revoke, now: the binding preview. */
export type ApplicationImpact = {
  client_id: string;
  name: string;
  counts: TokenCounts;
  /** The users holding most of its tokens, at most 10. */
  first_users: { user_id: string; email: string | null; tokens: number }[];
  /** The newest counted token in the tenant's order (null: none): the revocation covers none issued after. */
  issued_through: number | null;
};

/** What an application-wide revocation was previewed as: its counts and its newest token. */
export const ExpectedApplicationImpact = TokenCounts.extend({
  issued_through: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable(),
});
export type ExpectedApplicationImpact = z.infer<typeof ExpectedApplicationImpact>;

/**
 * The confirmation: the application's name typed in, and what the preview showed. A changed
 * count, or a token issued since (the same counts can hide one revoked and one issued), is
 * refused with 409 and the new preview; the tenant then revokes no token issued after it.
 */
export const RevokeApplicationTokensBody = z.object({
  confirm_name: z.string().max(255),
  expected: ExpectedApplicationImpact.optional(),
});
export type RevokeApplicationTokensBody = z.infer<typeof RevokeApplicationTokensBody>;

export type ApplicationRevokeResult = { client_id: string; name: string; revoked: TokenCounts; audit_id: string };

// ---------------------------------------------------------------- search across users (issue 20)

/** The address formats the search takes: one address, or a CIDR range. */
const IP_FORMATS = [z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()];
/** An optional text filter: surrounding blanks dropped, and an empty one (a cleared field) is no filter. */
const textFilter = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : undefined));

/**
 * An ISO 8601 instant with a time zone, as the tenant takes it: at most 9 fractional-second
 * digits (nanoseconds), so a longer one is the console's 400 naming the field, not the tenant's.
 */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATETIME = z.iso.datetime({ offset: true });
const instant = z
  .string()
  .max(40)
  .refine(
    (v) => ISO_INSTANT.test(v) && ISO_DATETIME.safeParse(v).success,
    'must be an ISO 8601 date and time with a time zone (+hh:mm or Z), at most 9 fractional-second digits',
  );

const searchFields = {
  /** An IPv4/IPv6 address or CIDR range: matches a token (session) first or last seen in it. */
  ip: textFilter(64).refine(
    (v) => v === undefined || IP_FORMATS.some((f) => f.safeParse(v).success),
    'must be an IPv4 or IPv6 address, or a CIDR range such as 203.0.113.0/24',
  ),
  /** "AS64500" or "64500": the network first or last seen on. */
  asn: textFilter(12).refine(
    (v) => v === undefined || (/^(AS)?\d{1,10}$/i.test(v) && Number(v.replace(/^AS/i, '')) <= 4_294_967_295),
    'must be an AS number such as AS64500',
  ),
  /** Part of the user agent first or last seen, any case. */
  user_agent: textFilter(256),
  /** Part of the device name, any case. */
  device_name: textFilter(255),
  client_id: textFilter(255),
  /** "Last used between": from (inclusive) and to (exclusive), ISO 8601 instants. */
  last_used_from: instant.optional(),
  last_used_to: instant.optional(),
  /** Only tokens bound to a DPoP key, or only bearer ones (issue 30): narrows the others, no condition of its own. */
  dpop: z.enum(['bound', 'bearer']).optional(),
};
const { client_id: _clientId, device_name: _deviceName, dpop: _dpop, ...sessionSearchFields } = searchFields;

type FilterShape = {
  ip?: string;
  asn?: string;
  user_agent?: string;
  device_name?: string;
  client_id?: string;
  last_used_from?: string;
  last_used_to?: string;
  dpop?: string;
};
const FILTER_KEYS = ['ip', 'asn', 'user_agent', 'device_name', 'client_id', 'last_used_from', 'last_used_to'] as const;
/** A search names at least one condition (the tenant refuses a search of everything), and a time range that is one. */
const checkFilter = (f: FilterShape, ctx: z.RefinementCtx) => {
  if (!FILTER_KEYS.some((k) => f[k] !== undefined))
    ctx.addIssue({
      code: 'custom',
      path: ['filter'],
      message: 'Give at least one of ip, asn, user_agent, device_name, client_id, last_used_from, last_used_to.',
    });
  if (f.last_used_from && f.last_used_to && Date.parse(f.last_used_from) >= Date.parse(f.last_used_to))
    ctx.addIssue({ code: 'custom', path: ['last_used_to'], message: 'must be after last_used_from' });
};
/** `from`: the tenant's cursor, at most 255 characters there too. */
const paging = { take: intFromQuery(1, 100, 50), from: z.string().min(1).max(255).optional() };

/** What a refresh-token search matches; the binding preview and the revocation are bound to it. */
export const TokenSearchFilter = z.object(searchFields).strict().superRefine(checkFilter);
export type TokenSearchFilter = z.output<typeof TokenSearchFilter>;
export const SessionSearchFilter = z.object(sessionSearchFields).strict().superRefine(checkFilter);
export type SessionSearchFilter = z.output<typeof SessionSearchFilter>;

/** GET /api/search/refresh-tokens: the filter, and the page (`from`: the previous page's `next`). */
export const TokenSearchQuery = z
  .object({ ...searchFields, ...paging })
  .strict()
  .superRefine(checkFilter);
export type TokenSearchQuery = z.output<typeof TokenSearchQuery>;
export const SessionSearchQuery = z
  .object({ ...sessionSearchFields, ...paging })
  .strict()
  .superRefine(checkFilter);
export type SessionSearchQuery = z.output<typeof SessionSearchQuery>;

/** Where a token or session was first or last seen, with what the user pages show of it. */
export type SearchSighting = {
  ip: string | null;
  asn: string | null;
  user_agent: string | null;
  /** The user agent in a few words ("Chrome 126 on ChromeOS"). */
  agent: string | null;
  /** The network and country of the address. */
  place: IpPlace | null;
};
export type SearchUser = { user_id: string; email: string | null; name: string | null };

export type TokenSearchRow = {
  id: string;
  user: SearchUser;
  application: Application;
  device_name: string | null;
  session_id: string | null;
  created_at: string | null;
  /** The last exchange, or the issue when never exchanged: what "last used between" compares. */
  last_used_at: string | null;
  initial: SearchSighting;
  last: SearchSighting;
  binding: TokenBinding;
};
export type SessionSearchRow = {
  id: string;
  user: SearchUser;
  applications: Application[];
  created_at: string | null;
  authenticated_at: string | null;
  /** The last interaction: what "last used between" compares. */
  last_used_at: string | null;
  initial: SearchSighting;
  last: SearchSighting;
};

/**
 * One page of a search across users. `unavailable` is a sentence when the tenant cannot search
 * (a real Auth0 tenant: the search is the embedded tenant's extension), with no rows then.
 */
export type TokenSearchResult = {
  tokens: TokenSearchRow[];
  next: string | null;
  totals: TokenSearchTotals | null;
  unavailable: string | null;
};
export type SessionCounts = { sessions: number; users: number };
export type SessionSearchResult = {
  sessions: SessionSearchRow[];
  next: string | null;
  totals: SessionSearchTotals | null;
  unavailable: string | null;
};
/**
 * A search's counts. `limited`: the tenant stopped counting at 10,000 matches, so the count is
 * "more than" and users and devices (counted over those) "at least".
 */
export type TokenSearchTotals = TokenCounts & { limited: boolean };
export type SessionSearchTotals = SessionCounts & { limited: boolean };

/** POST /api/search/refresh-tokens/impact */
export const TokenSearchImpactBody = z.object({ filter: TokenSearchFilter }).strict();
export type TokenSearchImpactBody = z.input<typeof TokenSearchImpactBody>;

/**
 * "Revoke these N tokens", now: the binding preview. `digest` is the SHA-256 (hex) of the
 * matched token ids, sorted and joined by newlines; the revocation runs only if it still holds.
 * Past `limit` tokens the preview stops counting (`over_limit`) and nothing is revoked.
 */
export type TokenSearchImpact = {
  filter: TokenSearchFilter;
  totals: TokenSearchTotals;
  /** The users with most matching tokens, at most 10. */
  first_users: { user_id: string; email: string | null; tokens: number }[];
  digest: string;
  over_limit: boolean;
  limit: number;
  /**
   * Why only an admin may revoke this result (null: support may too): a filter that does not
   * narrow, or a result holding all of an application's live tokens, more than the configured
   * share of them, or more tokens than the configured count. Decided again at the revocation.
   */
  admin_only: string | null;
};

/** The revocation: the filter, what its preview showed, and REVOKE typed in. */
export const RevokeSearchTokensBody = z
  .object({
    filter: TokenSearchFilter,
    expected: z
      .object({
        tokens: z.number().int().min(0),
        digest: z.string().regex(/^[0-9a-f]{64}$/, 'must be the preview digest'),
      })
      .strict()
      .optional(),
    confirm: z.string().max(64),
  })
  .strict();
export type RevokeSearchTokensBody = z.input<typeof RevokeSearchTokensBody>;

export type SearchRevokeResult = { filter: TokenSearchFilter; revoked: TokenCounts; audit_id: string };

/** GET /api/search/applications: the application filter's choices. */
export type SearchApplications = { applications: Application[] };

/** POST /api/search/sessions/impact */
export const SessionSearchImpactBody = z.object({ filter: SessionSearchFilter }).strict();
export type SessionSearchImpactBody = z.input<typeof SessionSearchImpactBody>;

/**
 * "End these N sessions", now: the binding preview, as for tokens (`digest` of the sorted
 * session ids). Ending a session also revokes the refresh tokens issued in it.
 */
export type SessionSearchImpact = {
  filter: SessionSearchFilter;
  totals: SessionSearchTotals;
  /** The users with most matching sessions, at most 10. */
  first_users: { user_id: string; email: string | null; sessions: number }[];
  digest: string;
  over_limit: boolean;
  limit: number;
  /** Why only an admin may end these sessions (a filter that does not narrow); null: support may too. */
  admin_only: string | null;
};

export const RevokeSearchSessionsBody = z
  .object({
    filter: SessionSearchFilter,
    expected: z
      .object({
        sessions: z.number().int().min(0),
        digest: z.string().regex(/^[0-9a-f]{64}$/, 'must be the preview digest'),
      })
      .strict()
      .optional(),
    confirm: z.string().max(64),
  })
  .strict();
export type RevokeSearchSessionsBody = z.input<typeof RevokeSearchSessionsBody>;

export type SearchSessionsRevokeResult = { filter: SessionSearchFilter; ended: SessionCounts; audit_id: string };

/**
 * The incident view of an address, a network or an AS number: the refresh tokens and the
 * sessions the search finds, contained at once. The search's session filter (no application,
 * device name or binding: a session has none), naming an address, a network or an AS number.
 */
export const ContainFilter = z
  .object(sessionSearchFields)
  .strict()
  .superRefine(checkFilter)
  .superRefine((f, ctx) => {
    if (f.ip === undefined && f.asn === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['filter'],
        message: 'Contain an address, a network (ip) or an AS number (asn).',
      });
  });
export type ContainFilter = z.output<typeof ContainFilter>;

/** POST /api/search/contain/impact */
export const ContainImpactBody = z.object({ filter: ContainFilter }).strict();
export type ContainImpactBody = z.input<typeof ContainImpactBody>;

/**
 * "Contain": what revoking every matching refresh token and ending every matching session
 * would do, now. `digest` is the SHA-256 of the sorted token ids (each `token:<id>`) and
 * session ids (`session:<id>`): the containment runs only if both sets still hold.
 */
export type ContainImpact = {
  filter: ContainFilter;
  tokens: TokenSearchTotals;
  sessions: SessionSearchTotals;
  /** Users holding a matching token or session, across both. */
  users: number;
  /** The users with most matching tokens and sessions, at most 10. */
  first_users: { user_id: string; email: string | null; tokens: number; sessions: number }[];
  digest: string;
  /** More tokens or sessions than the console revokes or ends at once: narrow the search. */
  over_limit: boolean;
  /** Why only an admin may contain this (the tokens' or the sessions' reason); null: support may too. */
  admin_only: string | null;
};

export const ContainBody = z
  .object({
    filter: ContainFilter,
    expected: z
      .object({
        tokens: z.number().int().min(0),
        sessions: z.number().int().min(0),
        digest: z.string().regex(/^[0-9a-f]{64}$/, 'must be the preview digest'),
      })
      .strict()
      .optional(),
    confirm: z.string().max(64),
  })
  .strict();
export type ContainBody = z.input<typeof ContainBody>;

export type ContainResult = { filter: ContainFilter; revoked: TokenCounts; ended: SessionCounts; audit_id: string };

/**
 * A leaked application secret: the application-wide revocation's preview, and what rotating
 * the secret would mean. `has_secret` false (a public client): only the revocation is offered.
 * `console_client`: the console's own sign-in application (`sign_in`: revoking its tokens signs
 * every staff member out) or its Management API client (`management`: rotating it here would
 * cut the console off, so it is refused).
 */
export type LeakedSecretImpact = ApplicationImpact & {
  has_secret: boolean;
  console_client: 'sign_in' | 'management' | null;
};

/** POST /api/applications/{id}/leaked-secret: the name typed, the preview's counts, and whether to rotate. */
export const LeakedSecretBody = z
  .object({ confirm_name: z.string().max(255), expected: ExpectedApplicationImpact.optional(), rotate: z.boolean() })
  .strict();
export type LeakedSecretBody = z.infer<typeof LeakedSecretBody>;

/** `client_secret`: the new secret, shown once (never audited, never logged); null when not rotated. */
export type LeakedSecretResult = {
  client_id: string;
  name: string;
  revoked: TokenCounts;
  rotated: boolean;
  client_secret: string | null;
  audit_id: string;
};
