import type { Impact, RefreshToken } from '@rtc/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PendingRevocationsProvider } from '../lib/pending-revocations';
import { RefreshTokensTab } from './refresh-tokens-tab';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const USER = 'auth0|jane';
const token: RefreshToken = {
  id: 'rt_1',
  client_id: 'acme-cli',
  client_name: 'Acme CLI',
  device_name: null,
  session_id: null,
  rotating: true,
  created_at: new Date().toISOString(),
  last_exchanged_at: null,
  expires_at: null,
  idle_expires_at: null,
  device: {
    initial_ip: '2001:db8:85a3::8a2e:370:7334',
    initial_asn: null,
    initial_user_agent: 'node',
    last_ip: '203.0.113.254',
    last_asn: null,
    last_user_agent: 'curl/8.5.0',
    initial_place: null,
    last_place: null,
    initial_agent: 'node',
    last_agent: 'curl 8.5.0',
  },
  resource_servers: [],
  metadata: {},
  binding: null,
  signals: [],
};

function serve(role: 'viewer' | 'support' = 'viewer') {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (path: string, init: RequestInit = {}) => {
      if (path === '/api/me')
        return Response.json({
          user: { sub: 's', name: 'Sam', email: null, role },
          csrf_token: 'csrf',
          tenant: { name: 't', domain: 'd', embedded: true },
          session: { expires_at: '', idle_timeout_seconds: 1800 },
        });
      // The tenant's listing lags behind its revocation: the revoked token is still listed.
      if (path.includes('/refresh-tokens/page')) return Response.json({ tokens: [token], next: null });
      if (path.endsWith('/security-events')) return Response.json({ events: [] });
      if (path.endsWith('/impact')) return Response.json(impact);
      if (init.method === 'DELETE' && path.endsWith('/refresh-tokens/rt_1'))
        return Response.json({
          revoked_token_ids: ['rt_1'],
          deleted_grant_ids: [],
          ended_session_ids: [],
          impact,
          audit_id: 'aud_1',
        });
      return Response.json({ error: { code: 'not_found', message: 'no' } }, { status: 404 });
    }),
  );
}

const impact: Impact = {
  action: 'refresh_token.revoke',
  setting_deletes_grant: false,
  target_name: 'Acme CLI on an unnamed device',
  tokens: [
    { id: 'rt_1', client_id: 'acme-cli', client_name: 'Acme CLI', device_name: null, binding: null, via: 'target' },
  ],
  grants: [],
  sessions: [],
};

function renderTab() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <PendingRevocationsProvider>
        <MemoryRouter>
          <RefreshTokensTab userId={USER} />
        </MemoryRouter>
      </PendingRevocationsProvider>
    </QueryClientProvider>,
  );
}

async function openDetails() {
  serve();
  renderTab();
  await userEvent.setup().click(await screen.findByRole('button', { name: /Details of Acme CLI/ }));
  return screen.getByText('Token id').closest('dl')!;
}

const detailValue = (details: HTMLElement, label: string) =>
  [...details.querySelectorAll('dt')].find((dt) => dt.textContent === label)!.nextElementSibling!;

describe("a refresh token's details", () => {
  it('names an agent once when its words are its raw text ("node", not "node node")', async () => {
    const details = await openDetails();
    expect(detailValue(details, 'Initial user agent').textContent).toBe('node');
    expect(detailValue(details, 'Last user agent').textContent).toBe('curl 8.5.0 curl/8.5.0');
  });

  it('keeps each address whole: it is never broken mid-number', async () => {
    const details = await openDetails();
    expect(detailValue(details, 'Initial IP').querySelector('.ip-address')?.textContent).toBe(
      '2001:db8:85a3::8a2e:370:7334',
    );
    expect(detailValue(details, 'Last IP').querySelector('.ip-address')?.textContent).toBe('203.0.113.254');
  });
});

describe('revoking a token while the listing catches up', () => {
  it('marks the row revoked, never "Revoking…", beside the "Done." that says it is', async () => {
    serve('support');
    renderTab();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Revoke Acme CLI token on unnamed device' }));
    await screen.findByTestId('impact');
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke' }));
    expect((await screen.findByText('Done.')).closest('[role="status"]')?.textContent).toContain(
      'Revoked 1 refresh token',
    );
    const row = screen.getByRole('row', { name: /Acme CLI/ });
    expect(row.textContent).not.toContain('Revoking…');
    expect(within(row).getByText('Revoked')).toBeTruthy();
  });
});
