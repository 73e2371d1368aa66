import type { ApplicationSummary, LeakedSecretImpact, LeakedSecretResult, Me } from '@rtc/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LeakedSecretFlow, leakedSecretWords } from './leaked-secret';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const APP: ApplicationSummary = {
  client_id: 'acme-web',
  name: 'Acme Web',
  counts: { tokens: 120, users: 15, devices: 130 },
  bound: 0,
};
const NEW_SECRET = 'n3w-s3cret-0123456789abcdefghijklmnopqrstuvwxyz';
const preview = (over: Partial<LeakedSecretImpact> = {}): LeakedSecretImpact => ({
  client_id: APP.client_id,
  name: APP.name,
  counts: { tokens: 120, users: 15, devices: 130 },
  first_users: Array.from({ length: 10 }, (_, i) => ({
    user_id: `auth0|u${i}`,
    email: `u${i}@example.com`,
    tokens: 12 - i,
  })),
  issued_through: 4711,
  has_secret: true,
  console_client: null,
  ...over,
});
const me: Me = {
  user: { sub: 'staff|1', name: 'Ada', email: 'ada@console.test', role: 'admin' },
  csrf_token: 'csrf',
  tenant: { name: 'Acme', domain: 'acme.test', embedded: true },
  session: { expires_at: '2030-01-01T00:00:00Z', idle_timeout_seconds: 1800 },
};
const answer = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function held(response: () => Response) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return {
    answer: async () => {
      await gate;
      return response();
    },
    release,
  };
}

function bff(previews: (() => Promise<Response>)[], actions: (() => Promise<Response>)[]) {
  const calls: { path: string; body: unknown }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (path: string, init: RequestInit = {}) => {
      calls.push({ path, body: init.body ? JSON.parse(String(init.body)) : undefined });
      if (path === '/api/me') return answer(200, me);
      if (path.endsWith('/leaked-secret/impact')) return (previews.length > 1 ? previews.shift()! : previews[0]!)();
      if (path.endsWith('/leaked-secret')) return actions.shift()!();
      return answer(404, { error: { code: 'not_found', message: 'no' } });
    }),
  );
  return calls;
}

/** The page's part: the flow open, and the result it was handed (never the secret). */
function Harness({ app, onDone }: { app: ApplicationSummary; onDone: (r: unknown) => void }) {
  const [open, setOpen] = useState(true);
  return open ? <LeakedSecretFlow app={app} onClose={() => setOpen(false)} onDone={onDone} /> : <p>closed</p>;
}
const renderFlow = (app = APP, onDone: (r: unknown) => void = () => {}) => {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={queryClient}>
      <MemoryRouter>
        <Harness app={app} onDone={onDone} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return queryClient;
};

