import type { SignOutImpact } from '@rtc/contracts';
import { endpoints } from '@rtc/contracts/endpoints';
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { request } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

/** The binding preview, fetched fresh each time the dialog opens (never cached). */
export const signOutImpactQuery = (userId: string) =>
  queryOptions({
    queryKey: [...queryKeys.users.detail(userId), 'sign-out-everywhere'] as const,
    queryFn: ({ signal }) => request(endpoints.signOutImpact, { params: { userId }, signal }),
    staleTime: 0,
    gcTime: 0,
    retry: false,
  });

/** Runs "Sign out everywhere" on the preview shown; the user's page and the audit log are refetched after, success or not. */
export function useSignOutEverywhere(userId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ impact, block }: { impact: SignOutImpact; block: boolean }) =>
      request(endpoints.signOutEverywhere, {
        params: { userId },
        body: { block, expected: { tokens: impact.tokens, sessions: impact.sessions.length, digest: impact.digest } },
      }),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.users.detail(userId) }),
        queryClient.invalidateQueries({ queryKey: ['audit'] }),
      ]),
  });
}
