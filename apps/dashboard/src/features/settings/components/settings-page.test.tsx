import type { Me } from '@rtc/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SettingsPage } from './settings-page';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function serve(on: boolean, role: Me['user']['role'] = 'admin') {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (path: string) => {
      if (path === '/api/me') return Response.json({ user: { sub: 's', name: 'Ada', email: null, role }, csrf_token: 'csrf', tenant: { name: 't', domain: 'd', embedded: true }, session: { expires_at: '', idle_timeout_seconds: 1800 } });
      if (path === '/api/settings') return Response.json({ revoke_refresh_token_grant: on });
      return Response.json({ error: { code: 'not_found', message: 'no' } }, { status: 404 });
    }),
  );
}

async function openConfirm() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <SettingsPage />
    </QueryClientProvider>,
  );
  const toggle = await screen.findByRole('switch', { name: 'Refresh Token Revocation Deletes Grant' });
  await vi.waitFor(() => expect(toggle).toHaveProperty('disabled', false));
  await userEvent.setup().click(toggle);
  return screen.getByRole('dialog');
}

describe('Tenant Settings > Advanced: the confirmation says which actions the flag governs', () => {
  it.each([false, true])('names /oauth/revoke and unlinking a device, and not the console’s revoke nor revoke-all (setting on: %s)', async (on) => {
    serve(on);
    const dialog = await openConfirm();
    const text = dialog.textContent ?? '';
    expect(text).toContain('/oauth/revoke');
    expect(text).toMatch(/unlinking a device/);
    expect(text).toMatch(/Revoking one refresh token from this console, or revoking all of a user’s tokens, never deletes a grant, whatever this setting/);
  });
});
