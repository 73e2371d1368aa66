import type { EventFilter, EventLogStore } from '../contract/events.ts';
import type { TenantEvent } from '../../domain/model.ts';
import type { Row } from '../sql/rows.ts';
import { whereOf, type SqliteConnection } from './connection.ts';

/** The tenant's event log. */
export class SqliteEvents implements EventLogStore {
  constructor(private readonly connection: SqliteConnection) {}

  async addEvent(event: TenantEvent): Promise<void> {
    insertEvent(this.connection, event);
  }

  async listEvents(filter: EventFilter, limit: number, order: { offset?: number; oldestFirst?: boolean } = {}) {
    const { where, params } = whereOf(filter, ['user_id', 'type', 'refresh_token_id']);
    const direction = order.oldestFirst ? 'ASC' : 'DESC';
    const rows = this.connection
      .q(
        `SELECT json FROM events ${where} ORDER BY created_at ${direction}, id ${direction} LIMIT @limit OFFSET @offset`,
      )
      .all({ ...params, limit, offset: order.offset ?? 0 }) as Row[];
    return rows.map((r) => JSON.parse(r.json) as TenantEvent);
  }

  async countEvents(filter: EventFilter) {
    const { where, params } = whereOf(filter, ['user_id', 'type', 'refresh_token_id']);
    return Number((this.connection.q(`SELECT count(*) AS n FROM events ${where}`).get(params) as Row).n);
  }
}

/** One log entry, inside the caller's transaction or in one of its own. */
export function insertEvent(connection: SqliteConnection, event: TenantEvent): void {
  connection
    .q(
      'INSERT INTO events (id, type, user_id, client_id, refresh_token_id, created_at, json) VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    .run(
      event.id,
      event.type,
      event.user_id,
      event.client_id,
      event.refresh_token_id,
      event.created_at,
      JSON.stringify(event),
    );
}
