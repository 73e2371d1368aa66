import { touchedSession, type SessionTouch } from '../../domain/sso-session.ts';
import { Params, type Queryable } from '@rtc/db/postgres';
import { checkpoint, toSession } from '../sql/rows.ts';
import {
  limitedCounts,
  sessionSearchCountSql,
  sessionSearchPageSql,
  userSessionsPageSql,
  type SessionFields,
} from '../sql/search.ts';
import type { SessionRecord } from '../../domain/model.ts';
import type { SessionSearch, SessionStore } from '../contract/sessions.ts';
import type { PostgresConnection } from './connection.ts';
import type { PostgresRevocationJournal } from './revocation-journal.ts';

/** SSO sessions; a session's JSON is rewritten under its row's lock (SELECT ... FOR UPDATE). */
export class PostgresSessions implements SessionStore {
  constructor(
    private readonly connection: PostgresConnection,
    /** Journals the revocation of an ended session's tokens, in the same transaction. */
    private readonly journal: Pick<PostgresRevocationJournal, 'insertJob'>,
  ) {}

  async createSession(session: SessionRecord, cookieHash: Buffer): Promise<void> {
    await this.connection.pool.query(
      'INSERT INTO sessions (id, user_id, cookie_hash, created_at, revoked_at, json) VALUES ($1, $2, $3, $4, $5, $6)',
      [session.id, session.user_id, cookieHash, session.created_at, session.revoked_at, JSON.stringify(session)],
    );
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const row = await this.connection.one('SELECT json, revoked_at FROM sessions WHERE id = $1', [id]);
    return row ? toSession(row) : undefined;
  }

  async getSessionByCookie(cookieHash: Buffer): Promise<SessionRecord | undefined> {
    const row = await this.connection.one('SELECT json, revoked_at FROM sessions WHERE cookie_hash = $1', [cookieHash]);
    return row ? toSession(row) : undefined;
  }

  async touchSession(id: string, patch: SessionTouch): Promise<void> {
    await this.connection.tx(async (db) => {
      const row = await this.connection.one('SELECT json, revoked_at FROM sessions WHERE id = $1 FOR UPDATE', [id], db);
      if (!row) return;
      const session = touchedSession(toSession(row), patch);
      await db.query('UPDATE sessions SET json = $1 WHERE id = $2', [JSON.stringify(session), id]);
    });
  }

  async listUserSessions(userId: string, now: number, from: string | undefined, take: number) {
    const params = new Params();
    const bind = (value: unknown) => params.add(value);
    const rows = await this.connection.all(
      userSessionsPageSql(userId, bind, SESSION_FIELDS, bind(now), from, take + 1),
      params.values,
    );
    return checkpoint(rows.map(toSession), take, (s) => s.id);
  }

  async listEndedSessions(userId: string, since: number, limit: number): Promise<SessionRecord[]> {
    const rows = await this.connection.all(
      'SELECT json, revoked_at FROM sessions WHERE user_id = $1 AND revoked_at >= $2 ORDER BY revoked_at DESC, id DESC LIMIT $3',
      [userId, since, limit],
    );
    return rows.map(toSession);
  }

  async revokeSession(
    id: string,
    now: number,
    revokeTokens: { jobId: string } | null,
  ): Promise<SessionRecord | undefined> {
    return this.connection.tx(async (db) => {
      const row = await this.connection.one('SELECT json, revoked_at FROM sessions WHERE id = $1 FOR UPDATE', [id], db);
      if (!row) return undefined;
      await db.query('UPDATE sessions SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2', [now, id]);
      if (revokeTokens) {
        await this.journal.insertJob(db, {
          id: revokeTokens.jobId,
          target: { kind: 'session', session_id: id },
          reason: 'session_revoked',
          requested_at: now,
        });
      }
      return { ...toSession(row), revoked_at: (row.revoked_at as number | null) ?? now };
    });
  }

  async searchSessions(filter: SessionSearch, now: number, from: string | undefined, take: number) {
    const params = new Params();
    const bind = (value: unknown) => params.add(value);
    const text = sessionSearchPageSql(filter, { bind, like: 'ILIKE' }, SESSION_FIELDS, bind(now), from, take + 1);
    return checkpoint((await this.connection.all(text, params.values)).map(toSession), take, (s) => s.id);
  }

  async countSessionSearch(filter: SessionSearch, now: number, limit: number) {
    const params = new Params();
    const bind = (value: unknown) => params.add(value);
    const row = (await this.connection.one(
      sessionSearchCountSql(filter, { bind, like: 'ILIKE' }, SESSION_FIELDS, bind(now), limit),
      params.values,
    ))!;
    return limitedCounts({ sessions: Number(row.sessions), users: Number(row.users) }, 'sessions', limit);
  }

  async revokeUserSessions(userId: string, now: number): Promise<number> {
    return this.endUserSessions(this.connection.pool, userId, now);
  }

  /** Ends every open session of the user, in the caller's transaction when `db` is its client (deleting the user). */
  async endUserSessions(db: Queryable, userId: string, now: number): Promise<number> {
    return (
      (await db.query('UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL', [now, userId]))
        .rowCount ?? 0
    );
  }
}

/** A session's fields in its JSON (text column); rtc_ip_key comes with migration 2. */
const SESSION_FIELDS: SessionFields = {
  text: (path) => `(json::jsonb #>> '{${path.replaceAll('.', ',')}}')`,
  number: (path) => `(json::jsonb #>> '{${path.replaceAll('.', ',')}}')::bigint`,
  ipKey: (expression) => `rtc_ip_key(${expression})`,
};
