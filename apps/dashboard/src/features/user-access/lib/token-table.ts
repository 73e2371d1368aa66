import type { RefreshToken } from '@rtc/contracts';

export const UNNAMED_DEVICE = 'Unnamed device';
export const SORT_KEYS = ['client_name', 'device_name', 'created_at', 'last_exchanged_at', 'expires_at'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export function filterTokens(tokens: RefreshToken[], filter: { clientId?: string; device?: string }): RefreshToken[] {
  return tokens.filter(
    (t) =>
      (!filter.clientId || t.client_id === filter.clientId) &&
      (!filter.device || (t.device_name ?? UNNAMED_DEVICE) === filter.device),
  );
}

/** Stable sort; missing values (never exchanged, never expires) sort last whatever the direction. */
export function sortTokens(tokens: RefreshToken[], key: SortKey, direction: 'asc' | 'desc'): RefreshToken[] {
  const value = (t: RefreshToken) => (key === 'device_name' ? (t.device_name ?? UNNAMED_DEVICE) : t[key]);
  return [...tokens].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === y) return a.id.localeCompare(b.id);
    if (x === null) return 1;
    if (y === null) return -1;
    const order = x.localeCompare(y);
    return direction === 'asc' ? order : -order;
  });
}
