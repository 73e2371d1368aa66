import type { Impact, Me } from '@rtc/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PendingRevocationsProvider } from '../lib/pending-revocations';
import { useActionDialog } from './action-dialog';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const USER = 'auth0|jane';
const oneToken = (settingDeletesGrant: boolean): Impact => ({
  action: 'refresh_token.revoke',
  setting_deletes_grant: settingDeletesGrant,
  target_name: 'Acme Mobile on iPhone 15',
  tokens: [
    {
      id: 'rt_1',
      client_id: 'acme-mobile',
      client_name: 'Acme Mobile',
      device_name: 'iPhone 15',
      binding: null,
      via: 'target',
    },
  ],
  grants: [],
  sessions: [],
});

function serve(impact: Impact) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (path: string) => {
      if (path === '/api/me')
        return Response.json({
          user: { sub: 's', name: 'Sam', email: null, role: 'support' satisfies Me['user']['role'] },
          csrf_token: 'csrf',
          tenant: { name: 't', domain: 'd', embedded: true },
          session: { expires_at: '', idle_timeout_seconds: 1800 },
        });
      if (path.endsWith('/impact')) return Response.json(impact);
      return Response.json({ error: { code: 'not_found', message: 'no' } }, { status: 404 });
    }),
  );
}

function Harness() {
  const { open, dialog } = useActionDialog(USER);
  return (
    <>
      <button
        type="button"
        onClick={() =>
          open(
            { action: 'refresh_token.revoke', token_id: 'rt_1' },
            { title: 'Revoke this refresh token?', confirmLabel: 'Revoke' },
          )
        }
      >
        Revoke the token
      </button>
      {dialog}
    </>
  );
}

function renderHarness() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <PendingRevocationsProvider>
        <MemoryRouter>
          <Harness />
        </MemoryRouter>
      </PendingRevocationsProvider>
    </QueryClientProvider>,
  );
}

describe('revoking one refresh token from the console', () => {
  it.each([true, false])(
    'says the grant stays whatever Refresh Token Revocation Deletes Grant says (setting on: %s)',
    async (on) => {
      serve(oneToken(on));
      renderHarness();
      await userEvent.setup().click(screen.getByRole('button', { name: 'Revoke the token' }));
      const impact = await screen.findByTestId('impact');
      expect(impact.textContent).toContain('This revokes the refresh token of Acme Mobile on iPhone 15.');
      expect(impact.textContent).toContain(
        'It does not delete the grant, whatever Refresh Token Revocation Deletes Grant says',
      );
    },
  );
});
