import type { ExpectedApplicationImpact } from '@rtc/contracts';
import { endpoints } from '@rtc/contracts/endpoints';
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { request } from '../../../lib/api-client';
import { isStepUpRequired } from '../../../lib/step-up';

/** The Applications area's query keys: everything hangs under ['applications']. */
export const applicationKeys = {
  all: ['applications'] as const,
  list: () => ['applications', 'list'] as const,
  impact: (clientId: string) => ['applications', 'impact', clientId] as const,
  leakImpact: (clientId: string) => ['applications', 'leaked-secret', clientId] as const,
};

export const applicationsQuery = () =>
  queryOptions({
    queryKey: applicationKeys.list(),
    queryFn: ({ signal }) => request(endpoints.applications, { signal }),
  });

/** The binding preview: fetched fresh each time the dialog opens (staleTime 0). */
export const applicationImpactQuery = (clientId: string) =>
  queryOptions({
    queryKey: applicationKeys.impact(clientId),
    queryFn: ({ signal }) => request(endpoints.applicationImpact, { params: { clientId }, signal }),
    staleTime: 0,
    gcTime: 0,
  });

export function useRevokeApplicationTokens(clientId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { confirm_name: string; expected: ExpectedApplicationImpact }) =>
      request(endpoints.revokeApplicationTokens, { params: { clientId }, body }),
    // Success or 409: the counts are not what they were; a 409 shows the new preview. A step-up
    // refusal changed nothing: the preview shown stays, to confirm after signing in again.
    onSettled: (_result, error) =>
      Promise.all([
        ...(isStepUpRequired(error) ? [] : [queryClient.invalidateQueries({ queryKey: applicationKeys.all })]),
        queryClient.invalidateQueries({ queryKey: ['audit'] }),
      ]),
  });
}

/** The leaked-secret flow's preview: the revocation's counts, whether there is a secret, whether it is the console's own. */
export const leakedSecretImpactQuery = (clientId: string) =>
  queryOptions({
    queryKey: applicationKeys.leakImpact(clientId),
    queryFn: ({ signal }) => request(endpoints.leakedSecretImpact, { params: { clientId }, signal }),
    staleTime: 0,
    gcTime: 0,
    retry: false,
  });

/**
 * Revokes every token of the application and, when asked, rotates its secret. The answer holds
 * the new secret: kept in the mutation cache not a moment beyond the dialog (gcTime 0, and the
 * dialog resets the mutation once it has the secret in its own state).
 */
export function useLeakedSecret(clientId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { confirm_name: string; expected: ExpectedApplicationImpact; rotate: boolean }) =>
      request(endpoints.leakedSecret, { params: { clientId }, body }),
    gcTime: 0,
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: applicationKeys.all }),
        queryClient.invalidateQueries({ queryKey: ['audit'] }),
      ]),
  });
}
