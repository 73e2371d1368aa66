import { endpoints } from '@rtc/contracts/endpoints';
import { keepPreviousData, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { request } from '../../../lib/api-client';
import { isStepUpRequired } from '../../../lib/step-up';
import { filterForApi, type SearchFilter } from '../lib/filters';

/** The search's query keys: everything hangs under ['search']. */
export const searchKeys = {
  all: ['search'] as const,
  applications: () => ['search', 'applications'] as const,
  tokens: (filter: SearchFilter, from: string | undefined) =>
    ['search', 'refresh-tokens', filter, from ?? null] as const,
  sessions: (filter: SearchFilter, from: string | undefined) => ['search', 'sessions', filter, from ?? null] as const,
  impact: (filter: SearchFilter) => ['search', 'refresh-tokens', 'impact', filter] as const,
  sessionImpact: (filter: SearchFilter) => ['search', 'sessions', 'impact', filter] as const,
  containImpact: (filter: SearchFilter) => ['search', 'contain', 'impact', filter] as const,
};

export const PAGE_SIZE = 50;

const pageQuery = (filter: SearchFilter, from: string | undefined) => ({
  ...filterForApi(filter),
  take: PAGE_SIZE,
  from,
});

export const searchApplicationsQuery = () =>
  queryOptions({
    queryKey: searchKeys.applications(),
    queryFn: ({ signal }) => request(endpoints.searchApplications, { signal }),
    staleTime: 60_000,
  });

/** One server page; the previous page stays on screen while the next loads. */
export const tokenSearchQuery = (filter: SearchFilter, from: string | undefined) =>
  queryOptions({
    queryKey: searchKeys.tokens(filter, from),
    queryFn: ({ signal }) => request(endpoints.tokenSearch, { query: pageQuery(filter, from), signal }),
    placeholderData: keepPreviousData,
  });

export const sessionSearchQuery = (filter: SearchFilter, from: string | undefined) =>
  queryOptions({
    queryKey: searchKeys.sessions(filter, from),
    queryFn: ({ signal }) => request(endpoints.sessionSearch, { query: pageQuery(filter, from), signal }),
    placeholderData: keepPreviousData,
  });

/** The binding preview: fetched fresh each time the dialog opens (staleTime 0). */
export const tokenSearchImpactQuery = (filter: SearchFilter) =>
  queryOptions({
    queryKey: searchKeys.impact(filter),
    queryFn: ({ signal }) => request(endpoints.tokenSearchImpact, { body: { filter: filterForApi(filter) }, signal }),
    staleTime: 0,
    gcTime: 0,
  });

export function useRevokeSearchTokens() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { filter: SearchFilter; expected: { tokens: number; digest: string } }) =>
      request(endpoints.revokeSearchTokens, {
        body: { filter: filterForApi(body.filter), expected: body.expected, confirm: 'REVOKE' },
      }),
    // Success or 409: the result set is not what it was. A step-up refusal changed nothing: the
    // preview shown stays, to confirm after signing in again.
    onSettled: (_result, error) =>
      isStepUpRequired(error)
        ? queryClient.invalidateQueries({ queryKey: ['audit'] })
        : Promise.all([
            queryClient.invalidateQueries({ queryKey: searchKeys.all }),
            queryClient.invalidateQueries({ queryKey: ['audit'] }),
            queryClient.invalidateQueries({ queryKey: ['users'] }),
          ]),
  });
}

export const sessionSearchImpactQuery = (filter: SearchFilter) =>
  queryOptions({
    queryKey: searchKeys.sessionImpact(filter),
    queryFn: ({ signal }) => request(endpoints.sessionSearchImpact, { body: { filter: filterForApi(filter) }, signal }),
    staleTime: 0,
    gcTime: 0,
  });

/** Ends the sessions previewed, with the refresh tokens issued in them. */
export function useEndSearchSessions() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { filter: SearchFilter; expected: { sessions: number; digest: string } }) =>
      request(endpoints.endSearchSessions, {
        body: { filter: filterForApi(body.filter), expected: body.expected, confirm: 'REVOKE' },
      }),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: searchKeys.all }),
        queryClient.invalidateQueries({ queryKey: ['audit'] }),
        queryClient.invalidateQueries({ queryKey: ['users'] }),
      ]),
  });
}

/** The incident view's binding preview (tokens and sessions at once): fetched fresh each time the dialog opens. */
export const containImpactQuery = (filter: SearchFilter) =>
  queryOptions({
    queryKey: searchKeys.containImpact(filter),
    queryFn: ({ signal }) => request(endpoints.containImpact, { body: { filter: filterForApi(filter) }, signal }),
    staleTime: 0,
    gcTime: 0,
  });

/** Revokes the tokens and ends the sessions previewed, in one request bound to the preview. */
export function useContain() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { filter: SearchFilter; expected: { tokens: number; sessions: number; digest: string } }) =>
      request(endpoints.contain, {
        body: { filter: filterForApi(body.filter), expected: body.expected, confirm: 'REVOKE' },
      }),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: searchKeys.all }),
        queryClient.invalidateQueries({ queryKey: ['audit'] }),
        queryClient.invalidateQueries({ queryKey: ['users'] }),
      ]),
  });
}
