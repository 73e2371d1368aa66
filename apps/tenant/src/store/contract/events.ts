import type { TenantEvent } from '../../domain/model.ts';

/** The tenant's log of what happened (logins, exchanges, reuse, revocations). */
export interface EventLogStore {
  addEvent(event: TenantEvent): Promise<void>;
  /** Newest first (ties: the greater id first), or oldest first; `offset` skips that many. */
  listEvents(
    filter: EventFilter,
    limit: number,
    order?: { offset?: number; oldestFirst?: boolean },
  ): Promise<TenantEvent[]>;
  countEvents(filter: EventFilter): Promise<number>;
}

export interface EventFilter {
  user_id?: string;
  type?: string;
  refresh_token_id?: string;
}
