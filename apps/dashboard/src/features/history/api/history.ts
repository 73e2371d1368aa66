import { endpoints } from '@rtc/contracts/endpoints';
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { request } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

/** One page of the user's history, newest first, as the tenant pages it. */
export const historyQuery = (userId: string, page: number, perPage: number) =>
  queryOptions({
    queryKey: queryKeys.users.history(userId, page),
    queryFn: ({ signal }) =>
      request(endpoints.userHistory, { params: { userId }, query: { page, per_page: perPage }, signal }),
    // Next/Previous keep the page shown until the other arrives.
    placeholderData: keepPreviousData,
  });

/** The user's revoked tokens and ended sessions, kept visible after they left the live lists. */
export const revokedQuery = (userId: string) =>
  queryOptions({
    queryKey: queryKeys.users.revoked(userId),
    queryFn: ({ signal }) => request(endpoints.userRevoked, { params: { userId }, signal }),
  });
