import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, Link, RouterProvider, useSearchParams } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppShell } from './app-shell';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function Page({ title }: { title: string }) {
  const [, setParams] = useSearchParams();
  return (
    <main className="page">
      <h1>{title}</h1>
      <Link to="/users/auth0%7Cjane/sessions">Sessions tab</Link>
      <button type="button" onClick={() => setParams({ q: 'jane' })}>
        Filter
      </button>
    </main>
  );
}

function renderShell(url: string) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () =>
      Response.json({
        user: { sub: 's', name: 'Sam', email: null, role: 'support' },
        csrf_token: 'csrf',
        tenant: { name: 't', domain: 'd', embedded: true },
        session: { expires_at: '', idle_timeout_seconds: 1800 },
      }),
    ),
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter(
    [
      {
        element: <AppShell />,
        children: [
          { path: 'users', element: <Page title="Users" /> },
          { path: 'users/:userId/*', element: <Page title="Jane" /> },
          { path: 'audit', element: <Page title="Audit log" /> },
        ],
      },
    ],
    { initialEntries: [url] },
  );
  render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
}

describe('focus after navigation', () => {
  it('lands on the new page’s heading, so a screen reader starts there', async () => {
    renderShell('/users');
    await userEvent.setup().click(await screen.findByRole('link', { name: 'Audit log' }));
    const heading = await screen.findByRole('heading', { level: 1, name: 'Audit log' });
    expect(document.activeElement).toBe(heading);
  });

  it('stays put on the first page shown, on a tab of the same page and on a filter', async () => {
    renderShell('/users/auth0%7Cjane');
    const user = userEvent.setup();
    await screen.findByRole('heading', { level: 1, name: 'Jane' });
    expect(document.activeElement).toBe(document.body);
    const tab = screen.getByRole('link', { name: 'Sessions tab' });
    await user.click(tab);
    expect(document.activeElement).toBe(tab);
    const filter = screen.getByRole('button', { name: 'Filter' });
    await user.click(filter);
    expect(document.activeElement).toBe(filter);
  });
});
