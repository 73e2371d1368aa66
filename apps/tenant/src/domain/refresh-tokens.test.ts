import { describe, expect, it } from 'vitest';
import type { RefreshTokenRecord, RotationState } from './model.ts';
import { planExchange } from './refresh-tokens.ts';

const NOW = 1_800_000_000_000;

const token = (overrides: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord => ({
  id: 'rt_1',
  user_id: 'auth0|jane',
  client_id: 'app',
  grant_id: null,
  session_id: null,
  device_name: 'iPhone',
  audience: 'https://api.test/',
  scope: ['openid', 'offline_access', 'read:orders'],
  resource_servers: [],
  rotating: true,
  created_at: NOW - 60_000,
  expires_at: null,
  idle_expires_at: null,
  last_exchanged_at: null,
  device: {
    initial_ip: null,
    initial_asn: null,
    initial_user_agent: null,
    last_ip: null,
    last_asn: null,
    last_user_agent: null,
  },
  metadata: {},
  revoked_at: null,
  revoked_reason: null,
  leeway: 0,
  idle_lifetime: null,
  dpop_jkt: null,
  ...overrides,
});

const state = (overrides: Partial<RotationState> = {}): RotationState => ({
  token: token(),
  presented: 'current',
  previous_valid_until: null,
  revoked_by_job: false,
  user: 'active',
  ...overrides,
});

const plan = (requestedScope: string[] | undefined, s: RotationState = state()) =>
  planExchange({
    clientId: 'app',
    now: NOW,
    requestedScope,
    newSecretHash: Buffer.alloc(32),
    ip: null,
    asn: null,
    userAgent: null,
    dpopJkt: null,
  })(s);

describe('planExchange', () => {
  it('exchanges the current secret, narrowing the scope or keeping it', () => {
    expect(plan(undefined).kind).toBe('exchange');
    expect(plan(['openid']).kind).toBe('exchange');
    expect(plan([]).kind).toBe('exchange');
  });

  it('refuses, writing nothing, a scope the token was not granted, and names it', () => {
    expect(plan(['openid', 'write:everything', 'read:orders', 'admin'])).toEqual({
      kind: 'reject',
      notGranted: ['write:everything', 'admin'],
    });
  });

  it('refuses another client, a blocked or deleted user, and a revoked token without a scope verdict', () => {
    expect(
      planExchange({
        clientId: 'other',
        now: NOW,
        requestedScope: ['admin'],
        newSecretHash: Buffer.alloc(32),
        ip: null,
        asn: null,
        userAgent: null,
        dpopJkt: null,
      })(state()),
    ).toEqual({ kind: 'reject' });
    expect(plan(undefined, state({ user: 'blocked' }))).toEqual({ kind: 'reject' });
    expect(plan(undefined, state({ user: 'missing' }))).toEqual({ kind: 'reject' });
    expect(plan(['admin'], state({ token: token({ revoked_at: NOW - 1 }) }))).toEqual({ kind: 'reject' });
  });

  it('takes a stale secret of a rotating token for reuse whatever scope it asks for', () => {
    expect(plan(['admin'], state({ presented: 'stale' }))).toEqual({ kind: 'revoke-family', reason: 'reuse_detected' });
    expect(plan(undefined, state({ presented: 'stale', token: token({ rotating: false }) }))).toEqual({
      kind: 'reject',
    });
  });
});
