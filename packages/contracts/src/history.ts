/**
 * A user's History tab and Revoked view: the tenant's log of the user
 * (Auth0's `GET /users/{id}/logs`) joined with the console's audit log, which says who on the
 * staff did what the tenant only saw as a Management API call. No zod: answers, not requests.
 */

/** What a history entry is about, for its label and the tab's filter. */
export const HISTORY_KINDS = [
  'sign_in',
  'failed_sign_in',
  'exchange',
  'reuse',
  'revocation',
  'session_end',
  'other',
] as const;
export type HistoryKind = (typeof HISTORY_KINDS)[number];

/** Auth0's log event type codes the History tab knows, with what each is in words. */
export const LOG_TYPE_WORDS: Record<string, { kind: HistoryKind; label: string }> = {
  s: { kind: 'sign_in', label: 'Signed in' },
  ssa: { kind: 'sign_in', label: 'Signed in (silent authentication)' },
  fp: { kind: 'failed_sign_in', label: 'Failed sign-in: wrong password' },
  fu: { kind: 'failed_sign_in', label: 'Failed sign-in: unknown user' },
  f: { kind: 'failed_sign_in', label: 'Failed sign-in' },
  sertft: { kind: 'exchange', label: 'Refresh token exchanged' },
  fertft: { kind: 'exchange', label: 'Refresh token exchange failed' },
  ferrt: { kind: 'reuse', label: 'Reused refresh token detected: family revoked' },
  dpop_bound_token_refused: { kind: 'reuse', label: 'DPoP-bound refresh token presented without its key' },
  srrt: { kind: 'revocation', label: 'Refresh token revoked by the application' },
  slo: { kind: 'session_end', label: 'Signed out' },
  sapi: { kind: 'revocation', label: 'Revoked through the Management API' },
};

/** The staff member whose console action the entry was, from the audit log. */
export type StaffAttribution = { audit_id: string; name: string; role: string | null; action: string; at: string };

export type HistoryEntry = {
  id: string;
  at: string | null;
  /** Auth0's log event type code (`s`, `fp`, `sertft`, `ferrt`, `sapi`, ...). */
  type: string;
  kind: HistoryKind;
  label: string;
  description: string;
  client_id: string | null;
  client_name: string | null;
  ip: string | null;
  device_name: string | null;
  refresh_token_id: string | null;
  session_id: string | null;
  /** Who on the staff did it, where the console did it; null for what the user or the tenant did. */
  staff: StaffAttribution | null;
};

export type UserHistory = { entries: HistoryEntry[]; total: number; page: number; per_page: number };

export type RevokedToken = {
  id: string;
  client_id: string;
  client_name: string;
  device_name: string | null;
  revoked_at: string | null;
  /** The way in, in words ("unlinked as a device", "revoked at /oauth/revoke by the app", ...). */
  way: string;
  staff: StaffAttribution | null;
};

export type EndedSession = {
  id: string;
  ended_at: string | null;
  applications: string[];
  last_ip: string | null;
  staff: StaffAttribution | null;
};

/**
 * `source: 'tenant'`: from the embedded tenant's own records (kept `retention_days`).
 * `source: 'audit'`: the tenant keeps none (a real Auth0 tenant): the console's audit log of
 * this user's changes instead, and `note` says so.
 */
export type RevokedHistory = {
  source: 'tenant' | 'audit';
  retention_days: number;
  note: string | null;
  refresh_tokens: RevokedToken[];
  sessions: EndedSession[];
  /** With `source: 'audit'`: the console's actions on this user within the retention. */
  actions: { audit_id: string; at: string; action: string; actor: string; target: string; detail: string }[];
};
