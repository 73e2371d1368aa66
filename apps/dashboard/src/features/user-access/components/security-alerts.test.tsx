import type { Me, SecurityEvent } from '@rtc/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PendingRevocationsProvider } from '../lib/pending-revocations';
import { SecurityAlerts } from './security-alerts';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const USER = 'auth0|jane';
const theft = (over: Partial<SecurityEvent> = {}): SecurityEvent => ({
  id: 'log_1',
  at: new Date().toISOString(),
  type: 'dpop_bound_token_refused',
  description: 'A DPoP-bound refresh token was presented without its key',
  client_id: 'acme-mobile',
  client_name: 'Acme Mobile',
  refresh_token_id: 'rt_stolen',
  device_name: "Jane's Pixel",
  ip: '1.1.1.1',
  agent: 'curl 8.5.0',
  user_agent: 'curl/8.5.0',
  place: null,
  where: '1.1.1.1 on Cloudflare, Inc. (AS13335) in Australia',
  reason: 'missing-proof',
  token_live: true,
  ...over,
});

/** The BFF as the component reaches it: who is signed in, the user's events, the action's preview. */
function serve(events: SecurityEvent[], role: Me['user']['role'] = 'support') {
  const calls: { method: string; path: string; body: unknown }[] = [];
  const fetchMock = vi.fn(async (path: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    calls.push({ method, path, body: init.body ? JSON.parse(init.body as string) : undefined });
    if (path === '/api/me')
      return Response.json({
        user: { sub: 's', name: 'Sam', email: null, role },
        csrf_token: 'csrf',
        tenant: { name: 't', domain: 'd', embedded: true },
        session: { expires_at: '', idle_timeout_seconds: 1800 },
      });
    if (path.endsWith('/security-events')) return Response.json({ events });
    if (path.endsWith('/impact'))
      return Response.json({
        action: 'refresh_token.revoke',
        setting_deletes_grant: false,
        target_name: "Acme Mobile on Jane's Pixel",
        grants: [],
        sessions: [],
        tokens: [
          {
            id: 'rt_stolen',
            client_id: 'acme-mobile',
            client_name: 'Acme Mobile',
            device_name: "Jane's Pixel",
            binding: { kind: 'dpop', jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' },
            via: 'target',
          },
        ],
      });
    return Response.json({ error: { code: 'not_found', message: 'no' } }, { status: 404 });
  });
  vi.stubGlobal('fetch', fetchMock);
  return calls;
}

function renderAlerts() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <PendingRevocationsProvider>
        <MemoryRouter>
          <SecurityAlerts userId={USER} />
        </MemoryRouter>
      </PendingRevocationsProvider>
    </QueryClientProvider>,
  );
}

describe("the user's security alerts: a DPoP-bound token's stolen copy", () => {
  it('says a stolen copy was tried without its key, from where, and offers to revoke that token through its preview', async () => {
    const calls = serve([theft(), theft({ id: 'log_2', at: new Date(Date.now() - 60_000).toISOString() })]);
    renderAlerts();
    const region = await screen.findByRole('region', { name: 'Security alerts' });
    await screen.findByText(
      /A stolen copy of this token was tried without its key from 1\.1\.1\.1 on Cloudflare, Inc\. \(AS13335\) in Australia/,
    );
    expect(region.textContent).toContain("Acme Mobile on Jane's Pixel, 2 attempts");
    expect(region.textContent).toContain('it came with no DPoP proof');
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Revoke this token' }));
    // The usual per-token action: its preview is asked for, with the binding in words.
    expect(await screen.findByText('Binding: Bound to key 0ZcOCORZ… (DPoP).')).toBeTruthy();
    expect(calls.find((c) => c.path.endsWith('/impact'))?.body).toEqual({
      action: 'refresh_token.revoke',
      token_id: 'rt_stolen',
    });
  });

  it('offers nothing to revoke once the token is gone, nor to a viewer', async () => {
    serve([theft({ token_live: false })]);
    renderAlerts();
    expect(await screen.findByText('This token has since been revoked.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Revoke this token' })).toBeNull();
    cleanup();
    serve([theft()], 'viewer');
    renderAlerts();
    await screen.findByText(/A stolen copy of this token was tried without its key/);
    expect(screen.queryByRole('button', { name: 'Revoke this token' })).toBeNull();
  });

  it('shows nothing when there is no alert', async () => {
    const calls = serve([]);
    const { container } = renderAlerts();
    await vi.waitFor(() => expect(calls.some((c) => c.path.endsWith('/security-events'))).toBe(true));
    expect(container.textContent).toBe('');
  });
});
