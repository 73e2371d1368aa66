import type { ApplicationImpact } from '@rtc/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApplicationsPage } from './applications-page';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

const impactWith = (tokens: number): ApplicationImpact => ({
  client_id: 'mobile',
  name: 'Acme Mobile',
  counts: { tokens, users: 2, devices: tokens },
  first_users: [{ user_id: 'auth0|a', email: 'ann@example.com', tokens: 2 }],
  issued_through: tokens,
});

function renderPage() {
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <ApplicationsPage />
    </QueryClientProvider>,
  );
}

describe("Applications: revoking an application's tokens after a step-up sign-in", () => {
  it('reopens the dialog with the preview shown before, and the confirmation is bound to that preview, not to a fresh one', async () => {
    let previews = 0;
    const confirmed: unknown[] = [];
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
        if (path === '/api/applications')
          return Response.json({
            applications: [
              { client_id: 'mobile', name: 'Acme Mobile', counts: { tokens: 3, users: 2, devices: 3 }, bound: 0 },
            ],
            counts_unavailable: null,
          });
        // A token is issued between the first preview and the return: a fresh preview says 4.
        if (path === '/api/applications/mobile/impact') return Response.json(impactWith(++previews === 1 ? 3 : 4));
        if (path === '/api/applications/mobile/revoke-all') {
          confirmed.push(JSON.parse(String(init?.body)));
          return confirmed.length === 1
            ? Response.json(
                {
                  error: {
                    code: 'step_up_required',
                    message:
                      'Revoking every token of an application needs a sign-in within the last 10 minutes. Sign in again to continue; nothing was changed.',
                    request_id: 'r',
                  },
                },
                { status: 403 },
              )
            : Response.json({
                client_id: 'mobile',
                name: 'Acme Mobile',
                revoked: { tokens: 3, users: 2, devices: 3 },
                audit_id: 'a1',
              });
        }
        return Response.json({ error: { code: 'not_found', message: 'no' } }, { status: 404 });
      }),
    );
    window.history.replaceState(null, '', '/applications');
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'Revoke all tokens of Acme Mobile' }));
    let dialog = await screen.findByRole('dialog', { name: 'Revoke all tokens of this application' });
    await vi.waitFor(() =>
      expect(dialog.textContent).toContain('This revokes 3 refresh tokens of 2 users on 3 devices'),
    );
    await user.type(within(dialog).getByRole('textbox'), 'Acme Mobile');
    await user.click(within(dialog).getByRole('button', { name: 'Revoke all tokens' }));
    const signIn = within(await within(dialog).findByTestId('step-up')).getByRole('link', { name: 'Sign in again' });
    expect(signIn.getAttribute('href')).toBe(`/auth/login?step_up=1&returnTo=${encodeURIComponent('/applications')}`);
    const stay = (event: Event) => event.preventDefault();
    document.addEventListener('click', stay, true);
    await user.click(signIn);
    document.removeEventListener('click', stay, true);

    // Back from the identity provider: the same dialog, the same preview.
    cleanup();
    renderPage();
    dialog = await screen.findByRole('dialog', { name: 'Revoke all tokens of this application' });
    await vi.waitFor(() =>
      expect(dialog.textContent).toContain('This revokes 3 refresh tokens of 2 users on 3 devices'),
    );
    expect(previews).toBe(1);
    await user.type(within(dialog).getByRole('textbox'), 'Acme Mobile');
    await user.click(within(dialog).getByRole('button', { name: 'Revoke all tokens' }));
    await screen.findByText(/Revoked all refresh tokens of Acme Mobile/);
    expect(confirmed).toEqual([
      { confirm_name: 'Acme Mobile', expected: { tokens: 3, users: 2, devices: 3, issued_through: 3 } },
      { confirm_name: 'Acme Mobile', expected: { tokens: 3, users: 2, devices: 3, issued_through: 3 } },
    ]);
  });
});
