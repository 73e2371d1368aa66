import { SessionSearchQuery, TokenSearchQuery, type SearchApplications } from '@rtc/contracts';
import { endpoints } from '@rtc/contracts/endpoints';
import { Hono } from 'hono';
import type { BffDeps } from '../deps.ts';
import { describeFilter } from '../domain/search-view.ts';
import type { BffEnv } from '../env.ts';
import { ApplicationsGateway } from '../management/applications.ts';
import { rateLimitedFetch } from '../management/rate-limited-fetch.ts';
import { SearchGateway } from '../management/search.ts';
import { requirePermission } from '../middleware/session.ts';
import { SearchService } from '../services/search-service.ts';
import { WorkGate } from '../services/work-gate.ts';
import { recordRead } from './audited.ts';
import { reply } from './contract.ts';
import { containRoutes } from './search-contain.ts';
import { describe, describeSessions, plural } from './search-binding.ts';
import { sessionRevokeRoutes } from './search-revoke-sessions.ts';
import { tokenRevokeRoutes } from './search-revoke-tokens.ts';
import { query } from './validate.ts';

/** A search page in the audit log's words: the counts on the first page, the rows on a later one. */
function foundWords(
  result: { unavailable: string | null; totals: { limited: boolean } | null },
  from: string | undefined,
  counted: string | null,
  rows: string,
): string {
  if (result.unavailable) return 'the tenant cannot search across users';
  if (from !== undefined || !counted) return `a later page: ${rows}`;
  return `found ${result.totals!.limited ? 'more than ' : ''}${counted}`;
}

/** Collections of a whole result set (previews, revocations) at once per BFF process, and how many more may wait. */
const COLLECT_CONCURRENCY = 2;
const COLLECT_QUEUE = 4;
const BUSY_RETRY_SECONDS = 5;

/**
 * /api/search (support and admin): refresh tokens and sessions across users by
 * address or range, network, user agent, device name, application and "last used between",
 * one server page at a time with counts; and "Revoke these N tokens" / "End these N sessions"
 * behind a binding preview (the ids matched, by digest: a token issued or revoked since is a
 * 409 with the new preview) and REVOKE typed in. The search is the embedded tenant's extension; on a tenant without it
 * (a real Auth0 tenant) the pages carry `unavailable`, a sentence saying so.
 *
 * Previews and revocations page the tenant through a whole result set: COLLECT_CONCURRENCY
 * at a time in this process (a short queue, then 429). Revoking a result needs
 * manageApplications when its filter does not narrow (searchNarrows: an application, a time
 * range, 0.0.0.0/0) or, for tokens, when the result itself is application-wide (the preview's
 * admin_only: all or too large a share of an application's live tokens, or too many tokens).
 */
export function searchRoutes(deps: BffDeps) {
  const fetchImpl = rateLimitedFetch({ ...deps.config.rateLimit });
  const search = new SearchService(
    new SearchGateway(deps.config.management.baseUrl, deps.tokens, fetchImpl),
    deps.mgmt,
    new ApplicationsGateway(deps.config.management.baseUrl, deps.tokens, fetchImpl),
    deps.now,
    deps.config.search,
    deps.config.supportRevoke,
    deps.config.oidc.rolesClaim,
  );
  const gate = new WorkGate({
    concurrency: COLLECT_CONCURRENCY,
    queue: COLLECT_QUEUE,
    retryAfterSeconds: BUSY_RETRY_SECONDS,
    busy:
      `The console is already working through as many search results as it takes at once ` +
      `(previews or revocations of other staff). Try again in ${BUSY_RETRY_SECONDS} seconds.`,
  });
  return (
    new Hono<BffEnv>()
      // The incident view: the tokens and the sessions of an address, network or AS number, contained at once.
      .route('/', containRoutes(deps, search, gate))
      // The application filter's choices: the Applications area (with counts) is admin only.
      .on(
        endpoints.searchApplications.method,
        endpoints.searchApplications.path,
        requirePermission('searchTokens'),
        async (c) => {
          const { clients } = await deps.mgmt.names();
          const result: SearchApplications = {
            applications: [...clients]
              .map(([client_id, name]) => ({ client_id, name }))
              .sort((a, b) => a.name.localeCompare(b.name) || a.client_id.localeCompare(b.client_id)),
          };
          return reply(c, endpoints.searchApplications, result);
        },
      )
      .on(
        endpoints.tokenSearch.method,
        endpoints.tokenSearch.path,
        requirePermission('searchTokens'),
        query(TokenSearchQuery),
        async (c) => {
          const { take: _take, from, ...filter } = c.req.valid('query');
          const result = await search.tokens(c.req.valid('query'));
          const detail = foundWords(
            result,
            from,
            result.totals && describe(result.totals),
            plural(result.tokens.length, 'refresh token'),
          );
          await recordRead(c, deps, {
            action: 'search.find_tokens',
            target: `refresh tokens matching ${describeFilter(filter, await deps.mgmt.names())}`,
            target_user_id: null,
            detail,
          });
          return reply(c, endpoints.tokenSearch, result);
        },
      )
      .on(
        endpoints.sessionSearch.method,
        endpoints.sessionSearch.path,
        requirePermission('searchTokens'),
        query(SessionSearchQuery),
        async (c) => {
          const { take: _take, from, ...filter } = c.req.valid('query');
          const result = await search.sessions(c.req.valid('query'));
          const detail = foundWords(
            result,
            from,
            result.totals && describeSessions(result.totals),
            plural(result.sessions.length, 'session'),
          );
          await recordRead(c, deps, {
            action: 'search.find_sessions',
            target: `sessions matching ${describeFilter(filter, await deps.mgmt.names())}`,
            target_user_id: null,
            detail,
          });
          return reply(c, endpoints.sessionSearch, result);
        },
      )
      .route('/', tokenRevokeRoutes(deps, search, gate))
      .route('/', sessionRevokeRoutes(deps, search, gate))
  );
}
