import type { ActionResult, ApiError, AuthorizedApp, Impact, Me } from '@rtc/contracts';
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders, stubBff } from '../../../testing/fake-bff';
import { queryKeys } from '../../../lib/query-keys';
import { AuthorizedAppsTab } from './authorized-apps-tab';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const USER = 'auth0|jane';
const USER_PATH = `/api/users/${encodeURIComponent(USER)}`;

const mobile: AuthorizedApp = {
  grant_id: 'gr_1',
  client_id: 'acme-mobile',
  client_name: 'Acme Mobile',
  audience: 'https://api.acme.test',
  api_name: 'Acme API',
  scopes: ['openid', 'offline_access', 'read:orders'],
  first_token_at: new Date().toISOString(),
  token_count: 2,
  device_names: ['iPhone 15', 'Pixel 8'],
};
const notes: AuthorizedApp = {
  grant_id: 'gr_2',
  client_id: 'acme-notes',
  client_name: 'Acme Notes',
  audience: 'https://notes.acme.test',
  api_name: 'Notes API',
  scopes: ['notes:read'],
  first_token_at: null,
  token_count: 0,
  device_names: [],
};

const revokeImpact: Impact = {
  action: 'grant.revoke',
  setting_deletes_grant: false,
  target_name: 'Acme Mobile for Acme API',
  tokens: [
    {
      id: 'rt_1',
      client_id: 'acme-mobile',
      client_name: 'Acme Mobile',
      device_name: 'iPhone 15',
      binding: null,
      via: 'target',
    },
    {
      id: 'rt_2',
      client_id: 'acme-mobile',
      client_name: 'Acme Mobile',
      device_name: 'Pixel 8',
      binding: null,
      via: 'target',
    },
  ],
  grants: [{ grant_id: 'gr_1', client_name: 'Acme Mobile', api_name: 'Acme API' }],
  sessions: [],
};
const revoked: ActionResult = {
  revoked_token_ids: ['rt_1', 'rt_2'],
  deleted_grant_ids: ['gr_1'],
  ended_session_ids: [],
  impact: revokeImpact,
  audit_id: 'aud_1',
};
const tenantDown: ApiError = {
  error: {
    code: 'tenant_unreachable',
    message:
      "The tenant's Management API could not be reached while trying to revoke the authorized application. " +
      'Check that the tenant is up, then retry.',
    request_id: 'req_91c2',
  },
};

/** The BFF at the network boundary, answering the revocation with `revoke`; records each request other than a GET. */
function serve({
  role = 'support',
  revoke = () => Response.json(revoked),
}: {
  role?: Me['user']['role'];
  revoke?: () => Response | Promise<Response>;
} = {}) {
  const sent = stubBff((method, path) => {
    // The tenant's listing lags behind its revocation: a deleted grant is still listed.
    if (path === `${USER_PATH}/authorized-apps`) return Response.json({ apps: [mobile, notes] });
    if (method === 'POST' && path === `${USER_PATH}/impact`) return Response.json(revokeImpact);
    if (method === 'DELETE' && path.startsWith(`${USER_PATH}/authorized-apps/`)) return revoke();
  }, role);
  return { revocations: () => sent.filter((s) => s.method === 'DELETE'), sent };
}

const renderTab = () => renderWithProviders(<AuthorizedAppsTab userId={USER} />);

const rowOf = (client: string) => screen.getByRole('row', { name: new RegExp(client) });
const dialogButton = (dialog: HTMLElement, name: string) =>
  within(dialog).getByRole('button', { name }) as HTMLButtonElement;

/** Opens the confirmation of revoking Acme Mobile and waits for its preview. */
async function openRevoke(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByRole('button', { name: 'Revoke Acme Mobile for Acme API' }));
  const dialog = screen.getByRole('dialog', { name: 'Revoke Acme Mobile?' });
  await within(dialog).findByTestId('impact');
  return dialog;
}

