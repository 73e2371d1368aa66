import { can, type Permission } from '@rtc/contracts/roles';
import { endpoints } from '@rtc/contracts/endpoints';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { request, setCsrfToken } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

export const meQueryOptions = () =>
  queryOptions({
    queryKey: queryKeys.me,
    queryFn: async ({ signal }) => {
      const me = await request(endpoints.me, { signal });
      setCsrfToken(me.csrf_token);
      return me;
    },
    staleTime: 5 * 60_000,
    retry: false,
  });

export const useMe = () => useQuery(meQueryOptions());

/** Whether the signed-in staff member's role allows `permission` (the BFF checks it again). */
export function useCan(permission: Permission): boolean {
  const { data } = useMe();
  return can(data?.user.role, permission);
}
