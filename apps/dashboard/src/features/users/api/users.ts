import { endpoints } from '@rtc/contracts/endpoints';
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { request } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

export const PER_PAGE = 25;

export const searchUsersQuery = (q: string, page: number) =>
  queryOptions({
    queryKey: queryKeys.users.search(q, page),
    queryFn: ({ signal }) => request(endpoints.searchUsers, { query: { q, page, per_page: PER_PAGE }, signal }),
    // Keep the last page on screen while the next loads: no layout jump.
    placeholderData: keepPreviousData,
  });

export const userQuery = (userId: string) =>
  queryOptions({
    queryKey: queryKeys.users.detail(userId),
    queryFn: ({ signal }) => request(endpoints.user, { params: { userId }, signal }),
  });
