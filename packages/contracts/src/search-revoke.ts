import { z } from 'zod';
import type { TokenCounts } from './applications.ts';
import type { Application } from './user-access.ts';
import {
  SessionSearchFilter,
  TokenSearchFilter,
  type SessionCounts,
  type SessionSearchTotals,
  type TokenSearchTotals,
} from './search.ts';

/** "Revoke these N tokens" and "End these N sessions": the binding previews and the revocations. */

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
