import { z } from 'zod';
import { id } from './common.ts';
import { TokenBinding } from './user-access.ts';

/** What a destructive action on one user would revoke (the preview to confirm), and what it did. */

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
  /** Its DPoP binding, for the preview and the audit log; null where the tenant does not say. */
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
