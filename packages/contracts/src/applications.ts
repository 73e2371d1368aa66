import { z } from 'zod';

/** One application's live refresh tokens: how many, of how many users, on how many devices. */
export const TokenCounts = z.object({
  tokens: z.number().int().min(0),
  users: z.number().int().min(0),
  devices: z.number().int().min(0),
});
export type TokenCounts = z.infer<typeof TokenCounts>;

/**
 * `bound`: how many of its live tokens are bound to a DPoP key, the rest being bearer
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
