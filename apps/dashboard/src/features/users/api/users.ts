import type { UserDetail, UserSearchResult } from '@rtc/contracts';
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

export const PER_PAGE = 25;

export const searchUsersQuery = (q: string, page: number) =>
  queryOptions({
    queryKey: queryKeys.users.search(q, page),
    queryFn: ({ signal }) =>
      api<UserSearchResult>(
        `/api/users?${new URLSearchParams({ ...(q ? { q } : {}), page: String(page), per_page: String(PER_PAGE) })}`,
        { signal },
      ),
    // Keep the last page on screen while the next loads: no layout jump.
    placeholderData: keepPreviousData,
  });

export const userQuery = (userId: string) =>
  queryOptions({
    queryKey: queryKeys.users.detail(userId),
    queryFn: ({ signal }) => api<UserDetail>(`/api/users/${encodeURIComponent(userId)}`, { signal }),
  });
