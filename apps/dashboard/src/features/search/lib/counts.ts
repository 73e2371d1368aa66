import type { SessionSearchTotals, TokenCounts, TokenSearchTotals } from '@rtc/contracts';

/** "10,000 tokens", "1 user": the English UI's digit grouping whatever the browser's locale. */
const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${n === 1 ? word : `${word}s`}`;

/**
 * A search's counts in words. Past 10,000 matches the tenant stops counting (`limited`): the
 * count is then "more than", and the users and devices, counted over those 10,000, "at least".
 */
const atLeast = (limited: boolean, n: number, word: string) =>
  limited ? `at least ${plural(n, word)}` : plural(n, word);

/** "312 tokens · 41 users · 57 devices", or "more than 10,000 tokens · at least 41 users · at least 57 devices". */
export function tokenCountWords(c: TokenSearchTotals): string {
  const tokens = c.limited ? `more than ${plural(c.tokens, 'token')}` : plural(c.tokens, 'token');
  return `${tokens} · ${atLeast(c.limited, c.users, 'user')} · ${atLeast(c.limited, c.devices, 'device')}`;
}

/** "12 sessions · 9 users", or "more than 10,000 sessions · at least 9 users". */
export function sessionCountWords(c: SessionSearchTotals): string {
  return `${c.limited ? `more than ${plural(c.sessions, 'session')}` : plural(c.sessions, 'session')} · ${atLeast(c.limited, c.users, 'user')}`;
}

/**
 * What "Revoke these N tokens" did: revoking tokens ends no session, and the result says so,
 * rather than leave the impression the address is contained.
 */
export function tokensRevokedSentence(c: TokenCounts): string {
  return (
    `Revoked ${plural(c.tokens, 'refresh token')} of ${plural(c.users, 'user')} on ${plural(c.devices, 'device')}. ` +
    `They are refused from now on. Sessions were not ended: the same search on the Sessions tab, or ` +
    `Contain above for an address or a network, ends them.`
  );
}
