import { z } from 'zod';
import { ImpactSession } from './impact.ts';

/** A count of the user's live tokens by application or by device, most tokens first. */
const TokenCount = z.object({ name: z.string(), tokens: z.number().int() });

/**
 * "Sign out everywhere", the binding preview: every live refresh token of the user,
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
