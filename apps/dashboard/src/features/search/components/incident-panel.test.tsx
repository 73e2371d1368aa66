import type { ContainImpact, ContainResult, Me } from '@rtc/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { containableFilter, IncidentPanel } from './incident-panel';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const ADDRESS = '203.0.113.9';
const DIGEST = 'c'.repeat(64);
/** 19 tokens and 15 sessions of 15 users, the first 10 named: the list is summarised. */
const preview = (over: Partial<ContainImpact> = {}): ContainImpact => ({
  filter: { ip: ADDRESS } as ContainImpact['filter'],
  tokens: { tokens: 19, users: 3, devices: 4, limited: false },
  sessions: { sessions: 15, users: 15, limited: false },
  users: 15,
  first_users: Array.from({ length: 10 }, (_, i) => ({
    user_id: `auth0|u${i}`,
    email: `u${i}@example.com`,
    tokens: i < 3 ? 5 : 0,
    sessions: 1,
  })),
  digest: DIGEST,
  over_limit: false,
  admin_only: null,
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

/** The BFF as the panel sees it: /api/me, the two searches' first pages, the preview and the containment, each answered when the test says. */
function bff(role: Me['user']['role'], previews: (() => Promise<Response>)[], actions: (() => Promise<Response>)[]) {
  const calls: { path: string; body: unknown }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (path: string, init: RequestInit = {}) => {
      calls.push({ path, body: init.body ? JSON.parse(String(init.body)) : undefined });
      if (path === '/api/me') return answer(200, me(role));
      if (path.startsWith('/api/search/refresh-tokens?'))
        return answer(200, {
          tokens: [],
          next: null,
          totals: { tokens: 19, users: 3, devices: 4, limited: false },
          unavailable: null,
        });
      if (path.startsWith('/api/search/sessions?'))
        return answer(200, {
          sessions: [],
          next: null,
          totals: { sessions: 15, users: 15, limited: false },
          unavailable: null,
        });
      if (path === '/api/search/contain/impact') return (previews.length > 1 ? previews.shift()! : previews[0]!)();
      if (path === '/api/search/contain') return actions.shift()!();
      return answer(404, { error: { code: 'not_found', message: 'no' } });
    }),
  );
  return calls;
}

/** A response the test releases when it has looked at the pending state. */
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

const renderPanel = () =>
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter>
        <IncidentPanel filter={{ ip: ADDRESS }} applicationName={(id) => id} />
      </MemoryRouter>
    </QueryClientProvider>,
  );

