import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { ApiError } from '../lib/api-client';
import { queryKeys } from '../lib/query-keys';
import { PendingRevocationsProvider } from '../features/user-access/lib/pending-revocations';

/**
 * Query defaults. A 401 anywhere means the session ended: refetching `me` turns the app into
 * the sign-in screen. Other errors stay where they happened (no global toast).
 */
export function makeQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
        refetchOnWindowFocus: true,
      },
    },
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (query.queryKey[0] !== queryKeys.me[0]) signOutOn401(client, error);
      },
    }),
    mutationCache: new MutationCache({ onError: (error) => signOutOn401(client, error) }),
  });
  return client;
}

/** Some other call found the session gone: ask `me` again, which then shows sign-in. */
function signOutOn401(client: QueryClient, error: unknown) {
  if (error instanceof ApiError && error.status === 401) void client.invalidateQueries({ queryKey: queryKeys.me });
}

export function AppProvider({ children, client }: { children: ReactNode; client?: QueryClient }) {
  const [queryClient] = useState(() => client ?? makeQueryClient());
  return (
    <QueryClientProvider client={queryClient}>
      <PendingRevocationsProvider>{children}</PendingRevocationsProvider>
    </QueryClientProvider>
  );
}
