import type { AuditQuery, ImpactRequest } from '@rtc/contracts';

/**
 * Query-key factories. Everything about one user hangs under `users.detail(id)`, so an action
 * on a user invalidates every tab of that user with one prefix.
 */
export const queryKeys = {
  me: ['me'] as const,
  users: {
    all: ['users'] as const,
    search: (q: string, page: number) => ['users', 'search', { q, page }] as const,
    detail: (userId: string) => ['users', 'detail', userId] as const,
    devices: (userId: string) => ['users', 'detail', userId, 'devices'] as const,
    authorizedApps: (userId: string) => ['users', 'detail', userId, 'authorized-apps'] as const,
    refreshTokens: (userId: string) => ['users', 'detail', userId, 'refresh-tokens'] as const,
    refreshTokenPage: (userId: string, page: { take: number; from?: string; clientId?: string }) =>
      ['users', 'detail', userId, 'refresh-tokens', 'page', page] as const,
    sessions: (userId: string) => ['users', 'detail', userId, 'sessions'] as const,
    securityEvents: (userId: string) => ['users', 'detail', userId, 'security-events'] as const,
    history: (userId: string, page: number) => ['users', 'detail', userId, 'history', page] as const,
    revoked: (userId: string) => ['users', 'detail', userId, 'revoked'] as const,
    impact: (userId: string, request: ImpactRequest) => ['users', 'detail', userId, 'impact', request] as const,
  },
  settings: ['settings'] as const,
  audit: (query: Partial<AuditQuery>) => ['audit', query] as const,
};
