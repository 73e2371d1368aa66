import type {
  ContainImpact,
  ContainResult,
  SearchApplications,
  SearchRevokeResult,
  SearchSessionsRevokeResult,
  SessionSearchImpact,
  SessionSearchResult,
  TokenSearchImpact,
  TokenSearchResult,
} from '@rtc/contracts';
import { keepPreviousData, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
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

const pageQuery = (filter: SearchFilter, from: string | undefined) =>
  new URLSearchParams({ ...filterForApi(filter), take: String(PAGE_SIZE), ...(from ? { from } : {}) }).toString();

export const searchApplicationsQuery = () =>
  queryOptions({
    queryKey: searchKeys.applications(),
    queryFn: ({ signal }) => api<SearchApplications>('/api/search/applications', { signal }),
    staleTime: 60_000,
  });

/** One server page; the previous page stays on screen while the next loads. */
export const tokenSearchQuery = (filter: SearchFilter, from: string | undefined) =>
  queryOptions({
    queryKey: searchKeys.tokens(filter, from),
    queryFn: ({ signal }) =>
      api<TokenSearchResult>(`/api/search/refresh-tokens?${pageQuery(filter, from)}`, { signal }),
    placeholderData: keepPreviousData,
  });

export const sessionSearchQuery = (filter: SearchFilter, from: string | undefined) =>
  queryOptions({
    queryKey: searchKeys.sessions(filter, from),
    queryFn: ({ signal }) => api<SessionSearchResult>(`/api/search/sessions?${pageQuery(filter, from)}`, { signal }),
    placeholderData: keepPreviousData,
  });

/** The binding preview: fetched fresh each time the dialog opens (staleTime 0). */
export const tokenSearchImpactQuery = (filter: SearchFilter) =>
  queryOptions({
    queryKey: searchKeys.impact(filter),
    queryFn: ({ signal }) =>
      api<TokenSearchImpact>('/api/search/refresh-tokens/impact', {
        method: 'POST',
        body: { filter: filterForApi(filter) },
        signal,
      }),
    staleTime: 0,
    gcTime: 0,
  });

export function useRevokeSearchTokens() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { filter: SearchFilter; expected: { tokens: number; digest: string } }) =>
      api<SearchRevokeResult>('/api/search/refresh-tokens/revoke', {
        method: 'POST',
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
    queryFn: ({ signal }) =>
      api<SessionSearchImpact>('/api/search/sessions/impact', {
        method: 'POST',
        body: { filter: filterForApi(filter) },
        signal,
      }),
    staleTime: 0,
    gcTime: 0,
  });

/** Ends the sessions previewed, with the refresh tokens issued in them. */
export function useEndSearchSessions() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { filter: SearchFilter; expected: { sessions: number; digest: string } }) =>
      api<SearchSessionsRevokeResult>('/api/search/sessions/revoke', {
        method: 'POST',
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
    queryFn: ({ signal }) =>
      api<ContainImpact>('/api/search/contain/impact', {
        method: 'POST',
        body: { filter: filterForApi(filter) },
        signal,
      }),
    staleTime: 0,
    gcTime: 0,
  });

/** Revokes the tokens and ends the sessions previewed, in one request bound to the preview. */
export function useContain() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { filter: SearchFilter; expected: { tokens: number; sessions: number; digest: string } }) =>
      api<ContainResult>('/api/search/contain', {
        method: 'POST',
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
