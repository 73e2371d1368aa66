import type { ActionResult, ApiError, Device, Impact, Me } from '@rtc/contracts';
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders, stubBff } from '../../../testing/fake-bff';
import { queryKeys } from '../../../lib/query-keys';
import { DevicesTab } from './devices-tab';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const USER = 'auth0|jane';
const USER_PATH = `/api/users/${encodeURIComponent(USER)}`;

const device = (name: string, tokenCount: number, applications: Device['applications']): Device => ({
  name,
  token_count: tokenCount,
  applications,
  credential_ids: [],
  last_used_at: new Date().toISOString(),
  last_ip: null,
  last_place: null,
  last_user_agent: null,
  last_agent: null,
  signals: [],
  reuse: [],
  session_ids: [],
});
const ACME_MOBILE = { client_id: 'acme-mobile', name: 'Acme Mobile' };
const ACME_NOTES = { client_id: 'acme-notes', name: 'Acme Notes' };
// Pixel 8 holds three tokens of one application, one for each API it calls.
const devices = [device('iPhone 15', 2, [ACME_MOBILE, ACME_NOTES]), device('Pixel 8', 3, [ACME_MOBILE])];

// The grant of Acme Mobile goes with the iPhone (the setting is on), and with it the Pixel's token.
const unlinkImpact: Impact = {
  action: 'device.unlink',
  setting_deletes_grant: true,
  target_name: 'iPhone 15',
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
      client_id: 'acme-notes',
      client_name: 'Acme Notes',
      device_name: 'iPhone 15',
      binding: null,
      via: 'target',
    },
    {
      id: 'rt_3',
      client_id: 'acme-mobile',
      client_name: 'Acme Mobile',
      device_name: 'Pixel 8',
      binding: null,
      via: 'grant',
    },
  ],
  grants: [{ grant_id: 'gr_1', client_name: 'Acme Mobile', api_name: 'Acme API' }],
  sessions: [],
};
const unlinked: ActionResult = {
  revoked_token_ids: ['rt_1', 'rt_2', 'rt_3'],
  deleted_grant_ids: ['gr_1'],
  ended_session_ids: [],
  impact: unlinkImpact,
  audit_id: 'aud_1',
};
const tenantDown: ApiError = {
  error: {
    code: 'tenant_unreachable',
    message:
      "The tenant's Management API could not be reached while trying to unlink the device. " +
      'Check that the tenant is up, then retry.',
    request_id: 'req_7f3a',
  },
};

/** The BFF at the network boundary, answering the unlink with `unlink`; records each request other than a GET. */
function serve({
  role = 'support',
  unlink = () => Response.json(unlinked),
}: {
  role?: Me['user']['role'];
  unlink?: () => Response | Promise<Response>;
} = {}) {
  const sent = stubBff((method, path) => {
    // The tenant's listing lags behind its revocation: an unlinked device is still listed.
    if (path === `${USER_PATH}/devices`) return Response.json({ devices });
    if (method === 'POST' && path === `${USER_PATH}/impact`) return Response.json(unlinkImpact);
    if (method === 'POST' && path === `${USER_PATH}/devices/unlink`) return unlink();
  }, role);
  return { unlinks: () => sent.filter((s) => s.path === `${USER_PATH}/devices/unlink`), sent };
}

const renderTab = () => renderWithProviders(<DevicesTab userId={USER} />);

const tokenCountOf = (name: string) =>
  within(screen.getByRole('row', { name: new RegExp(name) })).getAllByRole('cell')[0];
const confirmButton = (dialog: HTMLElement, name: string) =>
  within(dialog).getByRole('button', { name }) as HTMLButtonElement;

/** Opens the unlink confirmation of the iPhone and waits for its preview. */
async function openUnlink(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByRole('button', { name: 'Unlink iPhone 15' }));
  const dialog = screen.getByRole('dialog', { name: 'Unlink iPhone 15?' });
  await within(dialog).findByTestId('impact');
  return dialog;
}

describe("the user's devices", () => {
  it('lists each device by name with its number of refresh tokens', async () => {
    serve();
    renderTab();
    expect(await screen.findByRole('rowheader', { name: /iPhone 15/ })).toBeTruthy();
    expect(screen.getByRole('rowheader', { name: /Pixel 8/ })).toBeTruthy();
    expect(tokenCountOf('iPhone 15')?.textContent).toBe('2');
    expect(tokenCountOf('Pixel 8')?.textContent).toBe('3');
    expect(screen.getByText('2 devices')).toBeTruthy();
  });

  it('offers a viewer no unlink and no "Lost or stolen": the role may only read', async () => {
    serve({ role: 'viewer' });
    const client = renderTab();
    await screen.findByRole('rowheader', { name: /iPhone 15/ });
    // The buttons hang on the role from /api/me: absent before it answers proves nothing.
    await waitFor(() => expect(client.getQueryState(queryKeys.me)?.status).toBe('success'));
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(screen.queryByRole('button', { name: /^Unlink / })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Lost or stolen/ })).toBeNull();
  });
});

