import type { TenantEvent } from '../../domain/model.ts';

/** The tenant's log of what happened (logins, exchanges, reuse, revocations). */
export interface EventLogStore {
  addEvent(event: TenantEvent): Promise<void>;
  listEvents(filter: { user_id?: string; type?: string; refresh_token_id?: string }, limit: number): Promise<TenantEvent[]>;
}
