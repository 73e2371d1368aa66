import { touchedSession, type SessionTouch } from '../../domain/sso-session.ts';
import type { CheckpointPage } from '../contract/paging.ts';
import type { SessionRecord } from '../../domain/model.ts';
import type { SessionSearch, SessionStore } from '../contract/sessions.ts';
import { checkpoint, toSession, type Row } from '../sql/rows.ts';
import {
  limitedCounts,
  sessionSearchCountSql,
  sessionSearchPageSql,
  userSessionsPageSql,
  type SessionFields,
} from '../sql/search.ts';
import { bound, type SqliteConnection } from './connection.ts';
import type { SqliteRevocationJournal } from './revocation-journal.ts';

/** SSO sessions. Ending one with its tokens journals their revocation in the same transaction. */
export class SqliteSessions implements SessionStore {
  constructor(
    private readonly connection: SqliteConnection,
    private readonly journal: SqliteRevocationJournal,
  ) {}

  async createSession(session: SessionRecord, cookieHash: Buffer): Promise<void> {
    this.connection
      .q('INSERT INTO sessions (id, user_id, cookie_hash, created_at, revoked_at, json) VALUES (?, ?, ?, ?, ?, ?)')
      .run(session.id, session.user_id, cookieHash, session.created_at, session.revoked_at, JSON.stringify(session));
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const row = this.connection.q('SELECT json, revoked_at FROM sessions WHERE id = ?').get(id) as Row | undefined;
    return row ? toSession(row) : undefined;
  }

  async getSessionByCookie(cookieHash: Buffer): Promise<SessionRecord | undefined> {
    const row = this.connection.q('SELECT json, revoked_at FROM sessions WHERE cookie_hash = ?').get(cookieHash) as
      | Row
      | undefined;
    return row ? toSession(row) : undefined;
  }

  async touchSession(id: string, patch: SessionTouch): Promise<void> {
    this.connection.tx(() => {
      const row = this.connection.q('SELECT json, revoked_at FROM sessions WHERE id = ?').get(id) as Row | undefined;
      if (!row) return;
      const session = touchedSession(toSession(row), patch);
      this.connection.q('UPDATE sessions SET json = ? WHERE id = ?').run(JSON.stringify(session), id);
    });
  }

  async listUserSessions(
    userId: string,
    now: number,
    from: string | undefined,
    take: number,
  ): Promise<CheckpointPage<SessionRecord>> {
    const { sql, params } = bound((bind) =>
      userSessionsPageSql(userId, bind, SESSION_FIELDS, bind(now), from, take + 1),
    );
    return checkpoint((this.connection.q(sql).all(params) as Row[]).map(toSession), take, (s) => s.id);
  }

  async listEndedSessions(userId: string, since: number, limit: number): Promise<SessionRecord[]> {
    const rows = this.connection
      .q(
        'SELECT json, revoked_at FROM sessions WHERE user_id = ? AND revoked_at >= ? ORDER BY revoked_at DESC, id DESC LIMIT ?',
      )
      .all(userId, since, limit) as Row[];
    return rows.map(toSession);
  }

  async revokeSession(
    id: string,
    now: number,
    revokeTokens: { jobId: string } | null,
  ): Promise<SessionRecord | undefined> {
    return this.connection.tx(() => {
      const row = this.connection.q('SELECT json, revoked_at FROM sessions WHERE id = ?').get(id) as Row | undefined;
      if (!row) return undefined;
      this.connection.q('UPDATE sessions SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?').run(now, id);
      if (revokeTokens) {
        this.journal.insertJob({
          id: revokeTokens.jobId,
          target: { kind: 'session', session_id: id },
          reason: 'session_revoked',
          requested_at: now,
        });
      }
      return { ...toSession(row), revoked_at: (row.revoked_at as number | null) ?? now };
    });
  }

  async searchSessions(
    filter: SessionSearch,
    now: number,
    from: string | undefined,
    take: number,
  ): Promise<CheckpointPage<SessionRecord>> {
    const { sql, params } = bound((bind) =>
      sessionSearchPageSql(filter, { bind, like: 'LIKE' }, SESSION_FIELDS, bind(now), from, take + 1),
    );
    return checkpoint((this.connection.q(sql).all(params) as Row[]).map(toSession), take, (s) => s.id);
  }

  async countSessionSearch(filter: SessionSearch, now: number, limit: number) {
    const { sql, params } = bound((bind) =>
      sessionSearchCountSql(filter, { bind, like: 'LIKE' }, SESSION_FIELDS, bind(now), limit),
    );
    const row = this.connection.q(sql).get(params) as Row;
    return limitedCounts({ sessions: Number(row.sessions), users: Number(row.users) }, 'sessions', limit);
  }

  async revokeUserSessions(userId: string, now: number): Promise<number> {
    return this.endUserSessions(userId, now);
  }

  /** Ends the user's open sessions, inside the caller's transaction if any (deleting the user); how many. */
  endUserSessions(userId: string, now: number): number {
    return this.connection
      .q('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL')
      .run(now, userId).changes;
  }
}

/** A session's fields in its JSON; `ip_key` is registered on the connection (see openSqliteStore). */
const SESSION_FIELDS: SessionFields = {
  text: (path) => `json_extract(json, '$.${path}')`,
  number: (path) => `json_extract(json, '$.${path}')`,
  ipKey: (expression) => `ip_key(${expression})`,
};
