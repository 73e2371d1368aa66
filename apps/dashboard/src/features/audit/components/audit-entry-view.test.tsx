import type { AuditEntry } from '@rtc/contracts';
import { AUDIT_ACTIONS } from '@rtc/contracts/audit';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuditPage } from './audit-page';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const entry: AuditEntry = {
  id: 'aud_1',
  at: '2026-12-07T03:47:16.672Z',
  actor: { sub: 'sam', name: 'Sam Support', role: 'support' },
  action: 'device.unlink',
  kind: 'change',
  target_user_id: 'auth0|jane',
  target: 'device "Jane\'s Phone"',
  result: 'success',
  detail:
    'user jane@example.com: revoked 2 refresh tokens; Refresh Token Revocation Deletes Grant was off; ' +
    'refresh token ids: rt_1 (Acme Mobile, device "Jane\'s Phone"), rt_2 (Acme Web, device "Jane\'s ' +
    'Phone"); session ids: ses_9',
  request_id: 'req_12345678',
};

function renderAudit(url: string) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (path: string) => {
      if (path === '/api/me')
        return Response.json({
          user: { sub: 's', name: 'Sam', email: null, role: 'support' },
          csrf_token: 'csrf',
          tenant: { name: 't', domain: 'd', embedded: true },
          session: { expires_at: '', idle_timeout_seconds: 1800 },
        });
      if (path === '/api/audit?id=aud_1') return Response.json({ entries: [entry], total: 1, page: 0, per_page: 50 });
      if (path.startsWith('/api/audit?')) return Response.json({ entries: [entry], total: 1, page: 0, per_page: 50 });
      return Response.json({ error: { code: 'not_found', message: 'no' } }, { status: 404 });
    }),
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter([{ path: '/audit', element: <AuditPage /> }], { initialEntries: [url] });
  render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
}

describe('an audit entry in detail', () => {
  it("lists every token and session id with its application, links to the user's History, and copies a plain summary", async () => {
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    renderAudit('/audit?entry=aud_1');
    const view = await screen.findByRole('region', { name: 'Audit entry: Device unlinked' });
    expect(within(view).getByRole('list', { name: 'Refresh tokens' }).textContent).toBe(
      'rt_1 · Acme Mobile, device "Jane\'s Phone"rt_2 · Acme Web, device "Jane\'s Phone"',
    );
    expect(within(view).getByRole('list', { name: 'Sessions' }).textContent).toBe('ses_9');
    expect(within(view).getByRole('link', { name: 'History of auth0|jane' }).getAttribute('href')).toBe(
      '/users/auth0%7Cjane/history',
    );
    await userEvent.click(within(view).getByRole('button', { name: 'Copy summary for the customer' }));
    expect(writeText).toHaveBeenCalledWith(
      'On December 7, 2026 at 3:47 AM UTC, our support team acted on your account (device unlinked): 2 ' +
        'sign-ins of your apps (Acme Mobile, Acme Web) were signed out; 1 browser session ended. To use an ' +
        'app again, sign in to it once more.',
    );
    expect(await within(view).findByText(/Copied\./)).toBeTruthy();
  });

  it('offers every action the log records in the Action filter, application-wide revocation included, in words', async () => {
    renderAudit('/audit');
    const action = await screen.findByRole('combobox', { name: /Action/ });
    const options = within(action)
      .getAllByRole('option')
      .map((o) => (o as HTMLOptionElement).value)
      .filter(Boolean);
    expect(options.sort()).toEqual([...AUDIT_ACTIONS].sort());
    expect(within(action).getByRole('option', { name: 'Application-wide revocation' })).toBeTruthy();
  });
});
