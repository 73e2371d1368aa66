import type { Impact, ImpactToken } from '@rtc/contracts';
import { describe, expect, it } from 'vitest';
import { describeImpact, describeResult } from './describe-impact';

const token = (id: string, device: string | null, via: ImpactToken['via'] = 'target'): ImpactToken => ({
  id,
  client_id: 'acme-mobile',
  client_name: 'Acme Mobile',
  device_name: device,
  binding: null,
  via,
});

const unlink = (overrides: Partial<Impact>): Impact => ({
  action: 'device.unlink',
  setting_deletes_grant: false,
  target_name: 'iPhone 15',
  tokens: [],
  grants: [],
  sessions: [],
  ...overrides,
});

describe('describeImpact', () => {
  it('words an unlink with the setting on as the issue describes', () => {
    const impact = unlink({
      setting_deletes_grant: true,
      tokens: [
        token('1', 'iPhone 15'),
        token('2', 'iPhone 15'),
        token('3', 'iPhone 15'),
        token('4', 'Pixel 8', 'grant'),
        token('5', 'Pixel 8', 'grant'),
      ],
      grants: [{ grant_id: 'g', client_name: 'Acme Mobile', api_name: 'Acme API' }],
    });
    expect(describeImpact(impact)).toEqual([
      'This revokes 3 refresh tokens on iPhone 15.',
      'Because Refresh Token Revocation Deletes Grant is on, it also deletes the grant of Acme Mobile for Acme API and revokes 2 more tokens on Pixel 8.',
    ]);
  });

  it('says the grants stay when the setting is off', () => {
    expect(describeImpact(unlink({ tokens: [token('1', 'iPhone 15')] }))).toEqual([
      'This revokes 1 refresh token on iPhone 15.',
      "Refresh Token Revocation Deletes Grant is off, so the user's grants stay and their other devices keep working.",
    ]);
  });

  it('says when a deleted grant takes nothing else with it', () => {
    const impact = unlink({
      setting_deletes_grant: true,
      tokens: [token('1', 'iPhone 15')],
      grants: [{ grant_id: 'g', client_name: 'Acme Mobile', api_name: 'Acme API' }],
    });
    expect(describeImpact(impact)[1]).toBe(
      'Because Refresh Token Revocation Deletes Grant is on, it also deletes the grant of Acme Mobile for Acme API; no other device uses it.',
    );
  });

  it('lists several devices and unnamed ones', () => {
    const impact: Impact = {
      action: 'grant.revoke',
      setting_deletes_grant: false,
      target_name: 'Acme Mobile for Acme API',
      tokens: [token('1', 'iPad'), token('2', null), token('3', 'iPad')],
      grants: [],
      sessions: [],
    };
    expect(describeImpact(impact)[0]).toBe(
      'This deletes the grant of Acme Mobile for Acme API and revokes its 3 refresh tokens on iPad and an unnamed device.',
    );
  });

  it('words revoke-all, one token and a session', () => {
    expect(
      describeImpact({
        action: 'refresh_tokens.revoke_all',
        setting_deletes_grant: true,
        target_name: 'every application',
        tokens: [token('1', 'A'), token('2', 'B')],
        grants: [],
        sessions: [],
      })[0],
    ).toBe(
      'This revokes all 2 refresh tokens on A and B of every application. The user stays signed in nowhere that depends on them.',
    );
    expect(
      describeImpact({
        action: 'refresh_tokens.revoke_all',
        setting_deletes_grant: false,
        target_name: 'Acme Web',
        tokens: [],
        grants: [],
        sessions: [],
      }),
    ).toEqual(['There is no live refresh token of Acme Web to revoke.']);
    expect(
      describeImpact({
        action: 'refresh_token.revoke',
        setting_deletes_grant: false,
        target_name: 'Acme Mobile on iPhone 15',
        tokens: [token('1', 'iPhone 15')],
        grants: [],
        sessions: [],
      })[0],
    ).toMatch(/^This revokes the refresh token of Acme Mobile on iPhone 15\./);
    expect(
      describeImpact({
        action: 'session.revoke',
        setting_deletes_grant: false,
        target_name: 'the session from Safari',
        tokens: [token('1', 'Mac')],
        grants: [],
        sessions: [],
      }),
    ).toEqual(['This ends the session from Safari and revokes the 1 refresh token on Mac issued in it.']);
  });
});

describe('long lists in the dialog and the banner', () => {
  const devices = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      token(String(i), i === 0 ? 'iPhone 15' : i === 1 ? 'Pixel 8' : `Phone ${i + 1}`),
    );

  it('name the first devices and how many more: "120 refresh tokens on iPhone 15, Pixel 8 and 118 more"', () => {
    const impact: Impact = {
      action: 'refresh_tokens.revoke_all',
      setting_deletes_grant: false,
      target_name: 'every application',
      tokens: devices(120),
      grants: [],
      sessions: [],
    };
    expect(describeImpact(impact)[0]).toBe(
      'This revokes all 120 refresh tokens on iPhone 15, Pixel 8 and 118 more of every application. The user stays signed in nowhere that depends on them.',
    );
    expect(describeResult(impact)).toBe(
      'Revoked 120 refresh tokens on 120 devices (iPhone 15, Pixel 8 and 118 more) of 1 application (Acme Mobile).',
    );
  });
});
