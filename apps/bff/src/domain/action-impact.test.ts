import type { ExpectedImpact, Impact } from '@rtc/contracts';
import { describe, expect, it } from 'vitest';
import { type DeviceCredential, tokenIdOfCredential } from '../management/gateway.ts';
import { computeImpact, type ImpactData, impactChanges } from './action-impact.ts';
import { deviceNamesByTokenId, groupDevices, type Names, toRefreshToken, toSession } from './user-view.ts';

const names: Names = {
  clients: new Map([
    ['mobile', 'Acme Mobile'],
    ['web', 'Acme Web'],
  ]),
  apis: new Map([
    ['https://api/', 'Acme API'],
    ['https://billing/', 'Billing API'],
  ]),
};
const JKT = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

const credential = (
  id: string,
  device_name: string,
  client_id: string,
  type: DeviceCredential['type'] = 'rotating_refresh_token',
) => ({
  id,
  device_name,
  client_id,
  type,
  user_id: 'auth0|jane',
  token_id: tokenIdOfCredential(id),
});
const credentials = [
  credential('dcr_rt_1', 'iPhone 15', 'mobile'),
  credential('dcr_rt_2', 'iPhone 15', 'web'),
  credential('dcr_rt_3', 'Pixel 8', 'mobile'),
  credential('dcr_rt_4', 'Pixel 8', 'mobile'),
  credential('dcr_rt_5', '', 'web'),
  credential('dcr_rt_6', 'iPad', 'mobile'),
];
const wire = (
  id: string,
  client_id: string,
  audience: string,
  session_id: string | null,
  dpop_jkt?: string | null,
) => ({
  id,
  client_id,
  user_id: 'auth0|jane',
  session_id: session_id ?? undefined,
  created_at: '2026-12-01T00:00:00.000Z',
  resource_servers: [{ audience, scopes: 'openid offline_access' }],
  ...(dpop_jkt === undefined ? {} : { dpop_jkt }),
});
/**
 * iPhone 15 holds rt_1 (Acme API, DPoP-bound) and rt_2 (userinfo), both issued in ses_1. The same
 * grants cover rt_3 on the Pixel and rt_5 on an unnamed device; rt_4 and rt_6 are of another API.
 */
const tokens = [
  wire('rt_1', 'mobile', 'https://api/', 'ses_1', JKT),
  wire('rt_2', 'web', 'https://t/userinfo', 'ses_1', null),
  wire('rt_3', 'mobile', 'https://api/', 'ses_2'),
  wire('rt_4', 'mobile', 'https://billing/', 'ses_2'),
  wire('rt_5', 'web', 'https://t/userinfo', 'ses_1'),
  wire('rt_6', 'mobile', 'https://billing/', 'ses_1'),
].map((t) => toRefreshToken(t, deviceNamesByTokenId(credentials), names));
const grants = [
  { id: 'g_mobile', clientID: 'mobile', user_id: 'auth0|jane', audience: 'https://api/', scope: ['openid'] },
  { id: 'g_billing', clientID: 'mobile', user_id: 'auth0|jane', audience: 'https://billing/', scope: ['openid'] },
  { id: 'g_web', clientID: 'web', user_id: 'auth0|jane', audience: 'https://t/userinfo', scope: ['openid'] },
];
const sessions = [
  toSession({ id: 'ses_1', device: { last_user_agent: CHROME, last_ip: '9.9.9.9' } }, tokens, names),
  toSession({ id: 'ses_2', device: { last_ip: '8.8.8.8' } }, tokens, names),
];
const data = (settingDeletesGrant: boolean, over: Partial<ImpactData> = {}): ImpactData => ({
  tokens,
  grants,
  credentials,
  sessions,
  settingDeletesGrant,
  names,
  ...over,
});
const via = (impact: Impact | undefined) => impact?.tokens.map((t) => `${t.id} ${t.via}`);

