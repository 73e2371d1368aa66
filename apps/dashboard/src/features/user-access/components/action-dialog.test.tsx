import type { Impact } from '@rtc/contracts';
import { cleanup, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithProviders, stubBff } from '../../../testing/fake-bff';
import { useActionDialog } from './action-dialog';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const USER = 'auth0|jane';
const oneToken = (settingDeletesGrant: boolean): Impact => ({
  action: 'refresh_token.revoke',
  setting_deletes_grant: settingDeletesGrant,
  target_name: 'Acme Mobile on iPhone 15',
  tokens: [
    {
      id: 'rt_1',
      client_id: 'acme-mobile',
      client_name: 'Acme Mobile',
      device_name: 'iPhone 15',
      binding: null,
      via: 'target',
    },
  ],
  grants: [],
  sessions: [],
});

function serve(impact: Impact) {
  stubBff((_method, path) => (path.endsWith('/impact') ? Response.json(impact) : undefined));
}

function Harness() {
  const { open, dialog } = useActionDialog(USER);
  return (
    <>
      <button
        type="button"
        onClick={() =>
          open(
            { action: 'refresh_token.revoke', token_id: 'rt_1' },
            { title: 'Revoke this refresh token?', confirmLabel: 'Revoke' },
          )
        }
      >
        Revoke the token
      </button>
      {dialog}
    </>
  );
}

const renderHarness = () => renderWithProviders(<Harness />);

describe('revoking one refresh token from the console', () => {
  it.each([true, false])(
    'says the grant stays whatever Refresh Token Revocation Deletes Grant says (setting on: %s)',
    async (on) => {
      serve(oneToken(on));
      renderHarness();
      await userEvent.setup().click(screen.getByRole('button', { name: 'Revoke the token' }));
      const impact = await screen.findByTestId('impact');
      expect(impact.textContent).toContain('This revokes the refresh token of Acme Mobile on iPhone 15.');
      expect(impact.textContent).toContain(
        'It does not delete the grant, whatever Refresh Token Revocation Deletes Grant says',
      );
    },
  );
});
