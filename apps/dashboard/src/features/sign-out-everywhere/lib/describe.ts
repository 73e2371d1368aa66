import type { SignOutEverywhereResult, SignOutImpact } from '@rtc/contracts';
import { countOf, joinWithAnd as and, summarise } from '../../../lib/summarise';

export const plural = countOf;

/** The preview in sentences, for the dialog. */
export function describeSignOut(impact: SignOutImpact): {
  tokens: string;
  devices: string | null;
  applications: string | null;
  sessions: string;
} {
  return {
    tokens:
      impact.tokens === 0
        ? `${impact.user_name} holds no refresh tokens.`
        : `This revokes ${impact.truncated ? 'every one of more than ' : impact.tokens === 1 ? '' : 'all '}` +
          `${plural(impact.tokens, 'refresh token')} of ${impact.user_name}.`,
    devices: impact.tokens
      ? `On ${summarise(
          impact.devices.map((d) => `${d.name} (${d.tokens})`),
          'device',
        )}.`
      : null,
    applications: impact.tokens
      ? `Of ${summarise(
          impact.applications.map((a) => `${a.name} (${a.tokens})`),
          'application',
        )}.`
      : null,
    sessions:
      impact.sessions.length === 0
        ? 'There is no session to end.'
        : `It ends ${summarise(
            impact.sessions.map((s) => s.description),
            'session',
            { separator: '; ' },
          )}.`,
  };
}

/** What happened, exactly: "Revoked 5 refresh tokens on 3 devices and ended 2 sessions. Jane is blocked." */
export function describeSignOutResult(result: SignOutEverywhereResult): string {
  const { impact } = result;
  const done = [
    impact.tokens
      ? `revoked ${impact.truncated ? 'every one of more than ' : ''}${plural(impact.tokens, 'refresh token')} on ${plural(impact.devices.length, 'device')}`
      : null,
    impact.sessions.length ? `ended ${plural(impact.sessions.length, 'session')}` : null,
  ].filter((part): part is string => part !== null);
  const what = done.length
    ? `${and(done).charAt(0).toUpperCase()}${and(done).slice(1)}.`
    : 'There was no refresh token or session to end.';
  const blocked = result.blocked
    ? `${impact.user_name} is blocked.`
    : result.is_blocked
      ? `${impact.user_name} was blocked already.`
      : `${impact.user_name} is not blocked and may sign in again.`;
  return `${what} ${blocked}`;
}