describe('computeImpact: unlinking a device', () => {
  const unlink = { action: 'device.unlink', device_name: 'iPhone 15' } as const;

  it("with Revocation Deletes Grant off, takes the device's tokens and nothing else", () => {
    const impact = computeImpact(unlink, data(false))!;
    expect(impact).toMatchObject({ action: 'device.unlink', setting_deletes_grant: false, target_name: 'iPhone 15' });
    expect(via(impact)).toEqual(['rt_1 target', 'rt_2 target']);
    expect(impact.grants).toEqual([]);
    expect(impact.sessions).toEqual([]);
  });

  it("with it on, also deletes each token's grant, taking that grant's tokens on other devices", () => {
    const impact = computeImpact(unlink, data(true))!;
    expect(impact.grants).toEqual([
      { grant_id: 'g_mobile', client_name: 'Acme Mobile', api_name: 'Acme API' },
      { grant_id: 'g_web', client_name: 'Acme Web', api_name: 'User profile (OpenID Connect)' },
    ]);
    expect(impact.tokens.map((t) => [t.id, t.via, t.device_name])).toEqual([
      ['rt_1', 'target', 'iPhone 15'],
      ['rt_2', 'target', 'iPhone 15'],
      ['rt_3', 'grant', 'Pixel 8'],
      ['rt_5', 'grant', 'Unnamed device'],
    ]);
  });

  it("carries each token's binding and application, for the preview and the audit log", () => {
    const [bound, bearer] = computeImpact(unlink, data(false))!.tokens;
    expect(bound).toEqual({
      id: 'rt_1',
      client_id: 'mobile',
      client_name: 'Acme Mobile',
      device_name: 'iPhone 15',
      binding: { kind: 'dpop', jkt: JKT },
      via: 'target',
    });
    expect(bearer?.binding).toEqual({ kind: 'bearer' });
  });

  it('finds a device whose credentials have no name as "Unnamed device"', () => {
    expect(via(computeImpact({ action: 'device.unlink', device_name: 'Unnamed device' }, data(false)))).toEqual([
      'rt_5 target',
    ]);
  });

  it('is undefined for a device the user does not have, or when the user has no devices', () => {
    expect(computeImpact({ action: 'device.unlink', device_name: 'Nokia' }, data(true))).toBeUndefined();
    expect(computeImpact(unlink, data(true, { credentials: [] }))).toBeUndefined();
  });

  it('lists by credential id the credentials whose token is not loaded, or not known (a real Auth0 tenant)', () => {
    const more = [credential('dcr_rt_gone', 'iPhone 15', 'mobile'), credential('cred_auth0', 'iPhone 15', 'other')];
    const impact = computeImpact(unlink, data(false, { credentials: [...credentials, ...more] }))!;
    expect(impact.tokens.slice(2)).toEqual([
      {
        id: 'dcr_rt_gone',
        client_id: 'mobile',
        client_name: 'Acme Mobile',
        device_name: 'iPhone 15',
        binding: null,
        via: 'target',
      },
      {
        id: 'cred_auth0',
        client_id: 'other',
        client_name: 'other',
        device_name: 'iPhone 15',
        binding: null,
        via: 'target',
      },
    ]);
  });

  it('lists no public key among the refresh tokens it revokes: what the Devices tab counts for the device', () => {
    // A real Auth0 tenant lists a device's public keys among its device credentials, with `dcr_` ids too.
    const withKey = [...credentials, credential('dcr_0PublicKey9', 'iPhone 15', 'mobile', 'public_key')];
    const device = groupDevices(withKey, tokens, names).find((d) => d.name === 'iPhone 15')!;
    const impact = computeImpact(unlink, data(false, { credentials: withKey }))!;
    expect(impact.tokens.map((t) => t.id)).not.toContain('dcr_0PublicKey9');
    expect(impact.tokens.filter((t) => t.via === 'target')).toHaveLength(device.token_count);
  });
});

