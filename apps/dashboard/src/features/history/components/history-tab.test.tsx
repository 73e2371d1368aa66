import type { HistoryEntry, RevokedHistory, UserHistory } from '@rtc/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HistoryTab } from './history-tab';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const at = '2026-12-07T03:47:16.653Z';
const staff = { audit_id: 'aud_1', name: 'Sam Support', role: 'support', action: 'device.unlink', at };
const entry = (over: Partial<HistoryEntry>): HistoryEntry => ({
  id: 'log_1',
  at,
  type: 's',
  kind: 'sign_in',
  label: 'Signed in',
  description: 'Successful login',
  client_id: 'acme-mobile',
  client_name: 'Acme Mobile',
  ip: '203.0.113.7',
  device_name: null,
  refresh_token_id: null,
  session_id: null,
  staff: null,
  ...over,
});
const revocation = entry({
  id: 'log_2',
  type: 'sapi',
  kind: 'revocation',
  label: 'Revoke a refresh token',
  device_name: "Jane's Phone",
  refresh_token_id: 'rt_1',
  staff,
});
const revoked: RevokedHistory = {
  source: 'tenant',
  retention_days: 30,
  note: null,
  actions: [],
  sessions: [],
  refresh_tokens: [
    {
      id: 'rt_1',
      client_id: 'acme-mobile',
      client_name: 'Acme Mobile',
      device_name: "Jane's Phone",
      revoked_at: at,
      way: 'Device unlinked (console)',
      staff,
    },
  ],
};

function renderTab(pages: UserHistory[], role: 'viewer' | 'support', revokedBody: RevokedHistory = revoked) {
  const asked: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (path: string) => {
      asked.push(path);
      if (path === '/api/me')
        return Response.json({
          user: { sub: 's', name: 'Sam', email: null, role },
          csrf_token: 'csrf',
          tenant: { name: 't', domain: 'd', embedded: true },
          session: { expires_at: '', idle_timeout_seconds: 1800 },
        });
      const page = /\/history\?page=(\d+)/.exec(path);
      if (page) return Response.json(pages[Number(page[1])]);
      if (path.endsWith('/revoked')) return Response.json(revokedBody);
      return Response.json({ error: { code: 'not_found', message: 'no' } }, { status: 404 });
    }),
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <HistoryTab userId="auth0|jane" />
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return asked;
}

describe("a user's History tab", () => {
  it('lists what happened newest first with who on the staff did it, and links to the audit entries about the user', async () => {
    renderTab([{ entries: [revocation, entry({})], total: 2, page: 0, per_page: 25 }], 'support');
    const table = await screen.findByRole('table', { name: 'History of this user' });
    await within(table).findByRole('rowheader', { name: /Revoke a refresh token/ });
    const rows = within(table).getAllByRole('row');
    expect(within(rows[1]!).getByRole('rowheader').textContent).toContain('Revoke a refresh token');
    expect(within(rows[1]!).getByRole('link', { name: 'Sam Support (support)' }).getAttribute('href')).toBe(
      '/audit?entry=aud_1',
    );
    expect(rows[1]!.textContent).toContain('Acme Mobile on "Jane\'s Phone"');
    expect(within(rows[2]!).getByRole('rowheader').textContent).toBe('Signed in');
    expect(screen.getByRole('link', { name: 'Audit entries about this user' }).getAttribute('href')).toBe(
      '/audit?user_id=auth0%7Cjane',
    );
  });

  it('says "Unknown" for a Management API revocation no console action explains, and a dash where no staff member could be', async () => {
    const byAnotherTool = entry({ ...revocation, id: 'log_3', refresh_token_id: 'rt_2', staff: null });
    renderTab([{ entries: [byAnotherTool, entry({})], total: 2, page: 0, per_page: 25 }], 'support');
    const table = await screen.findByRole('table', { name: 'History of this user' });
    await within(table).findByRole('rowheader', { name: /Revoke a refresh token/ });
    const [, apiRow, signInRow] = within(table).getAllByRole('row');
    expect(within(apiRow!).getByText('Unknown')).toBeTruthy();
    expect(within(signInRow!).queryByText('Unknown')).toBeNull();
    expect(within(signInRow!).getByText('—')).toBeTruthy();
  });

  it('pages on the server: Next asks the BFF for the next page', async () => {
    const first = Array.from({ length: 25 }, (_, i) => entry({ id: `log_a${i}` }));
    const asked = renderTab(
      [
        { entries: first, total: 26, page: 0, per_page: 25 },
        {
          entries: [
            entry({ id: 'log_last', label: 'Failed sign-in: wrong password', type: 'fp', kind: 'failed_sign_in' }),
          ],
          total: 26,
          page: 1,
          per_page: 25,
        },
      ],
      'viewer',
    );
    expect(await screen.findByText('Page 1 of 2')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByRole('rowheader', { name: 'Failed sign-in: wrong password' })).toBeTruthy();
    expect(asked).toContain('/api/users/auth0%7Cjane/history?page=1&per_page=25');
    // A viewer may not read the audit log: the staff member is named, not linked.
    expect(screen.queryByRole('link', { name: 'Audit entries about this user' })).toBeNull();
  });

  it('keeps revoked tokens visible with when, the way in and by whom, and copies a plain summary for the customer', async () => {
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    renderTab([{ entries: [], total: 0, page: 0, per_page: 25 }], 'support');
    const table = await screen.findByRole('table', { name: 'Revoked refresh tokens' });
    const row = within(table).getByRole('row', { name: /Jane's Phone/ });
    expect(row.textContent).toContain('Device unlinked (console)');
    expect(within(row).getByRole('link', { name: 'Sam Support (support)' })).toBeTruthy();
    await userEvent.click(within(row).getByRole('button', { name: 'Copy summary: Acme Mobile on "Jane\'s Phone"' }));
    expect(writeText).toHaveBeenCalledWith(
      'On December 7, 2026 at 3:47 AM UTC, Acme Mobile on your device "Jane\'s Phone" lost its access: our ' +
        'support team signed it out. To use Acme Mobile there again, sign in once more.',
    );
    expect(await within(row).findByText('Copied.')).toBeTruthy();
  });

  it('says so when the tenant keeps no revocation history and the audit log stands in', async () => {
    renderTab([{ entries: [], total: 0, page: 0, per_page: 25 }], 'support', {
      ...revoked,
      source: 'audit',
      refresh_tokens: [],
      note: 'This tenant keeps no history of revoked tokens or ended sessions.',
    });
    expect(await screen.findByText('This tenant keeps no history of revoked tokens or ended sessions.')).toBeTruthy();
    expect(screen.queryByRole('table', { name: 'Revoked refresh tokens' })).toBeNull();
  });
});
