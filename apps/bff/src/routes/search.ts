import {
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
} from '@rtc/contracts';
import { Hono } from 'hono';
import type { BffDeps } from '../deps.ts';
import { describeFilter } from '../domain/search-view.ts';
import type { BffEnv } from '../env.ts';
import { BffError, badRequest } from '../errors.ts';
import { rateLimitedFetch } from '../management/rate-limited-fetch.ts';
import { SearchGateway } from '../management/search.ts';
import { requirePermission } from '../middleware/session.ts';
import { SearchService, type CollectedImpact, type CollectedSessionImpact } from '../services/search-service.ts';
import { auditedWithId } from './audited.ts';
import { body, query } from './validate.ts';

const CONFIRM_WORD = 'REVOKE';
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const describe = (c: TokenCounts) => `${plural(c.tokens, 'refresh token')} of ${plural(c.users, 'user')} on ${plural(c.devices, 'device')}`;
const describeSessions = (c: SessionCounts) => `${plural(c.sessions, 'session')} of ${plural(c.users, 'user')}`;
/** The preview as the dashboard gets it: the ids stay on the server (up to 10,000 of them). */
const publicImpact = ({ ids: _ids, ...impact }: CollectedImpact): TokenSearchImpact => impact;
const publicSessionImpact = ({ ids: _ids, ...impact }: CollectedSessionImpact): SessionSearchImpact => impact;

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
function bindingChanges(noun: 'tokens' | 'sessions', expected: { count: number; digest: string } | undefined, now: { count: number; digest: string }): string[] {
  if (!expected) return ['confirm the preview first'];
  if (expected.count !== now.count) return [`${noun}: ${expected.count} previewed, ${now.count} now`];
  if (expected.digest !== now.digest) return [`the same number of ${noun} matches, but not the same ${noun}: one was ${noun === 'tokens' ? 'issued or revoked' : 'started or ended'} since`];
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

const checkConfirm = (confirm: string) => {
  if (confirm.trim() !== CONFIRM_WORD) throw badRequest(`Type ${CONFIRM_WORD} to confirm.`, { confirm: `must be ${CONFIRM_WORD}` });
};

/**
 * /api/search (support and admin, issue 20): refresh tokens and sessions across users by
 * address or range, network, user agent, device name, application and "last used between",
 * one server page at a time with counts; and "Revoke these N tokens" / "End these N sessions"
 * behind a binding preview (the ids matched, by digest: a token issued or revoked since is a
 * 409 with the new preview) and REVOKE typed in. The search is the embedded tenant's extension; on a tenant without it
 * (a real Auth0 tenant) the pages carry `unavailable`, a sentence saying so.
 */
export function searchRoutes(deps: BffDeps) {
  const fetchImpl = rateLimitedFetch({ ...deps.config.rateLimit });
  const search = new SearchService(new SearchGateway(deps.config.management.baseUrl, deps.tokens, fetchImpl), deps.mgmt, deps.now);

  return new Hono<BffEnv>()
    // The application filter's choices: the Applications area (with counts) is admin only.
    .get('/applications', requirePermission('searchTokens'), async (c) => {
      const { clients } = await deps.mgmt.names();
      const result: SearchApplications = { applications: [...clients].map(([client_id, name]) => ({ client_id, name })).sort((a, b) => a.name.localeCompare(b.name) || a.client_id.localeCompare(b.client_id)) };
      return c.json(result);
    })
    .get('/refresh-tokens', requirePermission('searchTokens'), query(TokenSearchQuery), async (c) => c.json(await search.tokens(c.req.valid('query'))))
    .get('/sessions', requirePermission('searchTokens'), query(SessionSearchQuery), async (c) => c.json(await search.sessions(c.req.valid('query'))))
    .post('/refresh-tokens/impact', requirePermission('searchTokens'), body(TokenSearchImpactBody), async (c) => c.json(publicImpact(await search.tokenImpact(c.req.valid('json').filter))))
    .post('/refresh-tokens/revoke', requirePermission('searchTokens'), body(RevokeSearchTokensBody), async (c) => {
      const { filter, expected, confirm } = c.req.valid('json');
      const names = await deps.mgmt.names();
      const target = `refresh tokens matching ${describeFilter(filter, names)}`;
      try {
        const { value, auditId } = await auditedWithId(c, deps, { action: 'search.revoke_tokens', target, target_user_id: null }, async () => {
          checkConfirm(confirm);
          const impact = await search.tokenImpact(filter);
          if (impact.over_limit) {
            throw new BffError(400, 'narrow_the_search', `This search matches more than ${impact.limit.toLocaleString('en-US')} refresh tokens, more than the console revokes at once. Narrow the search (a smaller range, an application, a time range); nothing was revoked.`);
          }
          refuseChanged(bindingChanges('tokens', expected && { count: expected.tokens, digest: expected.digest }, { count: impact.totals.tokens, digest: impact.digest }), publicImpact(impact));
          // Exactly the ids previewed: a token issued after this re-check is not among them.
          await search.revoke(impact.ids);
          const users = impact.first_users.map((u) => u.email ?? u.user_id).join(', ');
          return {
            value: impact,
            detail: [
              `filter ${JSON.stringify(filter)}`,
              `matched ${describe(impact.totals)}; revoked all of them`,
              ...(users ? [`first users affected: ${users}`] : []),
              `token ids: ${impact.ids.join(' ')}`,
            ].join('; '),
          };
        });
        const result: SearchRevokeResult = { filter, revoked: value.totals, audit_id: auditId };
        return c.json(result);
      } catch (err) {
        if (!(err instanceof SearchImpactChanged)) throw err;
        return c.json({ error: { code: err.code, message: err.message, request_id: c.get('requestId'), search_impact: err.impact, changes: err.changes } }, 409);
      }
    })
    .post('/sessions/impact', requirePermission('searchTokens'), body(SessionSearchImpactBody), async (c) => c.json(publicSessionImpact(await search.sessionImpact(c.req.valid('json').filter))))
    .post('/sessions/revoke', requirePermission('searchTokens'), body(RevokeSearchSessionsBody), async (c) => {
      const { filter, expected, confirm } = c.req.valid('json');
      const names = await deps.mgmt.names();
      const target = `sessions matching ${describeFilter(filter, names)}`;
      try {
        const { value, auditId } = await auditedWithId(c, deps, { action: 'search.revoke_sessions', target, target_user_id: null }, async () => {
          checkConfirm(confirm);
          const impact = await search.sessionImpact(filter);
          if (impact.over_limit) {
            throw new BffError(400, 'narrow_the_search', `This search matches more than ${impact.limit.toLocaleString('en-US')} sessions, more than the console ends at once. Narrow the search (a smaller range, a time range); nothing was ended.`);
          }
          refuseChanged(bindingChanges('sessions', expected && { count: expected.sessions, digest: expected.digest }, { count: impact.totals.sessions, digest: impact.digest }), publicSessionImpact(impact));
          // Exactly the sessions previewed, each with the refresh tokens issued in it.
          await search.endSessions(impact.ids);
          const users = impact.first_users.map((u) => u.email ?? u.user_id).join(', ');
          return {
            value: impact,
            detail: [
              `filter ${JSON.stringify(filter)}`,
              `matched ${describeSessions(impact.totals)}; ended all of them and revoked the refresh tokens issued in them`,
              ...(users ? [`first users affected: ${users}`] : []),
              `session ids: ${impact.ids.join(' ')}`,
            ].join('; '),
          };
        });
        const result: SearchSessionsRevokeResult = { filter, ended: value.totals, audit_id: auditId };
        return c.json(result);
      } catch (err) {
        if (!(err instanceof SearchImpactChanged)) throw err;
        return c.json({ error: { code: err.code, message: err.message, request_id: c.get('requestId'), search_impact: err.impact, changes: err.changes } }, 409);
      }
    });
}
