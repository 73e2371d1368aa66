import {
  RevokeSearchTokensBody,
  searchNarrows,
  TokenSearchImpactBody,
  type SearchRevokeResult,
  WIDE_SEARCH_REVOKE_REASON,
} from '@rtc/contracts';
import { endpoints } from '@rtc/contracts/endpoints';
import { Hono } from 'hono';
import type { BffDeps } from '../deps.ts';
import { describeFilter } from '../domain/search-view.ts';
import { bindingsInWords } from '../domain/token-binding.ts';
import type { BffEnv } from '../env.ts';
import { BffError, forbidden } from '../errors.ts';
import { requirePermission } from '../middleware/session.ts';
import { checkRecentSignIn, stepUpSearchTokens } from '../session/step-up.ts';
import { PartialRevocation, type SearchService } from '../services/search-service.ts';
import type { WorkGate } from '../services/work-gate.ts';
import { auditedWithId, recordRead } from './audited.ts';
import { reply } from './contract.ts';
import {
  bindingChanges,
  changedAnswer,
  checkConfirm,
  checkResultRight,
  confirmed,
  describe,
  mayRevokeWide,
  nothingToRevoke,
  partialFailure,
  publicImpact,
  refuseChanged,
  SearchImpactChanged,
} from './search-binding.ts';
import { body } from './validate.ts';

/**
 * "Revoke these N tokens": the binding preview of a refresh-token search, and the revocation
 * of exactly the tokens it previewed. A filter that does not narrow, or a result holding too
 * much of an application, is an admin's; past the step-up threshold, a recent sign-in.
 */
export function tokenRevokeRoutes(deps: BffDeps, search: SearchService, gate: WorkGate) {
  return new Hono<BffEnv>()
    .on(
      endpoints.tokenSearchImpact.method,
      endpoints.tokenSearchImpact.path,
      requirePermission('searchTokens'),
      body(TokenSearchImpactBody),
      async (c) => {
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
        return reply(c, endpoints.tokenSearchImpact, publicImpact(impact));
      },
    )
    .on(
      endpoints.revokeSearchTokens.method,
      endpoints.revokeSearchTokens.path,
      requirePermission('searchTokens'),
      body(RevokeSearchTokensBody),
      async (c) => {
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
                    `This search matches more than ${impact!.limit.toLocaleString('en-US')} refresh tokens, ` +
                      `more than the console revokes at once. Narrow the search (a smaller range, an application, ` +
                      `a time range); nothing was revoked.`,
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
            return reply(c, endpoints.revokeSearchTokens, result);
          } catch (err) {
            if (!(err instanceof SearchImpactChanged)) throw err;
            return changedAnswer(c, err);
          }
        });
      },
    );
}
