import type { RefreshToken } from '@rtc/contracts';
import { describe, expect, it } from 'vitest';
import { tokenIdOfCredential } from '../management/gateway.ts';
import { computeImpact } from './action-impact.ts';
import { authorizedApps, deviceNamesByTokenId, groupDevices, toRefreshToken, type Names } from './user-view.ts';

const names: Names = {
  clients: new Map([
    ['mobile', 'Acme Mobile'],
    ['web', 'Acme Web'],
  ]),
  apis: new Map([['https://api/', 'Acme API']]),
};
const wire = (id: string, client_id: string, audience: string, extra: Record<string, unknown> = {}) => ({
  id,
  client_id,
  user_id: 'u',
  rotating: true,
  created_at: `2026-01-0${id}T00:00:00.000Z`,
  resource_servers: [{ audience, scopes: 'openid offline_access' }],
  device: { last_ip: `10.0.0.${id}`, last_user_agent: `agent ${id}` },
  ...extra,
});
const credentials = [
  { id: 'dcr_1', device_name: 'iPhone 15', client_id: 'mobile', type: 'rotating_refresh_token' as const, user_id: 'u' },
  { id: 'dcr_2', device_name: 'iPhone 15', client_id: 'web', type: 'refresh_token' as const, user_id: 'u' },
  { id: 'dcr_3', device_name: 'Pixel 8', client_id: 'mobile', type: 'rotating_refresh_token' as const, user_id: 'u' },
  { id: 'dcr_4', device_name: '', client_id: 'mobile', type: 'rotating_refresh_token' as const, user_id: 'u' },
].map((c) => ({ ...c, token_id: tokenIdOfCredential(c.id) }));
const deviceNames = deviceNamesByTokenId(credentials);
const tokens: RefreshToken[] = [
  wire('1', 'mobile', 'https://api/', { last_exchanged_at: '2026-01-09T00:00:00.000Z' }),
  wire('2', 'web', 'https://t/userinfo'),
  wire('3', 'mobile', 'https://api/'),
  wire('4', 'mobile', 'https://api/'),
].map((t) => toRefreshToken(t, deviceNames, names));
const grants = [
  { id: 'g-mobile', clientID: 'mobile', user_id: 'u', audience: 'https://api/', scope: ['openid'] },
  { id: 'g-web', clientID: 'web', user_id: 'u', audience: 'https://t/userinfo', scope: ['openid'] },
];

describe('grouping by device', () => {
  it('counts tokens per device name, names its applications, and keeps the last use', () => {
    const devices = groupDevices(credentials, tokens, names);
    expect(devices.map((d) => [d.name, d.token_count, d.applications.map((a) => a.name)])).toEqual([
      ['iPhone 15', 2, ['Acme Mobile', 'Acme Web']],
      ['Unnamed device', 1, ['Acme Mobile']], // most recently used first
      ['Pixel 8', 1, ['Acme Mobile']],
    ]);
    expect(devices[0]).toMatchObject({ last_used_at: '2026-01-09T00:00:00.000Z', last_ip: '10.0.0.1' });
  });

  it('a device\'s "Last used" is its tokens\' "Last exchanged", the same value: never exchanged is null, not the issue time', () => {
    const devices = groupDevices(credentials, tokens, names);
    const exchangedOf = (name: string) =>
      tokens
        .filter((t) => t.device_name === name)
        .map((t) => t.last_exchanged_at)
        .filter(Boolean)
        .sort()
        .pop() ?? null;
    for (const name of ['iPhone 15', 'Pixel 8'])
      expect(devices.find((d) => d.name === name)?.last_used_at).toBe(exchangedOf(name));
    expect(devices.find((d) => d.name === 'Pixel 8')?.last_used_at).toBeNull();
    // Its address is still that of its latest activity, the token issued there.
    expect(devices.find((d) => d.name === 'Pixel 8')?.last_ip).toBe('10.0.0.3');
  });

  it('names tokens by their device credential, and APIs by name', () => {
    expect(tokens.map((t) => t.device_name)).toEqual(['iPhone 15', 'iPhone 15', 'Pixel 8', 'Unnamed device']);
    expect(tokens[1]!.resource_servers[0]!.api_name).toBe('User profile (OpenID Connect)');
  });

  it('joins grants with the tokens they cover', () => {
    const apps = authorizedApps(grants, tokens, names);
    expect(apps.map((a) => [a.client_name, a.api_name, a.token_count, a.device_names])).toEqual([
      ['Acme Mobile', 'Acme API', 3, ['iPhone 15', 'Pixel 8', 'Unnamed device']],
      ['Acme Web', 'User profile (OpenID Connect)', 1, ['iPhone 15']],
    ]);
  });
});

describe('impact of unlinking a device', () => {
  const data = (settingDeletesGrant: boolean) => ({
    tokens,
    grants,
    credentials,
    sessions: [],
    settingDeletesGrant,
    names,
  });

  it("with the setting off: the device's tokens only", () => {
    const impact = computeImpact({ action: 'device.unlink', device_name: 'iPhone 15' }, data(false))!;
    expect(impact.tokens.map((t) => [t.id, t.via])).toEqual([
      ['1', 'target'],
      ['2', 'target'],
    ]);
    expect(impact.grants).toEqual([]);
  });

  it("with the setting on: each token's grant, and that grant's tokens on other devices", () => {
    const impact = computeImpact({ action: 'device.unlink', device_name: 'iPhone 15' }, data(true))!;
    expect(impact.grants.map((g) => g.grant_id)).toEqual(['g-mobile', 'g-web']);
    expect(impact.tokens.filter((t) => t.via === 'grant').map((t) => [t.id, t.device_name])).toEqual([
      ['3', 'Pixel 8'],
      ['4', 'Unnamed device'],
    ]);
  });

  it('is undefined for a device the user does not have', () => {
    expect(computeImpact({ action: 'device.unlink', device_name: 'Nokia' }, data(true))).toBeUndefined();
  });

  it('of revoking a grant: all its tokens, whatever the setting', () => {
    const impact = computeImpact({ action: 'grant.revoke', grant_id: 'g-mobile' }, data(false))!;
    expect(impact.tokens.map((t) => t.id)).toEqual(['1', '3', '4']);
    expect(impact.target_name).toBe('Acme Mobile for Acme API');
  });

  it('of revoking all of one application', () => {
    expect(
      computeImpact({ action: 'refresh_tokens.revoke_all', client_id: 'web' }, data(true))!.tokens.map((t) => t.id),
    ).toEqual(['2']);
  });
});