describe('computeImpact: a lost device', () => {
  const lost = { action: 'device.lost', device_name: 'iPhone 15' } as const;

  it('also ends the sessions its tokens were issued in, with every token issued in them', () => {
    const impact = computeImpact(lost, data(false))!;
    expect(via(impact)).toEqual(['rt_1 target', 'rt_2 target', 'rt_5 session', 'rt_6 session']);
    expect(impact.sessions).toEqual([
      { session_id: 'ses_1', description: 'Chrome 126 on Windows 10 (iPad, iPhone 15, Unnamed device), 9.9.9.9' },
    ]);
  });

  it('lists a token once, by the first reason it goes: the grant before the session', () => {
    expect(via(computeImpact(lost, data(true)))).toEqual([
      'rt_1 target',
      'rt_2 target',
      'rt_3 grant',
      'rt_5 grant',
      'rt_6 session',
    ]);
  });

  it('ends no session that is no longer live, and none for tokens issued outside a session', () => {
    expect(computeImpact(lost, data(false, { sessions: [sessions[1]!] }))!.sessions).toEqual([]);
    const pixel = computeImpact({ action: 'device.lost', device_name: 'Pixel 8' }, data(false))!;
    expect(pixel.sessions.map((s) => s.session_id)).toEqual(['ses_2']);
    const sessionless = tokens.map((t) => ({ ...t, session_id: null }));
    expect(computeImpact(lost, data(false, { tokens: sessionless }))!.sessions).toEqual([]);
  });
});

describe('computeImpact: a grant, a token, the table, a session', () => {
  it('revoking a grant takes all of its tokens, whatever the setting', () => {
    for (const setting of [false, true]) {
      const impact = computeImpact({ action: 'grant.revoke', grant_id: 'g_mobile' }, data(setting))!;
      expect(via(impact)).toEqual(['rt_1 target', 'rt_3 target']);
      expect(impact.grants.map((g) => g.grant_id)).toEqual(['g_mobile']);
      expect(impact.target_name).toBe('Acme Mobile for Acme API');
    }
  });

  it('names a grant of an application and API it has no names for by their ids', () => {
    const odd = { id: 'g_odd', clientID: 'cli_x', user_id: 'auth0|jane', audience: 'https://x/', scope: [] };
    const impact = computeImpact({ action: 'grant.revoke', grant_id: 'g_odd' }, data(false, { grants: [odd] }))!;
    expect(impact).toMatchObject({ target_name: 'cli_x for https://x/', tokens: [] });
  });

  it('is undefined for a grant, token or session the user does not have', () => {
    expect(computeImpact({ action: 'grant.revoke', grant_id: 'g_gone' }, data(true))).toBeUndefined();
    expect(computeImpact({ action: 'refresh_token.revoke', token_id: 'rt_gone' }, data(true))).toBeUndefined();
    expect(computeImpact({ action: 'session.revoke', session_id: 'ses_gone' }, data(true))).toBeUndefined();
  });

  it('revoking one token takes just that token, the setting notwithstanding', () => {
    const impact = computeImpact({ action: 'refresh_token.revoke', token_id: 'rt_1' }, data(true))!;
    expect(impact).toMatchObject({ target_name: 'Acme Mobile on iPhone 15', grants: [], sessions: [] });
    expect(via(impact)).toEqual(['rt_1 target']);
  });

  it('names a token without a device name as on "Unnamed device"', () => {
    const unnamed = tokens.map((t) => ({ ...t, device_name: null }));
    expect(
      computeImpact({ action: 'refresh_token.revoke', token_id: 'rt_2' }, data(false, { tokens: unnamed }))!
        .target_name,
    ).toBe('Acme Web on Unnamed device');
  });

  it("revoking the table's rows takes exactly the rows its filters show", () => {
    const all = (filters: { client_id?: string; device_name?: string }) =>
      computeImpact({ action: 'refresh_tokens.revoke_all', ...filters }, data(true))!;
    expect(all({}).target_name).toBe('every application');
    expect(via(all({}))).toHaveLength(6);
    expect(all({ client_id: 'web' })).toMatchObject({ target_name: 'Acme Web', grants: [], sessions: [] });
    expect(via(all({ client_id: 'web' }))).toEqual(['rt_2 target', 'rt_5 target']);
    expect(via(all({ client_id: 'mobile', device_name: 'Pixel 8' }))).toEqual(['rt_3 target', 'rt_4 target']);
    expect(via(all({ device_name: 'Unnamed device' }))).toEqual(['rt_5 target']);
    expect(all({ client_id: 'cli_x' })).toMatchObject({ target_name: 'cli_x', tokens: [] });
  });

  it('revoking a session takes the tokens issued in it and ends it', () => {
    const impact = computeImpact({ action: 'session.revoke', session_id: 'ses_2' }, data(true))!;
    expect(via(impact)).toEqual(['rt_3 target', 'rt_4 target']);
    expect(impact).toMatchObject({
      target_name: 'the session from an unknown agent (Pixel 8), 8.8.8.8',
      grants: [],
      sessions: [{ session_id: 'ses_2', description: 'an unknown agent (Pixel 8), 8.8.8.8' }],
    });
  });
});

