import { endpoints } from '@rtc/contracts/endpoints';
import { useMutation } from '@tanstack/react-query';
import { request } from '../../../lib/api-client';

/** Ends the console session, then the tenant session (RP-initiated logout). */
export const useSignOut = () =>
  useMutation({
    mutationFn: () => request(endpoints.signOut),
    onSuccess: ({ logout_url }) => window.location.assign(logout_url),
  });