describe('unlinking a device', () => {
  it('asks for the preview of exactly this device and says in words what it will revoke', async () => {
    const { sent } = serve();
    renderTab();
    const dialog = await openUnlink(userEvent.setup());
    expect(sent).toContainEqual({
      method: 'POST',
      path: `${USER_PATH}/impact`,
      body: { action: 'device.unlink', device_name: 'iPhone 15' },
    });
    const preview = within(dialog).getByTestId('impact').textContent;
    expect(preview).toContain('This revokes 2 refresh tokens on iPhone 15.');
    expect(preview).toContain(
      'Because Refresh Token Revocation Deletes Grant is on, it also deletes the grant of Acme Mobile for Acme API ' +
        'and revokes 1 more token on Pixel 8.',
    );
  });

  it('keeps Unlink disabled until the person types UNLINK, in capitals', async () => {
    serve();
    renderTab();
    const user = userEvent.setup();
    const dialog = await openUnlink(user);
    const word = within(dialog).getByRole('textbox', { name: 'Type UNLINK to confirm' });
    expect(confirmButton(dialog, 'Unlink').disabled).toBe(true);
    await user.type(word, 'unlink');
    expect(confirmButton(dialog, 'Unlink').disabled).toBe(true);
    await user.clear(word);
    await user.type(word, 'UNLINK');
    expect(confirmButton(dialog, 'Unlink').disabled).toBe(false);
  });

  it('sends the preview it showed as `expected`, then says what was revoked and marks the device', async () => {
    const { unlinks } = serve();
    renderTab();
    const user = userEvent.setup();
    const dialog = await openUnlink(user);
    await user.type(within(dialog).getByRole('textbox', { name: 'Type UNLINK to confirm' }), 'UNLINK');
    await user.click(confirmButton(dialog, 'Unlink'));
    const done = (await screen.findByText('Done.')).closest('[role="status"]');
    expect(done?.textContent).toContain('Revoked 3 refresh tokens on 2 devices (iPhone 15 and Pixel 8)');
    expect(done?.textContent).toContain('deleted 1 grant (Acme Mobile for Acme API)');
    expect(unlinks()).toEqual([
      {
        method: 'POST',
        path: `${USER_PATH}/devices/unlink`,
        body: {
          device_name: 'iPhone 15',
          expected: {
            token_ids: ['rt_1', 'rt_2', 'rt_3'],
            grant_ids: ['gr_1'],
            session_ids: [],
            setting_deletes_grant: true,
          },
        },
      },
    ]);
    // Still listed for a moment, the device reads "Revoked" and cannot be unlinked again.
    expect(within(tokenCountOf('iPhone 15') as HTMLElement).getByText('Revoked')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Unlink iPhone 15' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('says it is working while the BFF answers, and a second confirm sends nothing', async () => {
    let answer!: (response: Response) => void;
    const { unlinks } = serve({ unlink: () => new Promise<Response>((resolve) => (answer = resolve)) });
    renderTab();
    const user = userEvent.setup();
    const dialog = await openUnlink(user);
    const word = within(dialog).getByRole('textbox', { name: 'Type UNLINK to confirm' });
    await user.type(word, 'UNLINK');
    await user.click(confirmButton(dialog, 'Unlink'));

    const working = await within(dialog).findByRole('button', { name: 'Working…' });
    expect((working as HTMLButtonElement).disabled).toBe(true);
    expect(confirmButton(dialog, 'Cancel').disabled).toBe(true);
    await user.click(working);
    await user.type(word, '{Enter}');
    expect(unlinks()).toHaveLength(1);

    answer(Response.json(unlinked));
    expect(await screen.findByText('Done.')).toBeTruthy();
    expect(unlinks()).toHaveLength(1);
  });

  it("shows the BFF's error in words inside the dialog and reports nothing as revoked", async () => {
    const { unlinks } = serve({ unlink: () => Response.json(tenantDown, { status: 502 }) });
    renderTab();
    const user = userEvent.setup();
    const dialog = await openUnlink(user);
    await user.type(within(dialog).getByRole('textbox', { name: 'Type UNLINK to confirm' }), 'UNLINK');
    await user.click(confirmButton(dialog, 'Unlink'));

    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain(`It did not work. ${tenantDown.error.message}`);
    expect(alert.textContent).toContain('Request id: req_7f3a');
    expect(unlinks()).toHaveLength(1);
    expect(screen.queryByText('Done.')).toBeNull();
    expect(tokenCountOf('iPhone 15')?.textContent).toBe('2');
    expect(screen.queryByText('Revoked')).toBeNull();
    // The person may try again once the tenant is back.
    expect(confirmButton(dialog, 'Unlink').disabled).toBe(false);
  });
});
