/**
 * The LIKE pattern of a user search (`q` of GET /api/v2/users), the same on every store: `*`
 * is the only wildcard a caller may use (anchored: `dan*` starts with dan); without one the
 * text matches anywhere. `\`, `%` and `_` are literal, escaped for `LIKE ... ESCAPE '\'`.
 *
 * Whether the search is anchored is read from the caller's text, not from the escaped
 * pattern: a `%` typed by the caller is escaped, and was once taken for a wildcard.
 */
export function userSearchPattern(q: string): string {
  const escaped = q.replace(/[\\%_]/g, (ch) => `\\${ch}`);
  return q.includes('*') ? escaped.replaceAll('*', '%') : `%${escaped}%`;
}

/** Users sort by email and by name without case on every store (emails compare without case everywhere). */
export const CASE_INSENSITIVE_USER_SORT: ReadonlySet<string> = new Set(['email', 'name']);
