import type { Me, SignOutImpact, UserDetail } from '@rtc/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useSignOutEverywhereAction } from './sign-out-everywhere';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const jane: UserDetail = {
  user_id: 'auth0|jane',
  email: 'jane@example.com',
  name: 'Jane',
  picture: null,
  created_at: null,
  last_login: null,
  logins_count: 3,
  blocked: false,
  console_role: null,
  email_verified: true,
  updated_at: null,
  last_ip: null,
  connection: null,
};

const DIGEST = 'a'.repeat(64);
/** 120 devices, two applications, two sessions: the dialog summarises the long list. */
const preview = (over: Partial<SignOutImpact> = {}): SignOutImpact => ({
  user_id: jane.user_id,
  user_name: 'Jane',
  tokens: 125,
  applications: [
    { client_id: 'mobile', name: 'Acme Mobile', tokens: 120 },
    { client_id: 'web', name: 'Acme Web', tokens: 5 },
  ],
  devices: [
    { name: 'iPhone 15', tokens: 4 },
    { name: 'Pixel 8', tokens: 3 },
    ...Array.from({ length: 118 }, (_, i) => ({ name: `Device ${i}`, tokens: 1 })),
  ],
  sessions: [
    { session_id: 's1', description: 'Safari 17 on iOS (iPhone 15), 203.0.113.7' },
    { session_id: 's2', description: 'Chrome 126 on Android (Pixel 8), 198.51.100.4' },
  ],
  digest: DIGEST,
  truncated: false,
  blocked: false,
  ...over,
});

const me = (role: Me['user']['role']): Me => ({
  user: { sub: 'staff|1', name: 'Sam', email: 'sam@example.com', role },
  csrf_token: 'csrf',
  tenant: { name: 'Acme', domain: 'acme.test', embedded: true },
  session: { expires_at: '2030-01-01T00:00:00Z', idle_timeout_seconds: 1800 },
});

const answer = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** The BFF as this dialog sees it: /api/me, the preview, and the action answering in turn. */
function bff(role: Me['user']['role'], previews: SignOutImpact[], actions: Response[]) {
  const calls: { path: string; body: unknown }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (path: string, init: RequestInit = {}) => {
      calls.push({ path, body: init.body ? JSON.parse(String(init.body)) : undefined });
      if (path === '/api/me') return answer(200, me(role));
      if (path.endsWith('/sign-out-everywhere/impact'))
        return answer(200, previews.length > 1 ? previews.shift() : previews[0]);
      if (path.endsWith('/sign-out-everywhere')) return actions.shift()!;
      return answer(404, { error: { code: 'not_found', message: 'no' } });
    }),
  );
  return calls;
}

function Harness({ user }: { user: UserDetail }) {
  const { button, dialog, summary } = useSignOutEverywhereAction(user);
  return (
    <>
      {button}
      {dialog}
      {summary}
    </>
  );
}

const renderFor = (user: UserDetail) =>
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter>
        <Harness user={user} />
      </MemoryRouter>
    </QueryClientProvider>,
  );