describe('a leaked application secret', () => {
  it('previews the tokens and the rotation, waits while pending, shows the new secret once, and keeps it nowhere after', async () => {
    const previewHeld = held(() => answer(200, preview()));
    const result: LeakedSecretResult = {
      client_id: APP.client_id,
      name: APP.name,
      revoked: { tokens: 120, users: 15, devices: 130 },
      rotated: true,
      client_secret: NEW_SECRET,
      audit_id: 'audit-9',
    };
    const actionHeld = held(() => answer(200, result));
    const calls = bff([previewHeld.answer], [actionHeld.answer]);
    const done = vi.fn();
    const user = userEvent.setup();
    const queryClient = renderFlow(APP, done);

    const dialog = screen.getByRole('dialog', { name: 'Leaked secret of Acme Web' });
    expect(within(dialog).getByRole('status', { name: 'Working out what this will revoke' })).toBeTruthy();
    // Nothing to confirm until the preview says what there is (whether a secret, even).
    expect(within(dialog).getByRole('button', { name: 'Revoke all tokens' })).toHaveProperty('disabled', true);
    await act(async () => previewHeld.release());
    const impact = await within(dialog).findByTestId('impact');
    expect(impact.textContent).toContain(
      'This revokes 120 refresh tokens of 15 users on 130 devices of Acme Web, at once: every user of it must sign in again.',
    );
    expect(impact.textContent).toContain('Users affected: 15 users: u0@example.com, u1@example.com and 13 more.');
    expect(impact.textContent).toContain('the old one is refused at the tenant from that moment, for every call');
    expect(impact.textContent).toContain('shown once');
    expect(within(dialog).getByRole('checkbox', { name: 'Also rotate the secret' })).toHaveProperty('checked', true);

    await user.type(within(dialog).getByRole('textbox', { name: 'Type Acme Web to confirm' }), 'Acme Web');
    await act(async () => {
      await user.click(within(dialog).getByRole('button', { name: 'Revoke tokens and rotate secret' }));
    });
    expect(within(dialog).getByRole('button', { name: 'Working…' })).toHaveProperty('disabled', true);
    expect(within(dialog).getByRole('checkbox', { name: 'Also rotate the secret' })).toHaveProperty('disabled', true);
    await act(async () => actionHeld.release());

    expect(calls.find((c) => c.path === '/api/applications/acme-web/leaked-secret')?.body).toEqual({
      confirm_name: 'Acme Web',
      expected: { tokens: 120, users: 15, devices: 130, issued_through: 4711 },
      rotate: true,
    });
    const shown = await screen.findByRole('dialog', { name: 'New secret of Acme Web' });
    expect(within(shown).getByRole('textbox', { name: 'New client secret' })).toHaveProperty('value', NEW_SECRET);
    expect(shown.textContent).toContain('This is the only time the new one is shown');
    // The page gets the result without the secret, and the query client holds it nowhere.
    expect(done).toHaveBeenCalledWith({
      client_id: APP.client_id,
      name: APP.name,
      revoked: result.revoked,
      rotated: true,
      audit_id: 'audit-9',
    });
    expect(JSON.stringify(done.mock.calls)).not.toContain(NEW_SECRET);
    const cached = () =>
      JSON.stringify([
        queryClient
          .getMutationCache()
          .getAll()
          .map((m) => m.state),
        queryClient
          .getQueryCache()
          .getAll()
          .map((q) => q.state),
      ]);
    expect(cached()).not.toContain(NEW_SECRET);

    await user.click(within(shown).getByRole('button', { name: 'I have it: close' }));
    await waitFor(() => expect(screen.getByText('closed')).toBeTruthy());
    expect(document.body.innerHTML).not.toContain(NEW_SECRET);
    expect(cached()).not.toContain(NEW_SECRET);
    expect(leakedSecretWords(done.mock.calls[0]![0])).toBe(
      'Revoked 120 refresh tokens of 15 users on 130 devices of Acme Web; rotated its secret: the old one is refused from now on.',
    );
  });

  it("the console's own sign-in application: warns that every staff member, you included, is signed out", async () => {
    bff(
      [
        async () =>
          answer(
            200,
            preview({ client_id: 'rtc-dashboard', name: 'Refresh Token Console', console_client: 'sign_in' }),
          ),
      ],
      [],
    );
    renderFlow({ ...APP, client_id: 'rtc-dashboard', name: 'Refresh Token Console' });
    const warning = await screen.findByTestId('console-warning');
    expect(warning.textContent).toContain('Revoking its tokens signs every staff member out, you included');
    expect(warning.textContent).toContain('OIDC_CLIENT_SECRET');
  });

  it('a public client has no secret: only the revocation is offered', async () => {
    const calls = bff(
      [async () => answer(200, preview({ client_id: 'acme-mobile', name: 'Acme Mobile', has_secret: false }))],
      [
        async () =>
          answer(200, {
            client_id: 'acme-mobile',
            name: 'Acme Mobile',
            revoked: { tokens: 120, users: 15, devices: 130 },
            rotated: false,
            client_secret: null,
            audit_id: 'audit-10',
          }),
      ],
    );
    const user = userEvent.setup();
    renderFlow({ ...APP, client_id: 'acme-mobile', name: 'Acme Mobile' });
    const dialog = screen.getByRole('dialog', { name: 'Leaked secret of Acme Mobile' });
    const impact = await within(dialog).findByTestId('impact');
    expect(impact.textContent).toContain(
      'Acme Mobile is a public client: it has no secret to rotate. Only its tokens are revoked.',
    );
    expect(within(dialog).queryByRole('checkbox', { name: 'Also rotate the secret' })).toBeNull();
    await user.type(within(dialog).getByRole('textbox', { name: 'Type Acme Mobile to confirm' }), 'Acme Mobile');
    await act(async () => {
      await user.click(within(dialog).getByRole('button', { name: 'Revoke all tokens' }));
    });
    await waitFor(() => expect(screen.getByText('closed')).toBeTruthy());
    expect(calls.find((c) => c.path.endsWith('/leaked-secret'))?.body).toMatchObject({ rotate: false });
  });
});
