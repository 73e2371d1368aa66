import { expect, it } from 'vitest';
import { describeContract, T0 } from './contract-harness.ts';
import type { TenantEvent } from '../../domain/model.ts';

/** The contract of the event log (EventLogStore, ./events.ts), on every store (see ./contract-harness.ts). */
describeContract(({ withStore }) => {
  it(
    'logs events and lists them newest first, narrowed by user, type and token, at most the limit',
    withStore(async (store) => {
      const event = (id: string, created_at: number, extra: Partial<TenantEvent> = {}): TenantEvent => ({
        id,
        type: 'sertft',
        description: 'Successful exchange of refresh token',
        user_id: 'u1',
        client_id: 'app',
        refresh_token_id: 'rt_1',
        ip: '192.0.2.1',
        details: { rotated: true, nested: { n: 1 } },
        created_at,
        ...extra,
      });
      const events = [
        event('e1', T0),
        event('e2', T0 + 20, { type: 'ferrt', description: 'Reused refresh token', details: {} }),
        event('e3', T0 + 20, { user_id: 'u2', refresh_token_id: 'rt_2' }),
        event('e4', T0 + 10, { refresh_token_id: 'rt_2', ip: null, client_id: null }),
        event('e5', T0 + 30, { user_id: null, refresh_token_id: null, type: 'sapi' }),
      ];
      for (const e of events) await store.events.addEvent(e);
      const listed = async (filter: { user_id?: string; type?: string; refresh_token_id?: string }, limit = 100) =>
        (await store.events.listEvents(filter, limit)).map((e) => e.id);
      // Ties in time: the greater id first.
      expect(await listed({})).toEqual(['e5', 'e3', 'e2', 'e4', 'e1']);
      expect(await listed({}, 2)).toEqual(['e5', 'e3']);
      expect(await listed({ user_id: 'u1' })).toEqual(['e2', 'e4', 'e1']);
      expect(await listed({ user_id: 'u1' }, 1)).toEqual(['e2']);
      expect(await listed({ type: 'ferrt' })).toEqual(['e2']);
      expect(await listed({ refresh_token_id: 'rt_2' })).toEqual(['e3', 'e4']);
      expect(await listed({ user_id: 'u1', refresh_token_id: 'rt_2' })).toEqual(['e4']);
      expect(await listed({ user_id: 'u3' })).toEqual([]);
      // Paged: skip, oldest first, and counted.
      const paged = async (order: { offset?: number; oldestFirst?: boolean }, limit = 2) =>
        (await store.events.listEvents({ user_id: 'u1' }, limit, order)).map((e) => e.id);
      expect(await paged({ offset: 1 })).toEqual(['e4', 'e1']);
      expect(await paged({ offset: 3 })).toEqual([]);
      expect(await paged({ oldestFirst: true })).toEqual(['e1', 'e4']);
      expect(await paged({ oldestFirst: true, offset: 2 })).toEqual(['e2']);
      expect(await store.events.countEvents({ user_id: 'u1' })).toBe(3);
      expect(await store.events.countEvents({})).toBe(5);
      expect(await store.events.countEvents({ user_id: 'u3' })).toBe(0);
      // Each as it was logged, details and all.
      expect(await store.events.listEvents({}, 100)).toEqual([events[4], events[2], events[1], events[3], events[0]]);
    }),
  );
});
