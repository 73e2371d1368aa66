import type { RefreshToken, Session, SignOutExpected, SignOutImpact } from '@rtc/contracts';
import { digestOf } from './search-view.ts';
import { describeSession, UNNAMED_DEVICE } from './user-view.ts';

/**
 * "Sign out everywhere", as pure functions: the preview of a user's live tokens and
 * sessions, how a fresh one differs from the one confirmed, and the audit log's words for it.
 */

/** Where a token lives, for counting devices: its device name, else (a real Auth0 tenant) its agent in words. */
const deviceOf = (t: RefreshToken) => t.device_name ?? t.device.last_agent ?? t.device.initial_agent ?? UNNAMED_DEVICE;

/** Counts by key, most first, then by name. */
function countBy<T>(items: T[], key: (item: T) => string): { name: string; tokens: number }[] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts]
    .map(([name, tokens]) => ({ name, tokens }))
    .sort((a, b) => b.tokens - a.tokens || a.name.localeCompare(b.name));
}

/** The digest binds ids of both kinds, each prefixed, so a token id can never stand in for a session's. */
export const signOutDigest = (tokenIds: string[], sessionIds: string[]) =>
  digestOf([...tokenIds.map((id) => `token:${id}`), ...sessionIds.map((id) => `session:${id}`)]);

export function signOutImpact(
  user: { user_id: string; name: string; blocked: boolean },
  tokens: RefreshToken[],
  sessions: Session[],
  truncated: boolean,
): SignOutImpact {
  const clientNames = new Map(tokens.map((t) => [t.client_id, t.client_name]));
  return {
    user_id: user.user_id,
    user_name: user.name,
    tokens: tokens.length,
    // Counted by id: two applications may share a name.
    applications: countBy(tokens, (t) => t.client_id)
      .map(({ name: client_id, tokens: n }) => ({ client_id, name: clientNames.get(client_id)!, tokens: n }))
      .sort((a, b) => b.tokens - a.tokens || a.name.localeCompare(b.name)),
    devices: countBy(tokens, deviceOf),
    sessions: sessions.map((s) => ({ session_id: s.id, description: describeSession(s) })),
    digest: signOutDigest(
      tokens.map((t) => t.id),
      sessions.map((s) => s.id),
    ),
    truncated,
    blocked: user.blocked,
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** How a fresh preview differs from the one confirmed, in a sentence; null when the action may run. */
export function signOutChange(expected: SignOutExpected | undefined, impact: SignOutImpact): string | null {
  if (!expected) return 'Nothing was revoked: confirm the preview of this action first.';
  if (
    expected.digest === impact.digest &&
    expected.tokens === impact.tokens &&
    expected.sessions === impact.sessions.length
  )
    return null;
  // Equal counts can hide one token revoked and another issued; the digest cannot.
  const counts =
    expected.tokens === impact.tokens && expected.sessions === impact.sessions.length
      ? `the same counts (${plural(impact.tokens, 'refresh token')}, ${plural(impact.sessions.length, 'session')}), but other ones`
      : `${plural(impact.tokens, 'refresh token')} and ${plural(impact.sessions.length, 'session')} now, ` +
        `${plural(expected.tokens, 'refresh token')} and ${plural(expected.sessions, 'session')} in the preview`;
  return `What this would revoke changed since the preview: ${counts}. Nothing was revoked and nobody was blocked; check the new preview and confirm again.`;
}

/** What the audit entry records: what blocking did, the counts in words, then every id (the CSV export carries them whole). */
export function signOutDetail(
  userEmail: string | null,
  userId: string,
  impact: SignOutImpact,
  tokenIds: string[],
  sessionIds: string[],
  block: { asked: boolean; already: boolean },
): string {
  const names = (list: { name: string; tokens: number }[]) => list.map((x) => `${x.name} (${x.tokens})`).join(', ');
  return [
    // What blocking did comes first, as it did (and the audit page shows a long detail's start only).
    `user ${userEmail ?? userId}: ${block.asked ? (block.already ? 'the user was blocked already' : 'blocked the user') : 'did not block the user'}; `,
    `revoked ${plural(impact.tokens, 'refresh token')}${impact.truncated ? ' (more than the console lists: every token of the user)' : ''}`,
    impact.tokens
      ? ` on ${plural(impact.devices.length, 'device')}: ${names(impact.devices)}; ` +
        `of ${plural(impact.applications.length, 'application')}: ${names(impact.applications)}`
      : '',
    `; ended ${plural(impact.sessions.length, 'session')}${impact.sessions.length ? `: ${impact.sessions.map((s) => s.description).join('; ')}` : ''}`,
    tokenIds.length ? `; refresh token ids: ${tokenIds.join(' ')}` : '',
    sessionIds.length ? `; session ids: ${sessionIds.join(' ')}` : '',
  ].join('');
}
