import type { RefreshToken } from '@rtc/contracts';
import { describe, expect, it } from 'vitest';
import { filterTokens, sortTokens } from './token-table';

const token = (id: string, overrides: Partial<RefreshToken>): RefreshToken => ({
  id,
  client_id: 'a',
  client_name: 'A',
  device_name: null,
  session_id: null,
  rotating: false,
  created_at: null,
  last_exchanged_at: null,
  expires_at: null,
  idle_expires_at: null,
  device: {
    initial_ip: null,
    initial_asn: null,
    initial_user_agent: null,
    last_ip: null,
    last_asn: null,
    last_user_agent: null,
    initial_agent: null,
    last_agent: null,
  },
  resource_servers: [],
  metadata: {},
  binding: null,
  signals: [],
  ...overrides,
});

describe('the refresh token table', () => {
  const tokens = [
    token('1', {
      client_id: 'mobile',
      device_name: 'iPhone',
      created_at: '2026-01-02T00:00:00Z',
      last_exchanged_at: '2026-01-05T00:00:00Z',
    }),
    token('2', { client_id: 'web', device_name: 'Laptop', created_at: '2026-01-03T00:00:00Z' }),
    token('3', {
      client_id: 'mobile',
      device_name: null,
      created_at: '2026-01-01T00:00:00Z',
      last_exchanged_at: '2026-01-04T00:00:00Z',
    }),
  ];

  it('filters by application and by device, unnamed devices included', () => {
    expect(filterTokens(tokens, { clientId: 'mobile' }).map((t) => t.id)).toEqual(['1', '3']);
    expect(filterTokens(tokens, { device: 'Unnamed device' }).map((t) => t.id)).toEqual(['3']);
    expect(filterTokens(tokens, { clientId: 'mobile', device: 'iPhone' }).map((t) => t.id)).toEqual(['1']);
  });

  it('sorts both ways, with missing values last either way', () => {
    expect(sortTokens(tokens, 'created_at', 'desc').map((t) => t.id)).toEqual(['2', '1', '3']);
    expect(sortTokens(tokens, 'created_at', 'asc').map((t) => t.id)).toEqual(['3', '1', '2']);
    expect(sortTokens(tokens, 'last_exchanged_at', 'asc').map((t) => t.id)).toEqual(['3', '1', '2']);
    expect(sortTokens(tokens, 'last_exchanged_at', 'desc').map((t) => t.id)).toEqual(['1', '3', '2']);
  });
});
