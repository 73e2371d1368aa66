import { DPOP_BOUND_TOKEN_REFUSED } from '@rtc/contracts';
import { describe, expect, it } from 'vitest';
import { type MgmtLog, tokenIdOfCredential } from '../management/gateway.ts';
import { toSecurityEvents } from './security-events.ts';
import type { Names } from './user-view.ts';

const names: Names = { clients: new Map([['mobile', 'Acme Mobile']]), apis: new Map() };
const credentials = [
  { id: 'dcr_rt_1', device_name: 'iPhone 15', client_id: 'mobile', type: 'rotating_refresh_token' as const },
  { id: 'dcr_rt_2', device_name: '', client_id: 'mobile', type: 'rotating_refresh_token' as const },
].map((c) => ({ ...c, user_id: 'auth0|jane', token_id: tokenIdOfCredential(c.id) }));

const reuse: MgmtLog = {
  log_id: 'log_1',
  date: '2026-12-07T10:00:00.000Z',
  type: 'ferrt',
  description: 'Unsuccessful Refresh Token exchange, reused refresh token detected',
  client_id: 'mobile',
  ip: '9.9.9.9',
  details: { refresh_token_id: 'rt_1', user_agent: 'curl/8.5.0' },
};
const one = (log: MgmtLog) => toSecurityEvents([log], names, credentials)[0]!;

describe('toSecurityEvents', () => {
  it('names the application and the device, and says where and by what agent it happened', () => {
    expect(one(reuse)).toEqual({
      id: 'log_1',
      at: '2026-12-07T10:00:00.000Z',
      type: 'ferrt',
      description: 'Unsuccessful Refresh Token exchange, reused refresh token detected',
      client_id: 'mobile',
      client_name: 'Acme Mobile',
      refresh_token_id: 'rt_1',
      device_name: 'iPhone 15',
      ip: '9.9.9.9',
      agent: 'curl 8.5.0',
      user_agent: 'curl/8.5.0',
      place: { asn: 'AS19281', network: 'Quad9', country: 'US', country_name: 'United States' },
      where: '9.9.9.9 on Quad9 (AS19281) in United States',
      reason: null,
      token_live: null,
    });
  });

  it("takes the device name the entry gives over the token's credential", () => {
    expect(one({ ...reuse, details: { refresh_token_id: 'rt_1', device_name: 'Old iPhone' } }).device_name).toBe(
      'Old iPhone',
    );
  });

  it('calls a credential without a name "Unnamed device", and knows none for a token without a credential', () => {
    expect(one({ ...reuse, details: { refresh_token_id: 'rt_2' } }).device_name).toBe('Unnamed device');
    expect(one({ ...reuse, details: { refresh_token_id: 'rt_gone' } }).device_name).toBeNull();
    expect(one({ ...reuse, details: {} })).toMatchObject({ refresh_token_id: null, device_name: null });
  });

  it('ignores detail fields that are not strings', () => {
    const event = one({ ...reuse, details: { refresh_token_id: 42, user_agent: ['curl/8.5.0'], device_name: {} } });
    expect(event).toMatchObject({ refresh_token_id: null, device_name: null, agent: null, user_agent: null });
  });

  it('shows an application the console has no name for by its id, and none when the entry has none', () => {
    expect(one({ ...reuse, client_id: 'unknown-app' }).client_name).toBe('unknown-app');
    expect(one({ ...reuse, client_id: undefined })).toMatchObject({ client_id: null, client_name: null });
  });

  it('says why the data cannot place an address, and nothing when there is none', () => {
    expect(one({ ...reuse, ip: '127.0.0.1' })).toMatchObject({
      place: null,
      where: '127.0.0.1 (loopback address: no public network or country)',
    });
    expect(one({ ...reuse, ip: undefined })).toMatchObject({ ip: null, place: null, where: null });
  });

  it('gives the reason only for a refused DPoP-bound token', () => {
    const refused = { ...reuse, type: DPOP_BOUND_TOKEN_REFUSED, details: { reason: 'missing-proof' } };
    expect(one(refused).reason).toBe('missing-proof');
    expect(one({ ...refused, details: { reason: 7 } }).reason).toBeNull();
    expect(one({ ...reuse, details: { reason: 'missing-proof' } }).reason).toBeNull();
  });

  it('fills what an entry lacks, rather than failing on it', () => {
    expect(toSecurityEvents([{}], names, [])).toEqual([
      {
        id: '',
        at: null,
        type: 'unknown',
        description: '',
        client_id: null,
        client_name: null,
        refresh_token_id: null,
        device_name: null,
        ip: null,
        agent: null,
        user_agent: null,
        place: null,
        where: null,
        reason: null,
        token_live: null,
      },
    ]);
  });

  it('keeps the order of the log, and has no events for no entries', () => {
    const events = toSecurityEvents([reuse, { ...reuse, log_id: 'log_2' }], names, credentials);
    expect(events.map((e) => e.id)).toEqual(['log_1', 'log_2']);
    expect(toSecurityEvents([], names, credentials)).toEqual([]);
  });
});
