import type { Session } from '@rtc/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PendingRevocationsProvider } from '../lib/pending-revocations';
import { SessionsTab } from './sessions-tab';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const session: Session = {
  id: 'ses_1',
  created_at: new Date().toISOString(),
  last_interacted_at: new Date().toISOString(),
  authenticated_at: new Date().toISOString(),
  expires_at: null,
  idle_expires_at: null,
  device: {
    initial_ip: '203.0.113.254',
    initial_asn: null,
    initial_user_agent: 'curl/8.5.0',
    last_ip: null,
    last_asn: null,
    last_user_agent: null,
    initial_place: null,
    last_place: null,
    initial_agent: 'curl 8.5.0',
    last_agent: null,
  },
  applications: [{ client_id: 'acme-web', name: 'Acme Web' }],
  authentication_methods: ['pwd', 'mfa'],
  token_count: 1,
  device_names: [],
};

function renderTab(sessions: Session[]) {
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
      if (path.endsWith('/sessions')) return Response.json({ sessions });
      return Response.json({ error: { code: 'not_found', message: 'no' } }, { status: 404 });
    }),
  );
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <PendingRevocationsProvider>
        <MemoryRouter>
          <SessionsTab userId="auth0|jane" />
        </MemoryRouter>
      </PendingRevocationsProvider>
    </QueryClientProvider>,
  );
}

describe("the user's sessions", () => {
  it('says how the user signed in in words: "pwd" reads "password"', async () => {
    renderTab([session]);
    const row = (await screen.findByRole('rowheader', { name: /curl 8\.5\.0/ })).textContent ?? '';
    expect(row).toContain('password, multi-factor authentication');
    expect(row).not.toMatch(/\bpwd\b/);
  });

  it('keeps the address whole', async () => {
    renderTab([session]);
    const row = await screen.findByRole('rowheader', { name: /curl 8\.5\.0/ });
    expect(row.querySelector('.ip-address')?.textContent).toBe('203.0.113.254');
  });
});
