import {
  can,
  RevokeSearchSessionsBody,
  RevokeSearchTokensBody,
  SessionSearchImpactBody,
  SessionSearchQuery,
  TokenSearchImpactBody,
  TokenSearchQuery,
  type SearchApplications,
  type SearchRevokeResult,
  type SearchSessionsRevokeResult,
  type SessionCounts,
  type SessionSearchImpact,
  type TokenCounts,
  type TokenSearchImpact,
  searchNarrows,
  WIDE_SEARCH_REVOKE_REASON,
} from '@rtc/contracts';
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { BffDeps } from '../deps.ts';
import { describeFilter } from '../domain/search-view.ts';
import { bindingsInWords } from '../domain/token-binding.ts';
import type { BffEnv } from '../env.ts';
import { BffError, badRequest, forbidden } from '../errors.ts';
import { ApplicationsGateway } from '../management/applications.ts';
import { rateLimitedFetch } from '../management/rate-limited-fetch.ts';
import { SearchGateway } from '../management/search.ts';
import { requirePermission } from '../middleware/session.ts';
import { checkRecentSignIn, stepUpSearchTokens } from '../session/step-up.ts';
import {
  PartialRevocation,
  SearchService,
  type CollectedImpact,
  type CollectedSessionImpact,
} from '../services/search-service.ts';
import { WorkGate } from '../services/work-gate.ts';
import { auditedWithId, recordRead } from './audited.ts';
import { containRoutes } from './search-contain.ts';
import { body, query } from './validate.ts';

const CONFIRM_WORD = 'REVOKE';
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const describe = (c: TokenCounts) =>
  `${plural(c.tokens, 'refresh token')} of ${plural(c.users, 'user')} on ${plural(c.devices, 'device')}`;
const describeSessions = (c: SessionCounts) => `${plural(c.sessions, 'session')} of ${plural(c.users, 'user')}`;
/** The preview as the dashboard gets it: the ids stay on the server (up to 10,000 of them). */
const publicImpact = ({
  ids: _ids,
  bindings: _bindings,
  perUser: _perUser,
  ...impact
}: CollectedImpact): TokenSearchImpact => impact;
const publicSessionImpact = ({
  ids: _ids,
  perUser: _perUser,
  ...impact
}: CollectedSessionImpact): SessionSearchImpact => impact;

/** 409: the result set changed since the preview; answered with the new preview, nothing revoked. */
class SearchImpactChanged extends BffError {
  constructor(
    message: string,
    readonly impact: TokenSearchImpact | SessionSearchImpact,
    readonly changes: string[],
  ) {
    super(409, 'impact_changed', message);
  }
}

/**
 * The binding: what the person confirmed against the preview recomputed now. Equal counts
 * can hide one row gone and another come since; equal digests cannot.
 */
function bindingChanges(
  noun: 'tokens' | 'sessions',
  expected: { count: number; digest: string } | undefined,
  now: { count: number; digest: string },
): string[] {
  if (!expected) return ['confirm the preview first'];
  if (expected.count !== now.count) return [`${noun}: ${expected.count} previewed, ${now.count} now`];
  if (expected.digest !== now.digest)
    return [
      `the same number of ${noun} matches, but not the same ${noun}: one was ${noun === 'tokens' ? 'issued or revoked' : 'started or ended'} since`,
    ];
  return [];
}

function refuseChanged(changes: string[], impact: TokenSearchImpact | SessionSearchImpact): void {
  if (changes.length === 0) return;
  const message =
    changes[0] === 'confirm the preview first'
      ? 'Nothing was revoked: confirm the preview of this action first.'
      : `What this would revoke changed since the preview (${changes.join('; ')}). Nothing was revoked; check the new preview and confirm again.`;
  throw new SearchImpactChanged(message, impact, changes);
}

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

