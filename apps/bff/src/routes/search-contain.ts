import {
  can,
  ContainBody,
  ContainImpactBody,
  searchNarrows,
  WIDE_SEARCH_REVOKE_REASON,
  type ContainFilter,
  type ContainImpact,
  type ContainResult,
  type SessionCounts,
  type TokenCounts,
} from '@rtc/contracts';
import type { Context } from 'hono';
import { endpoints } from '@rtc/contracts/endpoints';
import { Hono } from 'hono';
import type { BffDeps } from '../deps.ts';
import { describeFilter } from '../domain/search-view.ts';
import { signOutDigest } from '../domain/sign-out-everywhere.ts';
import { bindingsInWords } from '../domain/token-binding.ts';
import type { BffEnv } from '../env.ts';
import { BffError, badRequest, forbidden } from '../errors.ts';
import { requirePermission } from '../middleware/session.ts';
import { checkRecentSignIn, stepUpSearchTokens } from '../session/step-up.ts';
import {
  PartialRevocation,
  type CollectedImpact,
  type CollectedSessionImpact,
  type SearchService,
} from '../services/search-service.ts';
import type { WorkGate } from '../services/work-gate.ts';
import { auditedWithId, recordRead } from './audited.ts';
import { reply } from './contract.ts';
import { body } from './validate.ts';

const CONFIRM_WORD = 'REVOKE';
const FIRST_USERS = 10;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const tokenWords = (c: TokenCounts) =>
  `${plural(c.tokens, 'refresh token')} of ${plural(c.users, 'user')} on ${plural(c.devices, 'device')}`;
const sessionWords = (c: SessionCounts) => `${plural(c.sessions, 'session')} of ${plural(c.users, 'user')}`;

/** Both result sets of one filter, and the preview made of them (the ids stay on the server). */
type Collected = { tokens: CollectedImpact; sessions: CollectedSessionImpact; impact: ContainImpact };

/** 409: the tokens or sessions changed since the preview; answered with the new preview, nothing done. */
class ContainImpactChanged extends BffError {
  constructor(
    message: string,
    readonly impact: ContainImpact,
  ) {
    super(409, 'impact_changed', message);
  }
}

/**
 * The incident view's one containment: for an address, a network or an AS number,
 * every refresh token the search finds is revoked and every session it finds is ended (with
 * the refresh tokens issued in it), in one request bound to one preview: the digest of both
 * id sets. Revoking the 19 tokens of an address no longer leaves its 15 sessions signed in.
 * The search revocations' rules hold: a filter that does not narrow, a result holding too
 * much of an application or reaching a staff member, is an admin's; past the limits, narrow.
 */
