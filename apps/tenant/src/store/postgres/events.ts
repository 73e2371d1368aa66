import { Params, type Queryable } from '@rtc/db/postgres';
import type { EventFilter, EventLogStore } from '../contract/events.ts';
import type { TenantEvent } from '../../domain/model.ts';
import { prepared, toQuery, whereOf, type PostgresConnection } from './connection.ts';

/** The tenant's event log: appended to, read newest first. */
export class PostgresEvents implements EventLogStore {
  constructor(private readonly connection: PostgresConnection) {}

  async addEvent(event: TenantEvent): Promise<void> {
    await insertEvent(this.connection.pool, event);
  }

  async listEvents(filter: EventFilter, limit: number, order: { offset?: number; oldestFirst?: boolean } = {}) {
    const params = new Params();
    const where = whereOf(filter, ['user_id', 'type', 'refresh_token_id'], params);
    const direction = order.oldestFirst ? 'ASC' : 'DESC';
    const rows = await this.connection.all(
      `SELECT json FROM events ${where} ORDER BY created_at ${direction}, id ${direction} LIMIT ${params.add(limit)} OFFSET ${params.add(order.offset ?? 0)}`,
      params.values,
    );
    return rows.map((r) => JSON.parse(r.json) as TenantEvent);
  }

  async countEvents(filter: EventFilter) {
    const params = new Params();
    const where = whereOf(filter, ['user_id', 'type', 'refresh_token_id'], params);
    const rows = await this.connection.all(`SELECT count(*) AS n FROM events ${where}`, params.values);
    return Number(rows[0]!.n);
  }
}

/** One log entry, inside the caller's transaction (`db`) or on the pool. */
export async function insertEvent(db: Queryable, event: TenantEvent): Promise<void> {
  await db.query(
    toQuery(INSERT_EVENT, [
      event.id,
      event.type,
      event.user_id,
      event.client_id,
      event.refresh_token_id,
      event.created_at,
      JSON.stringify(event),
    ]),
  );
}

/** Every revocation and sign-in writes one: prepared once per connection. */
const INSERT_EVENT = prepared(
  'insert_event',
  'INSERT INTO events (id, type, user_id, client_id, refresh_token_id, created_at, json) VALUES ($1, $2, $3, $4, $5, $6, $7)',
);