const confirmed = (confirm: string) => confirm.trim() === CONFIRM_WORD;
const checkConfirm = (confirm: string) => {
  if (!confirmed(confirm)) throw badRequest(`Type ${CONFIRM_WORD} to confirm.`, { confirm: `must be ${CONFIRM_WORD}` });
};

/** Collections of a whole result set (previews, revocations) at once per BFF process, and how many more may wait. */
const COLLECT_CONCURRENCY = 2;
const COLLECT_QUEUE = 4;
const BUSY_RETRY_SECONDS = 5;

/** Whether the staff member may revoke any result set, however wide (what the Applications area allows). */
const mayRevokeWide = (c: Context<BffEnv>) => can(c.get('session')?.role, 'manageApplications');

/**
 * 403 when the result is an admin's (the preview's admin_only: a filter that does not narrow,
 * or a result holding too much of an application) and the staff member is not one.
 */
function checkResultRight(c: Context<BffEnv>, adminOnly: string | null): void {
  if (adminOnly && !mayRevokeWide(c)) throw forbidden(adminOnly);
}

/** 400, not audited: an empty result set revokes nothing, so there is no revocation to record. */
const nothingToRevoke = (noun: string) =>
  new BffError(400, 'nothing_to_revoke', `This search finds no ${noun} now: there is nothing to revoke.`);

/**
 * The tenant failed part-way: the answer says how many went and that the rest did not, with
 * the tenant's status (502, or 503 with Retry-After); the audit entry records the filter, the
 * counts, and which ids went and which did not.
 */
function partialFailure(
  failure: PartialRevocation,
  words: { noun: string; verb: string; idsLabel: string },
  detail: string[],
): BffError {
  const total = failure.done.length + failure.notDone.length;
  const cause = failure.cause instanceof BffError ? failure.cause : null;
  const message = `${failure.done.length} of ${total} ${words.verb}; the rest were not (${words.noun}). ${failure.message} Search again to see what is left.`;
  return new BffError(
    cause && (cause.status === 503 || cause.status === 502) ? cause.status : 502,
    'partially_revoked',
    message,
    {
      ...(cause?.extra.retryAfter !== undefined ? { retryAfter: cause.extra.retryAfter } : {}),
      auditDetail: [
        ...detail,
        `${words.verb} ${failure.done.length} of ${total} before the tenant failed (${failure.message}); the rest were not`,
        `${words.idsLabel} ${words.verb}: ${failure.done.join(' ')}`,
        `${words.idsLabel} not ${words.verb}: ${failure.notDone.join(' ')}`,
      ].join('; '),
    },
  );
}

