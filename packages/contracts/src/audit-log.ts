import { z } from 'zod';
import { AUDIT_ACTIONS, AUDIT_KINDS, AUDIT_RESULTS } from './audit.ts';
import { intFromQuery } from './common.ts';
import { Role } from './session.ts';

/** The audit log's entries, its filters and its pages. */

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

export const AuditPage = z.object({
  entries: z.array(AuditEntry),
  total: z.number(),
  page: z.number(),
  per_page: z.number(),
});
export type AuditPage = z.infer<typeof AuditPage>;
