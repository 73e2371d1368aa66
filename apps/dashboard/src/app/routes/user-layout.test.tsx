import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PendingRevocationsProvider } from '../../features/user-access/lib/pending-revocations';
import { UserLayout } from './user-layout';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function renderUser(answer: Response) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (path: string) => {
      if (path === '/api/me')
        return Response.json({
          user: { sub: 's', name: 'Sam', email: null, role: 'viewer' },
          csrf_token: 'csrf',
          tenant: { name: 't', domain: 'd', embedded: true },
          session: { expires_at: '', idle_timeout_seconds: 1800 },
        });
      return answer.clone();
    }),
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <PendingRevocationsProvider>
        <MemoryRouter initialEntries={['/users/auth0%7Cnobody']}>
          <Routes>
            <Route path="/users/:userId" element={<UserLayout />} />
          </Routes>
        </MemoryRouter>
      </PendingRevocationsProvider>
    </QueryClientProvider>,
  );
}

describe('a user page that cannot load', () => {
  it('offers no Retry for a user that does not exist: retrying cannot help', async () => {
    renderUser(
      Response.json(
        { error: { code: 'not_found', message: 'No user auth0|nobody.', request_id: 'r1' } },
        { status: 404 },
      ),
    );
    expect((await screen.findByRole('alert')).textContent).toContain('No such user');
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
    expect(screen.getByRole('link', { name: 'Users' })).toBeTruthy();
  });

  it('offers Retry when the server failed', async () => {
    renderUser(
      Response.json(
        {
          error: {
            code: 'tenant_error',
            message: 'The tenant failed while trying to read the user (HTTP 500). Retry in a moment.',
          },
        },
        { status: 502 },
      ),
    );
    expect((await screen.findByRole('alert')).textContent).toContain('Could not load this user');
    expect(screen.getByRole('button', { name: 'Retry' })).toBeTruthy();
  });
});
