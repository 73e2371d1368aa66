import type { AuditEntry } from '@rtc/contracts';
import { createPool, runMigrations } from '@rtc/db/postgres';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
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
     id TEXT PRIMARY KEY, at BIGINT NOT NULL, actor_sub TEXT NOT NULL, actor_name TEXT NOT NULL, actor_role TEXT NOT NULL,
     action TEXT NOT NULL, target_user_id TEXT, target TEXT NOT NULL, result TEXT NOT NULL, detail TEXT NOT NULL, request_id TEXT NOT NULL
   );
   CREATE INDEX audit_at ON audit_log (at DESC);
   CREATE INDEX audit_user ON audit_log (target_user_id, at DESC);
   CREATE INDEX audit_actor ON audit_log (actor_sub, at DESC);
   CREATE TABLE ended_sessions (sid TEXT PRIMARY KEY, expires_at BIGINT NOT NULL);`,
  // A refused sign-in has no console role; the action index serves the Action and kind filters.
  `ALTER TABLE audit_log ALTER COLUMN actor_role DROP NOT NULL;
   CREATE INDEX audit_action ON audit_log (action, at DESC);`,
];

/** The BFF store on PostgreSQL: one audit log and one ended-session list for every BFF instance. */
export class PostgresBffStore implements BffStore {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(url: string, options: { schema?: string } = {}): Promise<PostgresBffStore> {
    const pool = createPool(url, options.schema, 5);
    await runMigrations(pool, MIGRATIONS, {
      ...(options.schema ? { schema: options.schema } : {}),
      table: 'bff_schema_migrations',
    });
    return new PostgresBffStore(pool);
  }

  async recordAudit(entry: NewAuditEntry, at: number): Promise<AuditEntry> {
    const id = randomUUID();
    await this.pool.query(
      `INSERT INTO audit_log (id, at, actor_sub, actor_name, actor_role, action, target_user_id, target, result, detail, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
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
      ],
    );
    return recordedEntry(id, at, entry);
  }

  async listAudit(query: AuditListQuery): Promise<{ entries: AuditEntry[]; total: number }> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const add = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.actor) clauses.push(`(actor_sub = ${add(query.actor)} OR actor_name ILIKE ${add(`%${query.actor}%`)})`);
    if (query.id) clauses.push(`id = ${add(query.id)}`);
    if (query.user_ids) clauses.push(`target_user_id = ANY(${add(query.user_ids)})`);
    if (query.user_id) {
      // An application-wide entry's target names the application as `(<client_id>)`.
      const apps = (query.with_applications ?? []).map(
        (id) =>
          `(action = 'application.revoke_all_tokens' AND target LIKE ${add(`%(${id.replace(/[\\%_]/g, (ch) => `\\${ch}`)})%`)})`,
      );
      clauses.push(`(target_user_id = ${add(query.user_id)}${apps.map((c) => ` OR ${c}`).join('')})`);
    }
    if (query.action) clauses.push(`action = ${add(query.action)}`);
    if (query.kind) clauses.push(`action = ANY(${add(actionsOfKind(query.kind))})`);
    if (query.result) clauses.push(`result = ${add(query.result)}`);
    if (query.from) clauses.push(`at >= ${add(Date.parse(query.from))}`);
    if (query.to) clauses.push(`at <= ${add(Date.parse(query.to))}`);
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const filterParams = [...params];
    const rows = (
      await this.pool.query(
        `SELECT * FROM audit_log ${where} ORDER BY at DESC, id DESC LIMIT ${add(query.per_page)} OFFSET ${add(query.page * query.per_page)}`,
        params,
      )
    ).rows as AuditRow[];
    const total = Number(
      (await this.pool.query(`SELECT count(*) AS n FROM audit_log ${where}`, filterParams)).rows[0].n,
    );
    return {
      total,
      entries: rows.map(toAuditEntry),
    };
  }

  async endSession(sid: string, expiresAt: number): Promise<void> {
    await this.pool.query('INSERT INTO ended_sessions (sid, expires_at) VALUES ($1, $2) ON CONFLICT (sid) DO NOTHING', [
      sid,
      expiresAt,
    ]);
    await this.pool.query('DELETE FROM ended_sessions WHERE expires_at < $1', [Date.now() - 86_400_000]);
  }

  async isSessionEnded(sid: string, now: number): Promise<boolean> {
    return (
      (await this.pool.query('SELECT 1 FROM ended_sessions WHERE sid = $1 AND expires_at >= $2', [sid, now]))
        .rowCount! > 0
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
