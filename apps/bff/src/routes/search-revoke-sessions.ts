import {
  RevokeSearchSessionsBody,
  searchNarrows,
  SessionSearchImpactBody,
  type SearchSessionsRevokeResult,
  WIDE_SEARCH_REVOKE_REASON,
} from '@rtc/contracts';
import { endpoints } from '@rtc/contracts/endpoints';
import { Hono } from 'hono';
import type { BffDeps } from '../deps.ts';
import { describeFilter } from '../domain/search-view.ts';
import type { BffEnv } from '../env.ts';
import { BffError, forbidden } from '../errors.ts';
import { requirePermission } from '../middleware/session.ts';
import { PartialRevocation, type SearchService } from '../services/search-service.ts';
import type { WorkGate } from '../services/work-gate.ts';
import { auditedWithId, recordRead } from './audited.ts';
import { reply } from './contract.ts';
import {
  bindingChanges,
  changedAnswer,
  checkConfirm,
  confirmed,
  describeSessions,
  mayRevokeWide,
  nothingToRevoke,
  partialFailure,
  publicSessionImpact,
  refuseChanged,
  SearchImpactChanged,
} from './search-binding.ts';
import { body } from './validate.ts';

/**
 * "End these N sessions": the binding preview of a session search, and the ending of exactly
 * the sessions it previewed, each with the refresh tokens issued in it.
 */
export function sessionRevokeRoutes(deps: BffDeps, search: SearchService, gate: WorkGate) {
  return new Hono<BffEnv>()
    .on(
      endpoints.sessionSearchImpact.method,
      endpoints.sessionSearchImpact.path,
      requirePermission('searchTokens'),
      body(SessionSearchImpactBody),
      async (c) => {
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
        return reply(c, endpoints.sessionSearchImpact, publicSessionImpact(impact));
      },
    )
    .on(
      endpoints.endSearchSessions.method,
      endpoints.endSearchSessions.path,
      requirePermission('searchTokens'),
      body(RevokeSearchSessionsBody),
      async (c) => {
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
                    `This search matches more than ${impact!.limit.toLocaleString('en-US')} sessions, more than ` +
                      `the console ends at once. Narrow the search (a smaller range, a time range); nothing was ` +
                      `ended.`,
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
            return reply(c, endpoints.endSearchSessions, result);
          } catch (err) {
            if (!(err instanceof SearchImpactChanged)) throw err;
            return changedAnswer(c, err);
          }
        });
      },
    );
}
