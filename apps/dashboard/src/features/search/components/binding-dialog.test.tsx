import type { UseQueryResult } from '@tanstack/react-query';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BindingDialog, type BoundPreview } from './binding-dialog';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

type Preview = BoundPreview & { totals: { tokens: number; users: number } };

describe("the search's revocation dialog: a long list of users", () => {
  it('says it names the first of them: "10 of 15 users, and 5 more"', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        Response.json({
          user: { sub: 's', name: 'Ada', email: null, role: 'admin' },
          csrf_token: 'csrf',
          tenant: { name: 't', domain: 'd', embedded: true },
          session: { expires_at: '', idle_timeout_seconds: 1800 },
        }),
      ),
    );
    const preview: Preview = {
      over_limit: false,
      admin_only: null,
      digest: 'd',
      first_users: Array.from({ length: 10 }, (_, i) => ({ user_id: `auth0|${i}`, email: `user${i}@example.com` })),
      totals: { tokens: 40, users: 15 },
    };
    // The preview as the dialog's query holds it once fetched.
    const impact = {
      data: preview,
      isFetching: false,
      error: null,
      refetch: vi.fn(),
    } as unknown as UseQueryResult<Preview>;
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <BindingDialog<Preview>
          title="Revoke the tokens this search found"
          confirmLabel="Revoke these tokens"
          noun="tokens"
          impact={impact}
          count={(p) => p.totals.tokens}
          describe={(p) => `This revokes ${p.totals.tokens} refresh tokens.`}
          overLimit={() => 'too many'}
          perUser={() => '4 tokens'}
          usersTotal={(p) => p.totals.users}
          loadingLabel="Finding"
          isPending={false}
          error={null}
          onConfirm={() => {}}
          onClose={() => {}}
        />
      </QueryClientProvider>,
    );
    const dialog = await screen.findByRole('dialog', { name: 'Revoke the tokens this search found' });
    expect(within(dialog).getByText(/^Users affected, most first/).textContent).toBe(
      'Users affected, most first (10 of 15 users, and 5 more):',
    );
    expect(within(within(dialog).getByRole('list', { name: 'Users affected' })).getAllByRole('listitem')).toHaveLength(
      10,
    );
  });
});
