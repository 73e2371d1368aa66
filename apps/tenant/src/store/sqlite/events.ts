import type { EventLogStore, TenantEvent } from '../types.ts';
import type { Row } from '../sql/rows.ts';
import { whereOf, type SqliteConnection } from './connection.ts';

/** The tenant's event log. */
export class SqliteEvents implements EventLogStore {
  constructor(private readonly connection: SqliteConnection) {}

  async addEvent(event: TenantEvent): Promise<void> {
    this.connection.q('INSERT INTO events (id, type, user_id, client_id, refresh_token_id, created_at, json) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      event.id,
      event.type,
      event.user_id,
      event.client_id,
      event.refresh_token_id,
      event.created_at,
      JSON.stringify(event),
    );
  }

  async listEvents(filter: { user_id?: string; type?: string; refresh_token_id?: string }, limit: number) {
    const { where, params } = whereOf(filter, ['user_id', 'type', 'refresh_token_id']);
    const rows = this.connection.q(`SELECT json FROM events ${where} ORDER BY created_at DESC, id DESC LIMIT @limit`).all({ ...params, limit }) as Row[];
    return rows.map((r) => JSON.parse(r.json) as TenantEvent);
  }
}
