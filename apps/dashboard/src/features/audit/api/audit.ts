import type { AuditQuery } from '@rtc/contracts';
import { endpoints } from '@rtc/contracts/endpoints';
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { hrefOf, request } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

export type AuditFilter = Partial<Pick<AuditQuery, 'actor' | 'user_id' | 'action' | 'result' | 'from' | 'to' | 'page'>>;

/** The CSV download of the entries a filter finds: a link, not a call. */
export const auditExportHref = (filter: AuditFilter) => hrefOf(endpoints.auditExport, { query: filter });

/** One entry by id, for its detail view; null when no entry has it. */
export const auditEntryQuery = (id: string) =>
  queryOptions({
    queryKey: queryKeys.audit({ id } as AuditFilter),
    queryFn: async ({ signal }) => (await request(endpoints.audit, { query: { id }, signal })).entries[0] ?? null,
  });

export const auditQuery = (filter: AuditFilter) =>
  queryOptions({
    queryKey: queryKeys.audit(filter),
    queryFn: ({ signal }) => request(endpoints.audit, { query: filter, signal }),
    placeholderData: keepPreviousData,
  });
