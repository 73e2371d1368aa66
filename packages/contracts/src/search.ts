import { z } from 'zod';
import type { TokenCounts } from './applications.ts';
import type { IpPlace } from './locations.ts';
import { checkFilter, paging, searchFields, sessionSearchFields } from './search-fields.ts';
import type { Application, TokenBinding } from './user-access.ts';

/** Refresh tokens and sessions across users: the filters, the pages and their counts. */

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
