import type { TenantSettings } from '@rtc/contracts';
import { endpoints } from '@rtc/contracts/endpoints';
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { request } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

export const settingsQuery = () =>
  queryOptions({
    queryKey: queryKeys.settings,
    queryFn: ({ signal }) => request(endpoints.settings, { signal }),
  });

export function useUpdateSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (settings: TenantSettings) => request(endpoints.updateSettings, { body: settings }),
    onSuccess: (settings) => queryClient.setQueryData(queryKeys.settings, settings),
    // Every impact preview depends on this setting.
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.settings }),
        queryClient.invalidateQueries({ queryKey: ['audit'] }),
      ]),
  });
}
