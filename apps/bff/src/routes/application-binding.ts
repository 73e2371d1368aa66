import type { ApplicationImpact, ExpectedApplicationImpact, TokenCounts } from '@rtc/contracts';
import { BffError } from '../errors.ts';

/** The binding of an application-wide action to its preview, shared by "Revoke all tokens" and the leaked-secret flow. */

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
export const describe = (c: TokenCounts) =>
  `${plural(c.tokens, 'refresh token')} of ${plural(c.users, 'user')} on ${plural(c.devices, 'device')}`;

/** 409: the counts changed since the preview; answered with the new preview, nothing revoked. */
export class ApplicationImpactChanged extends BffError {
  constructor(
    message: string,
    readonly impact: ApplicationImpact,
    readonly changes: string[],
  ) {
    super(409, 'impact_changed', message);
  }
}

/** 409 when the counts or the newest token differ from the preview's: nothing revoked. */
export function refuseChanged(expected: ExpectedApplicationImpact | undefined, impact: ApplicationImpact): void {
  const changes = !expected
    ? ['confirm the preview first']
    : [
        ...(['tokens', 'users', 'devices'] as const)
          .filter((k) => expected[k] !== impact.counts[k])
          .map((k) => `${k}: ${expected[k]} previewed, ${impact.counts[k]} now`),
        // Equal counts can hide a token revoked and another issued since.
        ...(expected.issued_through !== impact.issued_through
          ? ['a refresh token was issued since the preview, or the newest one previewed is gone']
          : []),
      ];
  if (changes.length === 0) return;
  const message = expected
    ? `What this would revoke changed since the preview (${changes.join('; ')}). Nothing was revoked; check the new preview and confirm again.`
    : 'Nothing was revoked: confirm the preview of this action first.';
  throw new ApplicationImpactChanged(message, impact, changes);
}
