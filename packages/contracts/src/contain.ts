import { z } from 'zod';
import type { TokenCounts } from './applications.ts';
import { checkFilter, sessionSearchFields } from './search-fields.ts';
import type { SessionCounts, SessionSearchTotals, TokenSearchTotals } from './search.ts';

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
