import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RouteError } from '../../../app/routes/route-error';
import { AuditPage } from './audit-page';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function renderAudit(url: string) {
  const fetchMock = vi.fn(async (path: string) => {
    if (path === '/api/me')
      return Response.json({
        user: { sub: 's', name: 'Sam', email: null, role: 'support' },
        csrf_token: 'csrf',
        tenant: { name: 't', domain: 'd', embedded: true },
        session: { expires_at: '', idle_timeout_seconds: 1800 },
      });
    if (path.startsWith('/api/audit?')) return Response.json({ entries: [], total: 0, page: 0, per_page: 50 });
    return Response.json({ error: { code: 'not_found', message: 'no' } }, { status: 404 });
  });
  vi.stubGlobal('fetch', fetchMock);
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  // The route's error element, as the app's router has it: a parse that throws would show it.
  const router = createMemoryRouter([{ path: '/audit', element: <AuditPage />, errorElement: <RouteError /> }], {
    initialEntries: [url],
  });
  render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return fetchMock;
}

describe('the audit page from a deep link', () => {
  it('shows the log with a message naming a bad "from", never "This page failed"', async () => {
    const fetchMock = renderAudit('/audit?from=garbage&user_id=auth0%7Cjane');
    expect(await screen.findByRole('heading', { level: 1, name: 'Audit log' })).toBeTruthy();
    expect(screen.queryByText(/This page failed/)).toBeNull();
    expect((await screen.findByRole('status', { name: /link/i })).textContent).toContain(
      '“from” (garbage) is not a date and time',
    );
    // The rest of the link still applies; the bad parameter is left out of the request.
    await vi.waitFor(() =>
      expect(fetchMock.mock.calls.some(([path]) => String(path).startsWith('/api/audit?'))).toBe(true),
    );
    const asked = fetchMock.mock.calls.map(([path]) => String(path)).find((path) => path.startsWith('/api/audit?'))!;
    expect(asked).toContain('user_id=auth0%7Cjane');
    expect(asked).not.toContain('from=');
  });

  it('names an unknown action or result in the link too', async () => {
    renderAudit('/audit?action=nonsense&result=maybe');
    const notice = await screen.findByRole('status', { name: /link/i });
    expect(notice.textContent).toContain('“action” (nonsense)');
    expect(notice.textContent).toContain('“result” (maybe)');
  });
});