describe("the user's authorized applications", () => {
  it('lists each grant with its API, scopes and refresh tokens', async () => {
    serve();
    renderTab();
    await screen.findByRole('rowheader', { name: 'Acme Mobile' });
    const [api, scopes, , tokens] = within(rowOf('Acme Mobile')).getAllByRole('cell');
    expect(api?.textContent).toBe('Acme API');
    expect(
      within(scopes as HTMLElement)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['openid', 'offline_access', 'read:orders']);
    expect(tokens?.textContent).toBe('2iPhone 15, Pixel 8');
    const notesCells = within(rowOf('Acme Notes')).getAllByRole('cell');
    expect(notesCells[0]?.textContent).toBe('Notes API');
    expect(notesCells[2]?.textContent).toBe('None live');
    expect(notesCells[3]?.textContent).toBe('0');
  });

  it('offers a viewer no Revoke: the role may only read', async () => {
    serve({ role: 'viewer' });
    const client = renderTab();
    await screen.findByRole('rowheader', { name: 'Acme Mobile' });
    // The button hangs on the role from /api/me: absent before it answers proves nothing.
    await waitFor(() => expect(client.getQueryState(queryKeys.me)?.status).toBe('success'));
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(screen.queryByRole('button', { name: /^Revoke/ })).toBeNull();
  });
});

describe('revoking an authorized application', () => {
  it('previews this grant, and says in words that it deletes the grant and its tokens', async () => {
    const { sent } = serve();
    renderTab();
    const dialog = await openRevoke(userEvent.setup());
    expect(sent).toEqual([
      { method: 'POST', path: `${USER_PATH}/impact`, body: { action: 'grant.revoke', grant_id: 'gr_1' } },
    ]);
    const preview = within(dialog).getByTestId('impact').textContent;
    expect(preview).toContain(
      'This deletes the grant of Acme Mobile for Acme API and revokes its 2 refresh tokens on iPhone 15 and Pixel 8.',
    );
    expect(preview).toContain('The user will have to sign in to that application again.');
  });

  it('sends exactly one DELETE, for this grant, carrying the preview it showed', async () => {
    const { revocations } = serve();
    renderTab();
    const user = userEvent.setup();
    const dialog = await openRevoke(user);
    await user.click(dialogButton(dialog, 'Revoke'));
    const done = (await screen.findByText('Done.')).closest('[role="status"]');
    expect(done?.textContent).toContain('deleted 1 grant (Acme Mobile for Acme API)');
    expect(revocations()).toEqual([
      {
        method: 'DELETE',
        path: `${USER_PATH}/authorized-apps/gr_1`,
        body: {
          expected: { token_ids: ['rt_1', 'rt_2'], grant_ids: ['gr_1'], session_ids: [], setting_deletes_grant: false },
        },
      },
    ]);
    // Still listed for a moment, the grant reads "Revoked" and cannot be revoked again.
    expect(within(rowOf('Acme Mobile')).getByText('Revoked')).toBeTruthy();
    expect(
      (screen.getByRole('button', { name: 'Revoke Acme Mobile for Acme API' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    expect(
      (screen.getByRole('button', { name: 'Revoke Acme Notes for Notes API' }) as HTMLButtonElement).disabled,
    ).toBe(false);
  });

  it('says it is working while the BFF answers, and a second confirm sends nothing', async () => {
    let answer!: (response: Response) => void;
    const { revocations } = serve({ revoke: () => new Promise<Response>((resolve) => (answer = resolve)) });
    renderTab();
    const user = userEvent.setup();
    const dialog = await openRevoke(user);
    await user.click(dialogButton(dialog, 'Revoke'));

    const working = await within(dialog).findByRole('button', { name: 'Working…' });
    expect((working as HTMLButtonElement).disabled).toBe(true);
    expect(dialogButton(dialog, 'Cancel').disabled).toBe(true);
    await user.click(working);
    expect(revocations()).toHaveLength(1);

    answer(Response.json(revoked));
    expect(await screen.findByText('Done.')).toBeTruthy();
    expect(revocations()).toHaveLength(1);
  });

  it("shows the BFF's error in words inside the dialog and reports nothing as revoked", async () => {
    const { revocations } = serve({ revoke: () => Response.json(tenantDown, { status: 502 }) });
    renderTab();
    const user = userEvent.setup();
    const dialog = await openRevoke(user);
    await user.click(dialogButton(dialog, 'Revoke'));

    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain(`It did not work. ${tenantDown.error.message}`);
    expect(alert.textContent).toContain('Request id: req_91c2');
    expect(revocations()).toHaveLength(1);
    expect(screen.queryByText('Done.')).toBeNull();
    expect(screen.queryByText('Revoked')).toBeNull();
    expect(within(rowOf('Acme Mobile')).getAllByRole('cell')[3]?.textContent).toBe('2iPhone 15, Pixel 8');
    // The person may try again once the tenant is back.
    expect(dialogButton(dialog, 'Revoke').disabled).toBe(false);
  });
});
