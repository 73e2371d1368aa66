import { endpoints } from '@rtc/contracts/endpoints';
import { queryOptions } from '@tanstack/react-query';
import { request } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

/** Under the user's key, so any action on the user refreshes where their tokens are. */
export const locationsKey = (userId: string) => [...queryKeys.users.detail(userId), 'locations'] as const;

export const locationsQuery = (userId: string) =>
  queryOptions({
    queryKey: locationsKey(userId),
    queryFn: ({ signal }) => request(endpoints.locations, { params: { userId }, signal }),
  });