export function containRoutes(deps: BffDeps, search: SearchService, gate: WorkGate) {
  const mayRevokeWide = (c: Context<BffEnv>) => can(c.get('session')?.role, 'manageApplications');

  const collect = async (filter: ContainFilter): Promise<Collected> => {
    const [tokens, sessions] = await Promise.all([
      search.tokenImpact({ ...filter, device_name: undefined, client_id: undefined }),
      search.sessionImpact(filter),
    ]);
    const userIds = new Set([...tokens.perUser.keys(), ...sessions.perUser.keys()]);
    const first = [...userIds]
      .map((user_id) => ({
        user_id,
        tokens: tokens.perUser.get(user_id) ?? 0,
        sessions: sessions.perUser.get(user_id) ?? 0,
      }))
      .sort((a, b) => b.tokens + b.sessions - (a.tokens + a.sessions) || a.user_id.localeCompare(b.user_id))
      .slice(0, FIRST_USERS);
    const emails = await search.emails(first.map((u) => u.user_id));
    const overLimit = tokens.over_limit || sessions.over_limit;
    return {
      tokens,
      sessions,
      impact: {
        filter,
        tokens: tokens.totals,
        sessions: sessions.totals,
        users: userIds.size,
        first_users: first.map((u) => ({ ...u, email: emails.get(u.user_id) ?? null })),
        digest: signOutDigest(tokens.ids, sessions.ids),
        over_limit: overLimit,
        admin_only: searchNarrows(filter) ? (tokens.admin_only ?? sessions.admin_only) : WIDE_SEARCH_REVOKE_REASON,
      },
    };
  };
  const previewWords = (p: ContainImpact) => `${tokenWords(p.tokens)}; ${sessionWords(p.sessions)}`;

  return new Hono<BffEnv>()
    .on(
      endpoints.containImpact.method,
      endpoints.containImpact.path,
      requirePermission('searchTokens'),
      body(ContainImpactBody),
      async (c) => {
        const { filter } = c.req.valid('json');
        const { impact } = await gate.run(() => collect(filter));
        await recordRead(c, deps, {
          action: 'search.preview_contain',
          target: `refresh tokens and sessions matching ${describeFilter(filter, await deps.mgmt.names())}`,
          target_user_id: null,
          detail: impact.over_limit
            ? `over the limit: ${previewWords(impact)}`
            : `would revoke and end ${previewWords(impact)}`,
        });
        return reply(c, endpoints.containImpact, impact);
      },
    )
    .on(
      endpoints.contain.method,
      endpoints.contain.path,
      requirePermission('searchTokens'),
      body(ContainBody),
      async (c) => {
        const { filter, expected, confirm } = c.req.valid('json');
        const target = `refresh tokens and sessions matching ${describeFilter(filter, await deps.mgmt.names())}`;
        const entry = { action: 'search.contain' as const, target, target_user_id: null };
        if (!searchNarrows(filter) && !mayRevokeWide(c))
          await auditedWithId(c, deps, entry, () => Promise.reject(forbidden(WIDE_SEARCH_REVOKE_REASON)));
        return gate.run(async () => {
          const typed = confirm.trim() === CONFIRM_WORD;
          // The result sets now, only once REVOKE is typed: a refusal costs the tenant nothing.
          const now = typed ? await collect(filter) : null;
          if (now && !now.impact.over_limit && now.tokens.ids.length === 0 && now.sessions.ids.length === 0) {
            throw new BffError(
              400,
              'nothing_to_revoke',
              'This search finds no refresh token and no session now: there is nothing to contain.',
            );
          }
          try {
            const { value, auditId } = await auditedWithId(c, deps, entry, async () => {
              if (!typed) throw badRequest(`Type ${CONFIRM_WORD} to confirm.`, { confirm: `must be ${CONFIRM_WORD}` });
              const { tokens, sessions, impact } = now!;
              // Every precondition before the first write: the limit, the rights, the binding.
              if (impact.over_limit) {
                throw new BffError(
                  400,
                  'narrow_the_search',
                  `This search matches more than ${tokens.limit.toLocaleString('en-US')} refresh tokens or ` +
                    `${sessions.limit.toLocaleString('en-US')} sessions, more than the console contains at ` +
                    `once. Narrow the search (a smaller range, a time range); nothing was revoked.`,
                );
              }
              if (impact.admin_only && !mayRevokeWide(c)) throw forbidden(impact.admin_only);
              // As for a search revocation: past the threshold, a recent sign-in (the step-up).
              const stepUpAbove = stepUpSearchTokens(deps);
              if (impact.tokens.tokens > stepUpAbove)
                checkRecentSignIn(
                  c,
                  deps,
                  `Revoking more than ${stepUpAbove.toLocaleString('en-US')} refresh tokens at once`,
                );
              if (!expected)
                throw new ContainImpactChanged(
                  'Nothing was revoked: confirm the preview of this action first.',
                  impact,
                );
              if (
                expected.digest !== impact.digest ||
                expected.tokens !== impact.tokens.tokens ||
                expected.sessions !== impact.sessions.sessions
              ) {
                const counts =
                  expected.tokens === impact.tokens.tokens && expected.sessions === impact.sessions.sessions
                    ? `the same counts (${plural(impact.tokens.tokens, 'refresh token')}, ${plural(impact.sessions.sessions, 'session')}), but other ones`
                    : `${plural(impact.tokens.tokens, 'refresh token')} and ` +
                      `${plural(impact.sessions.sessions, 'session')} now, ` +
                      `${plural(expected.tokens, 'refresh token')} and ${plural(expected.sessions, 'session')} in ` +
                      `the preview`;
                throw new ContainImpactChanged(
                  `What this would revoke changed since the preview: ${counts}. Nothing was revoked and no ` +
                    `session was ended; check the new preview and confirm again.`,
                  impact,
                );
              }
              const users = impact.first_users.map((u) => u.email ?? u.user_id).join(', ');
              const about = [
                `filter ${JSON.stringify(filter)}`,
                `matched ${previewWords(impact)}`,
                ...(users ? [`first users affected: ${users}`] : []),
              ];
              // The tokens first (100 a call), then each session with the tokens issued in it.
              try {
                await search.revoke(tokens.ids);
              } catch (err) {
                if (!(err instanceof PartialRevocation)) throw err;
                throw partial(
                  err,
                  about,
                  `token ids revoked: ${err.done.join(' ')}; token ids not revoked: ${err.notDone.join(' ')}; no session was ended`,
                  'refresh tokens',
                );
              }
              try {
                await search.endSessions(sessions.ids);
              } catch (err) {
                if (!(err instanceof PartialRevocation)) throw err;
                throw partial(
                  err,
                  about,
                  `all ${tokens.ids.length} token ids revoked: ${tokens.ids.join(' ')}; session ids ended: ` +
                    `${err.done.join(' ')}; session ids not ended: ${err.notDone.join(' ')}`,
                  'sessions',
                );
              }
              return {
                value: impact,
                detail: [
                  about[0]!,
                  `${about[1]!}; revoked all of the tokens and ended all of the sessions (with the refresh tokens issued in them)`,
                  ...about.slice(2),
                  ...bindingsInWords(tokens.ids.map((id) => ({ id, binding: tokens.bindings.get(id) ?? null }))),
                  `token ids: ${tokens.ids.join(' ')}`,
                  `session ids: ${sessions.ids.join(' ')}`,
                ].join('; '),
              };
            });
            const { limited: _t, ...revoked } = value.tokens;
            const { limited: _s, ...ended } = value.sessions;
            const result: ContainResult = { filter, revoked, ended, audit_id: auditId };
            return reply(c, endpoints.contain, result);
          } catch (err) {
            if (!(err instanceof ContainImpactChanged)) throw err;
            return c.json(
              {
                error: {
                  code: err.code,
                  message: err.message,
                  request_id: c.get('requestId'),
                  contain_impact: err.impact,
                },
              },
              409,
            );
          }
        });
      },
    );
}

/** The tenant failed part-way: what went and what did not, in the answer and the audit entry. */
function partial(
  failure: PartialRevocation,
  about: string[],
  ids: string,
  stage: 'refresh tokens' | 'sessions',
): BffError {
  const cause = failure.cause instanceof BffError ? failure.cause : null;
  const total = failure.done.length + failure.notDone.length;
  const message =
    stage === 'refresh tokens'
      ? `${failure.done.length} of ${total} refresh tokens revoked; the rest were not, and no ` +
        `session was ended. ${failure.message} Search again to see what is left.`
      : `Every refresh token was revoked, and ${failure.done.length} of ${total} sessions ended; ` +
        `the rest were not. ${failure.message} Search again to see what is left.`;
  return new BffError(
    cause && (cause.status === 503 || cause.status === 502) ? cause.status : 502,
    'partially_revoked',
    message,
    {
      ...(cause?.extra.retryAfter !== undefined ? { retryAfter: cause.extra.retryAfter } : {}),
      auditDetail: [...about, `the tenant failed part-way through the ${stage} (${failure.message})`, ids].join('; '),
    },
  );
}