describe('"Sign out everywhere"', () => {
  it('previews the tokens by device and application and the sessions, asks for SIGN OUT, blocks when asked, and says exactly what happened', async () => {
    const calls = bff(
      'support',
      [preview()],
      [answer(200, { impact: preview(), blocked: true, is_blocked: true, audit_id: 'audit-1' })],
    );
    const user = userEvent.setup();
    renderFor(jane);
    const opener = await screen.findByRole('button', { name: 'Sign out everywhere' });
    await user.click(opener);
    const dialog = screen.getByRole('dialog', { name: 'Sign Jane out everywhere?' });
    const impact = await within(dialog).findByTestId('impact');
    expect(impact.textContent).toContain('This revokes all 125 refresh tokens of Jane.');
    expect(impact.textContent).toContain('On 120 devices: iPhone 15 (4), Pixel 8 (3) and 118 more.');
    expect(impact.textContent).toContain('Of 2 applications: Acme Mobile (120) and Acme Web (5).');
    expect(impact.textContent).toContain(
      'It ends 2 sessions: Safari 17 on iOS (iPhone 15), 203.0.113.7 and Chrome 126 on Android (Pixel 8), 198.51.100.4.',
    );

    const confirm = within(dialog).getByRole('button', { name: 'Sign out everywhere' });
    expect(confirm).toHaveProperty('disabled', true);
    await user.click(within(dialog).getByRole('checkbox', { name: 'Also block this user' }));
    expect(within(dialog).getByRole('button', { name: 'Sign out and block' })).toBeTruthy();
    await user.type(within(dialog).getByRole('textbox', { name: 'Type SIGN OUT to confirm' }), 'SIGN OUT');
    await act(async () => {
      await user.click(within(dialog).getByRole('button', { name: 'Sign out and block' }));
    });

    expect(calls.find((c) => c.path === '/api/users/auth0%7Cjane/sign-out-everywhere')?.body).toEqual({
      block: true,
      expected: { tokens: 125, sessions: 2, digest: DIGEST },
    });
    const result = await screen.findByTestId('sign-out-result');
    await waitFor(() =>
      expect(result.textContent).toContain(
        'Revoked 125 refresh tokens on 120 devices and ended 2 sessions. Jane is blocked.',
      ),
    );
    expect(result.getAttribute('role')).toBe('status');
    expect(dialog).toHaveProperty('open', false);
    await waitFor(() => expect(document.activeElement).toBe(result));
  });

  it('a preview that changed meanwhile: says nothing was done, shows the new preview, and confirms that one', async () => {
    const fresh = preview({ tokens: 126, digest: 'b'.repeat(64) });
    const calls = bff(
      'support',
      [preview(), fresh],
      [
        answer(409, {
          error: {
            code: 'impact_changed',
            message: 'What this would revoke changed since the preview: 126 refresh tokens and 2 sessions now.',
          },
        }),
        answer(200, { impact: fresh, blocked: false, is_blocked: false, audit_id: 'audit-2' }),
      ],
    );
    const user = userEvent.setup();
    renderFor(jane);
    await user.click(await screen.findByRole('button', { name: 'Sign out everywhere' }));
    const dialog = screen.getByRole('dialog');
    await within(dialog).findByTestId('impact');
    await user.type(within(dialog).getByRole('textbox', { name: 'Type SIGN OUT to confirm' }), 'SIGN OUT');
    await act(async () => {
      await user.click(within(dialog).getByRole('button', { name: 'Sign out everywhere' }));
    });
    const changed = await within(dialog).findByTestId('impact-changed');
    expect(changed.textContent).toContain('nothing was revoked and nobody was blocked');
    expect(changed.getAttribute('role')).toBe('alert');
    await waitFor(() =>
      expect(within(dialog).getByTestId('impact').textContent).toContain(
        'This revokes all 126 refresh tokens of Jane.',
      ),
    );
    await act(async () => {
      await user.click(within(dialog).getByRole('button', { name: 'Sign out everywhere now' }));
    });
    const sent = calls.filter((c) => c.path.endsWith('/sign-out-everywhere')).map((c) => c.body);
    expect(sent).toEqual([
      { block: false, expected: { tokens: 125, sessions: 2, digest: DIGEST } },
      { block: false, expected: { tokens: 126, sessions: 2, digest: 'b'.repeat(64) } },
    ]);
    await waitFor(() =>
      expect(screen.getByTestId('sign-out-result').textContent).toContain(
        'Revoked 126 refresh tokens on 120 devices and ended 2 sessions. Jane is not blocked and may sign in again.',
      ),
    );
  });

  it('support on a staff member: the dialog says an admin must, with nothing to confirm; a viewer has no button', async () => {
    bff('support', [preview()], []);
    const user = userEvent.setup();
    const { unmount } = renderFor({ ...jane, console_role: 'admin' });
    await user.click(await screen.findByRole('button', { name: 'Sign out everywhere' }));
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByRole('alert').textContent).toMatch(
      /Only an admin may revoke, unlink or end the credentials of a staff member/,
    );
    await user.type(within(dialog).getByRole('textbox', { name: 'Type SIGN OUT to confirm' }), 'SIGN OUT');
    expect(within(dialog).getByRole('button', { name: 'Sign out everywhere' })).toHaveProperty('disabled', true);
    unmount();

    vi.unstubAllGlobals();
    const calls = bff('viewer', [preview()], []);
    renderFor(jane);
    await waitFor(() => expect(calls.some((c) => c.path === '/api/me')).toBe(true));
    await act(async () => {});
    expect(screen.queryByRole('button', { name: 'Sign out everywhere' })).toBeNull();
  });
});