describe('impactChanges', () => {
  const unlink = computeImpact({ action: 'device.unlink', device_name: 'iPhone 15' }, data(true))!;
  const confirmed = (impact: Impact): ExpectedImpact => ({
    token_ids: impact.tokens.map((t) => t.id),
    grant_ids: impact.grants.map((g) => g.grant_id),
    session_ids: impact.sessions.map((s) => s.session_id),
    setting_deletes_grant: impact.setting_deletes_grant,
  });

  it('lets the action run when the fresh impact is what was confirmed, in any order', () => {
    expect(impactChanges(confirmed(unlink), unlink)).toEqual([]);
    const expected = confirmed(unlink);
    expect(impactChanges({ ...expected, token_ids: [...expected.token_ids].reverse() }, unlink)).toEqual([]);
  });

  it('refuses when no preview was confirmed', () => {
    expect(impactChanges(undefined, unlink)).toEqual(['no preview was confirmed']);
  });

  it('says the setting changed, where it changes what a device action does', () => {
    const off = computeImpact({ action: 'device.unlink', device_name: 'iPhone 15' }, data(false))!;
    expect(impactChanges(confirmed(off), unlink)).toEqual([
      'Refresh Token Revocation Deletes Grant is now on',
      '2 more refresh tokens would be revoked, on Pixel 8, Unnamed device',
      'the grants of Acme Mobile for Acme API, Acme Web for User profile (OpenID Connect) would be deleted too',
    ]);
    expect(impactChanges(confirmed(unlink), off)).toEqual([
      'Refresh Token Revocation Deletes Grant is now off',
      '2 previewed refresh tokens are already gone',
      '2 previewed grants would no longer be deleted',
    ]);
  });

  it('ignores the setting where it changes nothing: revoking a grant takes its tokens either way', () => {
    const grant = computeImpact({ action: 'grant.revoke', grant_id: 'g_mobile' }, data(true))!;
    expect(impactChanges({ ...confirmed(grant), setting_deletes_grant: false }, grant)).toEqual([]);
  });

  it('says one token more, or one gone, in the singular', () => {
    const expected = confirmed(unlink);
    expect(impactChanges({ ...expected, token_ids: expected.token_ids.slice(1) }, unlink)).toEqual([
      '1 more refresh token would be revoked, on iPhone 15',
    ]);
    expect(impactChanges({ ...expected, token_ids: [...expected.token_ids, 'rt_9'] }, unlink)).toEqual([
      '1 previewed refresh token is already gone',
    ]);
  });

  it('says a grant more, in the singular, or one no longer deleted', () => {
    const expected = confirmed(unlink);
    expect(impactChanges({ ...expected, grant_ids: ['g_web'] }, unlink)).toEqual([
      'the grant of Acme Mobile for Acme API would be deleted too',
    ]);
    expect(impactChanges({ ...expected, grant_ids: [...expected.grant_ids, 'g_old'] }, unlink)).toEqual([
      '1 previewed grant would no longer be deleted',
    ]);
  });

  it('says which sessions would end that were not previewed, and how many previewed have ended', () => {
    const lost = computeImpact({ action: 'device.lost', device_name: 'iPhone 15' }, data(true))!;
    const expected = confirmed(lost);
    expect(impactChanges({ ...expected, session_ids: [] }, lost)).toEqual([
      '1 more session would end: Chrome 126 on Windows 10 (iPad, iPhone 15, Unnamed device), 9.9.9.9',
    ]);
    expect(impactChanges({ ...expected, session_ids: ['ses_1', 'ses_8', 'ses_9'] }, lost)).toEqual([
      '2 previewed sessions have ended already',
    ]);
    expect(impactChanges({ ...expected, session_ids: ['ses_1', 'ses_9'] }, lost)).toEqual([
      '1 previewed session has ended already',
    ]);
  });
});
