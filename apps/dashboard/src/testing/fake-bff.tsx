import type { Me } from '@rtc/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router';
import { vi } from 'vitest';
import { PendingRevocationsProvider } from '../features/user-access/lib/pending-revocations';

/*
 * What the user-access component tests share: the BFF at the network boundary (`fetch`, the
 * one seam a component has to the server) and the providers a page renders inside. Answers
 * are the contract's shapes from @rtc/contracts, so a renamed field breaks the tests' build.
 */

/** `GET /api/me` for a staff member of `role`. */
export const staffMe = (role: Me['user']['role'] = 'support'): Me => ({
  user: { sub: 's', name: 'Sam', email: null, role },
  csrf_token: 'csrf',
  tenant: { name: 't', domain: 'd', embedded: true },
  session: { expires_at: '', idle_timeout_seconds: 1800 },
});

/** A request the component sent other than a GET, as the BFF received it. */
export interface SentRequest {
  method: string;
  path: string;
  body: unknown;
}

/**
 * Stubs `fetch` with a fake BFF: `/api/me` answers for `role`; every other request goes to
 * `answer`, and what it leaves unanswered is a 404 with the BFF's error body. Returns the
 * requests other than GETs, in order.
 */
export function stubBff(
  answer: (method: string, path: string) => Response | Promise<Response> | undefined,
  role: Me['user']['role'] = 'support',
): SentRequest[] {
  const sent: SentRequest[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (path: string, init: RequestInit = {}) => {
      const method = init.method ?? 'GET';
      // Every request that may change something, with a body or without (a bodiless DELETE counts too).
      if (method !== 'GET')
        sent.push({ method, path, body: init.body === undefined ? undefined : JSON.parse(String(init.body)) });
      if (path === '/api/me') return Response.json(staffMe(role));
      return (
        (await answer(method, path)) ?? Response.json({ error: { code: 'not_found', message: 'no' } }, { status: 404 })
      );
    }),
  );
  return sent;
}

/** Renders `ui` as the app does a user's tab: a query client without retries, pending revocations, a router. */
export function renderWithProviders(ui: ReactNode): QueryClient {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <PendingRevocationsProvider>
        <MemoryRouter>{ui}</MemoryRouter>
      </PendingRevocationsProvider>
    </QueryClientProvider>,
  );
  return client;
}
