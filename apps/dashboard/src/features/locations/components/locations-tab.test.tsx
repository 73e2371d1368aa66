import type { Location } from '@rtc/contracts';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocationsTab } from './locations-tab';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const location = (over: Partial<Location>): Location => ({
  key: 'k',
  asn: null,
  network: null,
  country: null,
  country_name: null,
  ips: [],
  first_seen_at: '2026-01-01T00:00:00Z',
  last_seen_at: '2026-01-02T00:00:00Z',
  device_names: ['Laptop'],
  token_ids: ['t'],
  session_ids: [],
  range: null,
  ...over,
});

describe('Locations: addresses no IP data places', () => {
  it('read a loopback or private address as such, as the alerts do, and an unplaced public one as unknown', async () => {
    const locations = [
      location({ key: 'ip|127.0.0.1', ips: ['127.0.0.1'], range: 'loopback address' }),
      location({ key: 'ip|10.1.2.3', ips: ['10.1.2.3'], range: 'private network' }),
      location({ key: 'ip|5.182.0.1', ips: ['5.182.0.1'], range: null }),
    ];
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Response.json({ locations })),
    );
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <LocationsTab userId="auth0|u" />
      </QueryClientProvider>,
    );
    const row = async (ip: string) => (await screen.findByText(ip)).closest('tr')!;
    expect(within(await row('127.0.0.1')).getByRole('rowheader').textContent).toBe('Loopback address');
    expect((await row('127.0.0.1')).textContent).toContain('None: not on the public internet');
    expect(within(await row('10.1.2.3')).getByRole('rowheader').textContent).toBe('Private network');
    expect(within(await row('5.182.0.1')).getByRole('rowheader').textContent).toBe('Unknown network');
  });
});
