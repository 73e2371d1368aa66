import type { RevokedToken, EndedSession } from '@rtc/contracts';

/** A time in words any customer reads the same: UTC, spelled out. */
const utc = (iso: string) =>
  `${new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso))} UTC`;

/**
 * What to tell the customer about a revoked token, in plain words: when, which app on which
 * device, and whether it was our support team, the app or a security rule. No ids or
 * staff names: those are for the console.
 */
export function revokedTokenSummary(token: RevokedToken): string {
  const when = token.revoked_at ? `On ${utc(token.revoked_at)}` : 'Recently';
  const device = token.device_name ? ` on your device "${token.device_name}"` : '';
  const who = token.staff ? 'our support team signed it out' : `it was signed out (${token.way})`;
  return `${when}, ${token.client_name}${device} lost its access: ${who}. To use ${token.client_name} there again, sign in once more.`;
}

export function endedSessionSummary(session: EndedSession): string {
  const when = session.ended_at ? `On ${utc(session.ended_at)}` : 'Recently';
  const apps = session.applications.length ? ` (${session.applications.join(', ')})` : '';
  return `${when}, your browser session${apps} was ended${session.staff ? ' by our support team' : ''}. Sign in again to continue.`;
}