/**
 * /api/search (support and admin, issue 20): refresh tokens and sessions across users by
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
    busy: `The console is already working through as many search results as it takes at once (previews or revocations of other staff). Try again in ${BUSY_RETRY_SECONDS} seconds.`,
  });
  const changedAnswer = (c: Context<BffEnv>, err: SearchImpactChanged) =>
    c.json(
      {
        error: {
          code: err.code,
          message: err.message,
          request_id: c.get('requestId'),
          search_impact: err.impact,
          changes: err.changes,
        },
      },
      409,
    );

  return (
    new Hono<BffEnv>()
      // The incident view: the tokens and the sessions of an address, network or AS number, contained at once.
      .route('/contain', containRoutes(deps, search, gate))
      // The application filter's choices: the Applications area (with counts) is admin only.
      .get('/applications', requirePermission('searchTokens'), async (c) => {
        const { clients } = await deps.mgmt.names();
        const result: SearchApplications = {
          applications: [...clients]
            .map(([client_id, name]) => ({ client_id, name }))
            .sort((a, b) => a.name.localeCompare(b.name) || a.client_id.localeCompare(b.client_id)),
        };
        return c.json(result);
      })
      .get('/refresh-tokens', requirePermission('searchTokens'), query(TokenSearchQuery), async (c) => {
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
        return c.json(result);
      })
      .get('/sessions', requirePermission('searchTokens'), query(SessionSearchQuery), async (c) => {
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
        return c.json(result);
      })
      .post('/refresh-tokens/impact', requirePermission('searchTokens'), body(TokenSearchImpactBody), async (c) => {
        const { filter } = c.req.valid('json');
        const impact = await gate.run(() => search.tokenImpact(filter));
        const detail = impact.over_limit
          ? `over the limit of ${impact.limit}: ${describe(impact.totals)}`
          : `would revoke ${describe(impact.totals)}`;
        await recordRead(c, deps, {
          action: 'search.preview_revoke_tokens',
          target: `refresh tokens matching ${describeFilter(filter, await deps.mgmt.names())}`,
          target_user_id: null,
          detail,
        });
        return c.json(publicImpact(impact));
      })
      .post('/refresh-tokens/revoke', requirePermission('searchTokens'), body(RevokeSearchTokensBody), async (c) => {
        const { filter, expected, confirm } = c.req.valid('json');
        const names = await deps.mgmt.names();
        const target = `refresh tokens matching ${describeFilter(filter, names)}`;
        // A filter that does not narrow is refused before the result is collected: it cannot turn support's.
        if (!searchNarrows(filter) && !mayRevokeWide(c)) {
          await auditedWithId(c, deps, { action: 'search.revoke_tokens', target, target_user_id: null }, () =>
            Promise.reject(forbidden(WIDE_SEARCH_REVOKE_REASON)),
          );
        }
        return gate.run(async () => {
          // The result set now (only once REVOKE is typed: a refusal costs the tenant nothing).
          const impact = confirmed(confirm) ? await search.tokenImpact(filter) : null;
          if (impact && !impact.over_limit && impact.ids.length === 0) throw nothingToRevoke('refresh tokens');
          try {
            const { value, auditId } = await auditedWithId(
              c,
              deps,
              { action: 'search.revoke_tokens', target, target_user_id: null },
              async () => {
                checkConfirm(confirm);
                if (impact!.over_limit) {
                  throw new BffError(
                    400,
                    'narrow_the_search',
                    `This search matches more than ${impact!.limit.toLocaleString('en-US')} refresh tokens, more than the console revokes at once. Narrow the search (a smaller range, an application, a time range); nothing was revoked.`,
                  );
                }
                checkResultRight(c, impact!.admin_only);
                const stepUpAbove = stepUpSearchTokens(deps);
                if (impact!.totals.tokens > stepUpAbove)
                  checkRecentSignIn(
                    c,
                    deps,
                    `Revoking more than ${stepUpAbove.toLocaleString('en-US')} refresh tokens at once`,
                  );
                refuseChanged(
                  bindingChanges('tokens', expected && { count: expected.tokens, digest: expected.digest }, {
                    count: impact!.totals.tokens,
                    digest: impact!.digest,
                  }),
                  publicImpact(impact!),
                );
                const users = impact!.first_users.map((u) => u.email ?? u.user_id).join(', ');
                const about = [
                  `filter ${JSON.stringify(filter)}`,
                  `matched ${describe(impact!.totals)}`,
                  ...(users ? [`first users affected: ${users}`] : []),
                ];
                // Exactly the ids previewed: a token issued after this re-check is not among them.
                await search.revoke(impact!.ids).catch((err: unknown) => {
                  throw err instanceof PartialRevocation
                    ? partialFailure(err, { noun: 'refresh tokens', verb: 'revoked', idsLabel: 'token ids' }, about)
                    : err;
                });
                return {
                  value: impact!,
                  detail: [
                    about[0]!,
                    `${about[1]!}; revoked all of them`,
                    ...about.slice(2),
                    ...bindingsInWords(impact!.ids.map((id) => ({ id, binding: impact!.bindings.get(id) ?? null }))),
                    `token ids: ${impact!.ids.join(' ')}`,
                  ].join('; '),
                };
              },
            );
            const { limited: _limited, ...revoked } = value.totals;
            const result: SearchRevokeResult = { filter, revoked, audit_id: auditId };
            return c.json(result);
          } catch (err) {
            if (!(err instanceof SearchImpactChanged)) throw err;
            return changedAnswer(c, err);
          }
        });
      })
      .post('/sessions/impact', requirePermission('searchTokens'), body(SessionSearchImpactBody), async (c) => {
        const { filter } = c.req.valid('json');
        const impact = await gate.run(() => search.sessionImpact(filter));
        const detail = impact.over_limit
          ? `over the limit of ${impact.limit}: ${describeSessions(impact.totals)}`
          : `would end ${describeSessions(impact.totals)}`;
        await recordRead(c, deps, {
          action: 'search.preview_revoke_sessions',
          target: `sessions matching ${describeFilter(filter, await deps.mgmt.names())}`,
          target_user_id: null,
          detail,
        });
        return c.json(publicSessionImpact(impact));
      })
      .post('/sessions/revoke', requirePermission('searchTokens'), body(RevokeSearchSessionsBody), async (c) => {
        const { filter, expected, confirm } = c.req.valid('json');
        const names = await deps.mgmt.names();
        const target = `sessions matching ${describeFilter(filter, names)}`;
        if (!searchNarrows(filter) && !mayRevokeWide(c)) {
          await auditedWithId(c, deps, { action: 'search.revoke_sessions', target, target_user_id: null }, () =>
            Promise.reject(forbidden(WIDE_SEARCH_REVOKE_REASON)),
          );
        }
        return gate.run(async () => {
          const impact = confirmed(confirm) ? await search.sessionImpact(filter) : null;
          if (impact && !impact.over_limit && impact.ids.length === 0) throw nothingToRevoke('sessions');
          try {
            const { value, auditId } = await auditedWithId(
              c,
              deps,
              { action: 'search.revoke_sessions', target, target_user_id: null },
              async () => {
                checkConfirm(confirm);
                if (impact!.over_limit) {
                  throw new BffError(
                    400,
                    'narrow_the_search',
                    `This search matches more than ${impact!.limit.toLocaleString('en-US')} sessions, more than the console ends at once. Narrow the search (a smaller range, a time range); nothing was ended.`,
                  );
                }
                refuseChanged(
                  bindingChanges('sessions', expected && { count: expected.sessions, digest: expected.digest }, {
                    count: impact!.totals.sessions,
                    digest: impact!.digest,
                  }),
                  publicSessionImpact(impact!),
                );
                const users = impact!.first_users.map((u) => u.email ?? u.user_id).join(', ');
                const about = [
                  `filter ${JSON.stringify(filter)}`,
                  `matched ${describeSessions(impact!.totals)}`,
                  ...(users ? [`first users affected: ${users}`] : []),
                ];
                // Exactly the sessions previewed, each with the refresh tokens issued in it.
                await search.endSessions(impact!.ids).catch((err: unknown) => {
                  throw err instanceof PartialRevocation
                    ? partialFailure(
                        err,
                        {
                          noun: 'sessions, with the refresh tokens issued in them',
                          verb: 'ended',
                          idsLabel: 'session ids',
                        },
                        about,
                      )
                    : err;
                });
                return {
                  value: impact!,
                  detail: [
                    about[0]!,
                    `${about[1]!}; ended all of them and revoked the refresh tokens issued in them`,
                    ...about.slice(2),
                    `session ids: ${impact!.ids.join(' ')}`,
                  ].join('; '),
                };
              },
            );
            const { limited: _limited, ...ended } = value.totals;
            const result: SearchSessionsRevokeResult = { filter, ended, audit_id: auditId };
            return c.json(result);
          } catch (err) {
            if (!(err instanceof SearchImpactChanged)) throw err;
            return changedAnswer(c, err);
          }
        });
      })
  );
}