describe('the incident view: contain an address', () => {
  it('is offered for an address, a network or an AS number, with no condition a session lacks', () => {
    expect(containableFilter({ ip: ADDRESS })).toEqual({ ip: ADDRESS });
    expect(containableFilter({ asn: 'AS64500', user_agent: 'Chrome' })).toEqual({
      asn: 'AS64500',
      user_agent: 'Chrome',
    });
    expect(containableFilter({ ip: ADDRESS, client_id: 'acme-mobile' })).toBeNull();
    expect(containableFilter({ user_agent: 'Chrome' })).toBeNull();
  });

  it('counts tokens and sessions together; the dialog loads, previews the users, waits while pending, then says what was revoked and ended', async () => {
    const previewHeld = held(() => answer(200, preview()));
    const result: ContainResult = {
      filter: { ip: ADDRESS } as ContainResult['filter'],
      revoked: { tokens: 19, users: 3, devices: 4 },
      ended: { sessions: 15, users: 15 },
      audit_id: 'audit-7',
    };
    const actionHeld = held(() => answer(200, result));
    const calls = bff('support', [previewHeld.answer], [actionHeld.answer]);
    const user = userEvent.setup();
    renderPanel();

    await waitFor(() =>
      expect(screen.getByTestId('incident-counts').textContent).toBe(
        'Found 19 tokens · 3 users · 4 devices and 15 sessions · 15 users.',
      ),
    );
    await user.click(screen.getByRole('button', { name: 'Contain: revoke 19 tokens and end 15 sessions' }));
    const dialog = screen.getByRole('dialog', { name: 'Contain this address: revoke its tokens and end its sessions' });
    expect(
      within(dialog).getByRole('status', { name: 'Finding every token and session this search matches' }),
    ).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'Revoke and end' })).toHaveProperty('disabled', true);

    await act(async () => previewHeld.release());
    const impact = await within(dialog).findByTestId('impact');
    expect(impact.textContent).toContain(
      `This revokes 19 refresh tokens of 3 users on 4 devices and ends 15 sessions of 15 users (with every ` +
        `refresh token issued in them), every one matching address ${ADDRESS}, at once. 15 users must sign in again`,
    );
    expect(impact.textContent).toContain('Users affected, most first (10 of 15 users, and 5 more):');
    expect(within(impact).getByRole('list', { name: 'Users affected' }).children).toHaveLength(10);
    expect(within(impact).getByText('u0@example.com (5 tokens, 1 session)')).toBeTruthy();

    await user.type(within(dialog).getByRole('textbox', { name: 'Type REVOKE to confirm' }), 'REVOKE');
    await act(async () => {
      await user.click(within(dialog).getByRole('button', { name: 'Revoke and end' }));
    });
    // Pending: the one button says so and takes no second click.
    const working = within(dialog).getByRole('button', { name: 'Working…' });
    expect(working).toHaveProperty('disabled', true);
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveProperty('disabled', true);

    await act(async () => actionHeld.release());
    expect(calls.find((c) => c.path === '/api/search/contain')?.body).toEqual({
      filter: { ip: ADDRESS },
      expected: { tokens: 19, sessions: 15, digest: DIGEST },
      confirm: 'REVOKE',
    });
    await waitFor(() =>
      expect(document.body.textContent).toContain(
        'Done. Revoked 19 refresh tokens of 3 users on 4 devices and ended 15 sessions of 15 users, with the ' +
          'refresh tokens issued in them. They are refused from now on.',
      ),
    );
    expect(screen.getByRole('link', { name: 'See this action in the audit log' }).getAttribute('href')).toBe(
      '/audit?action=search.contain&entry=audit-7',
    );
  });

  it('a preview that changed meanwhile: says nothing was done, shows the new counts, and confirms those', async () => {
    const fresh = preview({ sessions: { sessions: 16, users: 15, limited: false }, digest: 'd'.repeat(64) });
    const calls = bff(
      'support',
      [async () => answer(200, preview()), async () => answer(200, fresh)],
      [
        async () =>
          answer(409, {
            error: {
              code: 'impact_changed',
              message:
                'What this would revoke changed since the preview: 19 refresh tokens and 16 sessions now, 19 refresh tokens and 15 sessions in the preview.',
            },
          }),
        async () =>
          answer(200, {
            filter: { ip: ADDRESS },
            revoked: { tokens: 19, users: 3, devices: 4 },
            ended: { sessions: 16, users: 15 },
            audit_id: 'audit-8',
          }),
      ],
    );
    const user = userEvent.setup();
    renderPanel();
    await user.click(await screen.findByRole('button', { name: 'Contain: revoke 19 tokens and end 15 sessions' }));
    const dialog = screen.getByRole('dialog');
    await within(dialog).findByTestId('impact');
    await user.type(within(dialog).getByRole('textbox', { name: 'Type REVOKE to confirm' }), 'REVOKE');
    await act(async () => {
      await user.click(within(dialog).getByRole('button', { name: 'Revoke and end' }));
    });
    const changed = await within(dialog).findByTestId('impact-changed');
    expect(changed.textContent).toContain(
      'The tokens and sessions this search finds changed since you opened it; nothing was done.',
    );
    expect(changed.textContent).toContain('19 refresh tokens and 16 sessions now');
    await waitFor(() =>
      expect(within(dialog).getByTestId('impact').textContent).toContain('ends 16 sessions of 15 users'),
    );
    await act(async () => {
      await user.click(within(dialog).getByRole('button', { name: 'Revoke and end now' }));
    });
    expect(
      calls.filter((c) => c.path === '/api/search/contain').map((c) => (c.body as { expected: unknown }).expected),
    ).toEqual([
      { tokens: 19, sessions: 15, digest: DIGEST },
      { tokens: 19, sessions: 16, digest: 'd'.repeat(64) },
    ]);
    await waitFor(() => expect(document.body.textContent).toContain('ended 16 sessions of 15 users'));
  });

  it("support on a result that is an admin's: the reason in the dialog, nothing to confirm", async () => {
    bff(
      'support',
      [
        async () =>
          answer(
            200,
            preview({
              admin_only: 'Only an admin may revoke this result: it reaches a staff member, ada@console.test (admin).',
            }),
          ),
      ],
      [],
    );
    const user = userEvent.setup();
    renderPanel();
    await user.click(await screen.findByRole('button', { name: 'Contain: revoke 19 tokens and end 15 sessions' }));
    const dialog = screen.getByRole('dialog');
    expect((await within(dialog).findByTestId('admin-only')).textContent).toMatch(/reaches a staff member/);
    await user.type(within(dialog).getByRole('textbox', { name: 'Type REVOKE to confirm' }), 'REVOKE');
    expect(within(dialog).getByRole('button', { name: 'Revoke and end' })).toHaveProperty('disabled', true);
  });
});
