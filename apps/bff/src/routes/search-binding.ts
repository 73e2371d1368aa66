import {
  can,
  type SessionCounts,
  type SessionSearchImpact,
  type TokenCounts,
  type TokenSearchImpact,
} from '@rtc/contracts';
import type { Context } from 'hono';
import type { BffEnv } from '../env.ts';
import { BffError, badRequest, forbidden } from '../errors.ts';
import type { CollectedImpact, CollectedSessionImpact, PartialRevocation } from '../services/search-service.ts';

/**
 * A search revocation bound to its preview, shared by "Revoke these N tokens" and "End these
 * N sessions": the confirmation typed, the right to revoke a wide result, the 409 when the
 * result changed, and the 502/503 when the tenant failed part-way.
 */

export const CONFIRM_WORD = 'REVOKE';
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
export const describe = (c: TokenCounts) =>
  `${plural(c.tokens, 'refresh token')} of ${plural(c.users, 'user')} on ${plural(c.devices, 'device')}`;
export const describeSessions = (c: SessionCounts) => `${plural(c.sessions, 'session')} of ${plural(c.users, 'user')}`;
/** The preview as the dashboard gets it: the ids stay on the server (up to 10,000 of them). */
export const publicImpact = ({
  ids: _ids,
  bindings: _bindings,
  perUser: _perUser,
  ...impact
}: CollectedImpact): TokenSearchImpact => impact;
export const publicSessionImpact = ({
  ids: _ids,
  perUser: _perUser,
  ...impact
}: CollectedSessionImpact): SessionSearchImpact => impact;

/** 409: the result set changed since the preview; answered with the new preview, nothing revoked. */
export class SearchImpactChanged extends BffError {
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
export function bindingChanges(
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

export function refuseChanged(changes: string[], impact: TokenSearchImpact | SessionSearchImpact): void {
  if (changes.length === 0) return;
  const message =
    changes[0] === 'confirm the preview first'
      ? 'Nothing was revoked: confirm the preview of this action first.'
      : `What this would revoke changed since the preview (${changes.join('; ')}). Nothing was revoked; check the new preview and confirm again.`;
  throw new SearchImpactChanged(message, impact, changes);
}

export const confirmed = (confirm: string) => confirm.trim() === CONFIRM_WORD;
export const checkConfirm = (confirm: string) => {
  if (!confirmed(confirm)) throw badRequest(`Type ${CONFIRM_WORD} to confirm.`, { confirm: `must be ${CONFIRM_WORD}` });
};
/** Whether the staff member may revoke any result set, however wide (what the Applications area allows). */
export const mayRevokeWide = (c: Context<BffEnv>) => can(c.get('session')?.role, 'manageApplications');

/**
 * 403 when the result is an admin's (the preview's admin_only: a filter that does not narrow,
 * or a result holding too much of an application) and the staff member is not one.
 */
export function checkResultRight(c: Context<BffEnv>, adminOnly: string | null): void {
  if (adminOnly && !mayRevokeWide(c)) throw forbidden(adminOnly);
}

/** 400, not audited: an empty result set revokes nothing, so there is no revocation to record. */
export const nothingToRevoke = (noun: string) =>
  new BffError(400, 'nothing_to_revoke', `This search finds no ${noun} now: there is nothing to revoke.`);

/**
 * The tenant failed part-way: the answer says how many went and that the rest did not, with
 * the tenant's status (502, or 503 with Retry-After); the audit entry records the filter, the
 * counts, and which ids went and which did not.
 */
export function partialFailure(
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

/** The 409 of a search revocation: the new preview, and how it differs from the one confirmed. */
export const changedAnswer = (c: Context<BffEnv>, err: SearchImpactChanged) =>
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
