import type { AuditEntry } from '@rtc/contracts';
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { openSqlite } from '@rtc/db/sqlite';
import { actionsOfKind } from '@rtc/contracts';
import {
  recordedEntry,
  toAuditEntry,
  type AuditListQuery,
  type AuditRow,
  type BffStore,
  type NewAuditEntry,
} from './bff-store.ts';

const MIGRATIONS = [
  `CREATE TABLE audit_log (
     id TEXT PRIMARY KEY,
     at INTEGER NOT NULL,
     actor_sub TEXT NOT NULL,
     actor_name TEXT NOT NULL,
     actor_role TEXT NOT NULL,
     action TEXT NOT NULL,
     target_user_id TEXT,
     target TEXT NOT NULL,
     result TEXT NOT NULL,
     detail TEXT NOT NULL,
     request_id TEXT NOT NULL
   );
   CREATE INDEX audit_at ON audit_log (at DESC);
   CREATE INDEX audit_user ON audit_log (target_user_id, at DESC);
   CREATE INDEX audit_actor ON audit_log (actor_sub, at DESC);
   CREATE TABLE ended_sessions (sid TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);`,
  // A refused sign-in has no console role; SQLite drops NOT NULL only by rebuilding the table.
  // The action index serves the Action and kind filters.
  `CREATE TABLE audit_log_v2 (
     id TEXT PRIMARY KEY,
     at INTEGER NOT NULL,
     actor_sub TEXT NOT NULL,
     actor_name TEXT NOT NULL,
     actor_role TEXT,
     action TEXT NOT NULL,
     target_user_id TEXT,
     target TEXT NOT NULL,
     result TEXT NOT NULL,
     detail TEXT NOT NULL,
     request_id TEXT NOT NULL
   );
   INSERT INTO audit_log_v2 (id, at, actor_sub, actor_name, actor_role, action, target_user_id, target, result, detail, request_id)
     SELECT id, at, actor_sub, actor_name, actor_role, action, target_user_id, target, result, detail, request_id FROM audit_log;
   DROP TABLE audit_log;
   ALTER TABLE audit_log_v2 RENAME TO audit_log;
   CREATE INDEX audit_at ON audit_log (at DESC);
   CREATE INDEX audit_user ON audit_log (target_user_id, at DESC);
   CREATE INDEX audit_actor ON audit_log (actor_sub, at DESC);
   CREATE INDEX audit_action ON audit_log (action, at DESC);`,
];

/** The BFF store on SQLite (WAL, synchronous=FULL): an audit entry is on disk before the answer. */
export class SqliteBffStore implements BffStore {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = openSqlite(path, MIGRATIONS);
  }

  async recordAudit(entry: NewAuditEntry, at: number): Promise<AuditEntry> {
    const id = randomUUID();
    this.db
      .prepare(
        `INSERT INTO audit_log (id, at, actor_sub, actor_name, actor_role, action, target_user_id, target, result, detail, request_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        at,
        entry.actor.sub,
        entry.actor.name,
        entry.actor.role,
        entry.action,
        entry.target_user_id,
        entry.target,
        entry.result,
        entry.detail,
        entry.request_id,
      );
    return recordedEntry(id, at, entry);
  }

  async listAudit(query: AuditListQuery): Promise<{ entries: AuditEntry[]; total: number }> {
    const clauses: string[] = [];
    const params: Record<string, unknown> = {};
    if (query.actor) {
      clauses.push('(actor_sub = @actor OR actor_name LIKE @actorLike)');
      params.actor = query.actor;
      params.actorLike = `%${query.actor}%`;
    }
    if (query.id) {
      clauses.push('id = @id');
      params.id = query.id;
    }
    if (query.user_ids) {
      clauses.push(`target_user_id IN (${query.user_ids.map((_, i) => `@user${i}`).join(', ')})`);
      for (const [i, id] of query.user_ids.entries()) params[`user${i}`] = id;
    }
    if (query.user_id) {
      const apps = query.with_applications ?? [];
      // An application-wide entry's target names the application as `(<client_id>)`.
      const appClauses = apps.map(
        (_, i) => `(action = 'application.revoke_all_tokens' AND target LIKE @app${i} ESCAPE '\\')`,
      );
      for (const [i, id] of apps.entries()) params[`app${i}`] = `%(${id.replace(/[\\%_]/g, (ch) => `\\${ch}`)})%`;
      clauses.push(`(target_user_id = @user_id${appClauses.map((c) => ` OR ${c}`).join('')})`);
      params.user_id = query.user_id;
    }
    if (query.action) {
      clauses.push('action = @action');
      params.action = query.action;
    }
    if (query.kind) {
      const actions = actionsOfKind(query.kind);
      clauses.push(`action IN (${actions.map((_, i) => `@kind${i}`).join(', ')})`);
      for (const [i, action] of actions.entries()) params[`kind${i}`] = action;
    }
    if (query.result) {
      clauses.push('result = @result');
      params.result = query.result;
    }
    if (query.from) {
      clauses.push('at >= @from');
      params.from = Date.parse(query.from);
    }
    if (query.to) {
      clauses.push('at <= @to');
      params.to = Date.parse(query.to);
    }
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const rows = this.db
      .prepare(`SELECT * FROM audit_log ${where} ORDER BY at DESC, id DESC LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: query.per_page, offset: query.page * query.per_page }) as AuditRow[];
    const total = (this.db.prepare(`SELECT count(*) AS n FROM audit_log ${where}`).get(params) as { n: number }).n;
    return {
      total,
      entries: rows.map(toAuditEntry),
    };
  }

  async endSession(sid: string, expiresAt: number): Promise<void> {
    this.db
      .prepare('INSERT INTO ended_sessions (sid, expires_at) VALUES (?, ?) ON CONFLICT (sid) DO NOTHING')
      .run(sid, expiresAt);
    this.db.prepare('DELETE FROM ended_sessions WHERE expires_at < ?').run(Date.now() - 86_400_000);
  }

  async isSessionEnded(sid: string, now: number): Promise<boolean> {
    return !!this.db.prepare('SELECT 1 FROM ended_sessions WHERE sid = ? AND expires_at >= ?').get(sid, now);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
