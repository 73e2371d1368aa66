import type { TenantSettings } from '@rtc/contracts';
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

export const settingsQuery = () =>
  queryOptions({
    queryKey: queryKeys.settings,
    queryFn: ({ signal }) => api<TenantSettings>('/api/settings', { signal }),
  });

export function useUpdateSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (settings: TenantSettings) => api<TenantSettings>('/api/settings', { method: 'PATCH', body: settings }),
    onSuccess: (settings) => queryClient.setQueryData(queryKeys.settings, settings),
    // Every impact preview depends on this setting.
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.settings }),
        queryClient.invalidateQueries({ queryKey: ['audit'] }),
      ]),
  });
}
