import { useMutation } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';

/** Ends the console session, then the tenant session (RP-initiated logout). */
export const useSignOut = () =>
  useMutation({
    mutationFn: () => api<{ logout_url: string }>('/auth/logout', { method: 'POST' }),
    onSuccess: ({ logout_url }) => window.location.assign(logout_url),
  });
