import type { AuditPage, AuditQuery } from '@rtc/contracts';
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

export type AuditFilter = Partial<Pick<AuditQuery, 'actor' | 'user_id' | 'action' | 'result' | 'from' | 'to' | 'page'>>;

export const auditSearch = (filter: AuditFilter) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(filter))
    if (value !== undefined && value !== '') search.set(key, String(value));
  return search.toString();
};

/** One entry by id, for its detail view; null when no entry has it. */
export const auditEntryQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.audit({ id } as AuditFilter),
    queryFn: async ({ signal }) =>
      (await api<AuditPage>(`/api/audit?${new URLSearchParams({ id })}`, { signal })).entries[0] ?? null,
  });

export const auditQuery = (filter: AuditFilter) =>
  queryOptions({
    queryKey: queryKeys.audit(filter),
    queryFn: ({ signal }) => api<AuditPage>(`/api/audit?${auditSearch(filter)}`, { signal }),
    placeholderData: keepPreviousData,
  });
