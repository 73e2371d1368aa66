import type { SessionRecord } from '../../domain/model.ts';
import type { SessionTouch } from '../../domain/sso-session.ts';
import type { RefreshTokenSearch } from './refresh-tokens.ts';
import type { CheckpointPage } from './paging.ts';

/** Search across users of SSO sessions (GET /api/v2/sessions/search); last used = last interaction. */
export type SessionSearch = Pick<RefreshTokenSearch, 'ip' | 'asn' | 'user_agent' | 'last_used_from' | 'last_used_to'>;

/** SSO sessions: opened at login, touched on use, ended by logout or by staff. */
export interface SessionStore {
  createSession(session: SessionRecord, cookieHash: Buffer): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  getSessionByCookie(cookieHash: Buffer): Promise<SessionRecord | undefined>;
  touchSession(id: string, patch: SessionTouch): Promise<void>;
  listUserSessions(
    userId: string,
    now: number,
    from: string | undefined,
    take: number,
  ): Promise<CheckpointPage<SessionRecord>>;
  /** A user's sessions ended (logout, revocation) at or after `since`, the latest ended first, at most `limit`. */
  listEndedSessions(userId: string, since: number, limit: number): Promise<SessionRecord[]>;
  /** Ends the session; with `revokeTokens`, also journals revocation of its refresh tokens. */
  revokeSession(id: string, now: number, revokeTokens: { jobId: string } | null): Promise<SessionRecord | undefined>;
  revokeUserSessions(userId: string, now: number): Promise<number>;
  /**
   * Live sessions (not ended, not expired) matching every condition of `filter`, ordered by id,
   * checkpoint-paged (the tenant's search extension, not Auth0's).
   */
  searchSessions(
    filter: SessionSearch,
    now: number,
    from: string | undefined,
    take: number,
  ): Promise<CheckpointPage<SessionRecord>>;
  /** How many live sessions `searchSessions` finds, counting no further than `limit` (then `limited`, and the counts of those: at least). */
  countSessionSearch(
    filter: SessionSearch,
    now: number,
    limit: number,
  ): Promise<{ sessions: number; users: number; limited: boolean }>;
}
