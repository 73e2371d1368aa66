import type { Me } from '@rtc/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SettingsPage } from './settings-page';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

function serve(on: boolean, role: Me['user']['role'] = 'admin') {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (path: string) => {
      if (path === '/api/me')
        return Response.json({
          user: { sub: 's', name: 'Ada', email: null, role },
          csrf_token: 'csrf',
          tenant: { name: 't', domain: 'd', embedded: true },
          session: { expires_at: '', idle_timeout_seconds: 1800 },
        });
      if (path === '/api/settings') return Response.json({ revoke_refresh_token_grant: on });
      return Response.json({ error: { code: 'not_found', message: 'no' } }, { status: 404 });
    }),
  );
}

function renderPage() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <SettingsPage />
    </QueryClientProvider>,
  );
}

async function openConfirm() {
  renderPage();
  const toggle = await screen.findByRole('switch', { name: 'Refresh Token Revocation Deletes Grant' });
  await vi.waitFor(() => expect(toggle).toHaveProperty('disabled', false));
  await userEvent.setup().click(toggle);
  return screen.getByRole('dialog');
}

describe('Tenant Settings > Advanced: the confirmation says which actions the flag governs', () => {
  it.each([false, true])(
    'names /oauth/revoke and unlinking a device, and not the console’s revoke nor revoke-all (setting on: %s)',
    async (on) => {
      serve(on);
      const dialog = await openConfirm();
      const text = dialog.textContent ?? '';
      expect(text).toContain('/oauth/revoke');
      expect(text).toMatch(/unlinking a device/);
      expect(text).toMatch(
        /Revoking one refresh token from this console, or revoking all of a user’s tokens, never deletes a grant, whatever this setting/,
      );
    },
  );
});

describe('Tenant Settings > Advanced: a change that needs a more recent sign-in (step-up)', () => {
  it('shows the BFF’s step_up_required in the dialog with a sign-in back to this page, and after it asks the same question again', async () => {
    const changes: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (path: string, init?: RequestInit) => {
        if (path === '/api/me')
          return Response.json({
            user: { sub: 's', name: 'Ada', email: null, role: 'admin' },
            csrf_token: 'csrf',
            tenant: { name: 't', domain: 'd', embedded: true },
            session: { expires_at: '', idle_timeout_seconds: 1800 },
          });
        if (path === '/api/settings' && init?.method === 'PATCH') {
          changes.push(JSON.parse(String(init.body)));
          return Response.json(
            {
              error: {
                code: 'step_up_required',
                message:
                  'Changing a tenant setting needs a sign-in within the last 10 minutes. Sign in again to continue; nothing was changed.',
                request_id: 'r1',
              },
            },
            { status: 403 },
          );
        }
        if (path === '/api/settings') return Response.json({ revoke_refresh_token_grant: false });
        return Response.json({ error: { code: 'not_found', message: 'no' } }, { status: 404 });
      }),
    );
    window.history.replaceState(null, '', '/settings/advanced');
    const dialog = await openConfirm();
    await userEvent.setup().click(within(dialog).getByRole('button', { name: 'Turn on' }));
    const notice = await within(dialog).findByTestId('step-up');
    expect(notice.textContent).toContain('needs a sign-in within the last 10 minutes');
    const signIn = within(notice).getByRole('link', { name: 'Sign in again' });
    expect(signIn.getAttribute('href')).toBe(
      `/auth/login?step_up=1&returnTo=${encodeURIComponent('/settings/advanced')}`,
    );
    // The browser would leave for the identity provider here; the test stays on the page.
    const stay = (event: Event) => event.preventDefault();
    document.addEventListener('click', stay, true);
    await userEvent.setup().click(signIn);
    document.removeEventListener('click', stay, true);
    expect(changes).toEqual([{ revoke_refresh_token_grant: true }]);

    // Back from the identity provider: a new page load on the same path.
    cleanup();
    renderPage();
    const again = await screen.findByRole('dialog', { name: 'Turn Refresh Token Revocation Deletes Grant on?' });
    expect(within(again).getByRole('button', { name: 'Turn on' })).toBeTruthy();
    // Once: a later visit does not reopen it.
    cleanup();
    renderPage();
    await screen.findByRole('switch', { name: 'Refresh Token Revocation Deletes Grant' });
    expect(screen.queryByRole('dialog', { name: /Turn Refresh Token/ })).toBeNull();
  });
});
