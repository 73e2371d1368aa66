import { describe, expect, it } from 'vitest';
import { deviceCredentialId, ids, refreshTokenIdOfDeviceCredential } from './ids.ts';

describe('ids', () => {
  it('sort by creation time for the kinds checkpoint paging walks', () => {
    const times = [0, 1, 61, 62, 3_844, Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1) + 1, Date.UTC(2099, 11, 31)];
    for (const make of [ids.refreshToken, ids.session, ids.event, ids.revocationJob]) {
      const made = times.map((t) => make(t));
      expect([...made].sort()).toEqual(made);
    }
  });

  it('differ for two made in the same millisecond', () => {
    const now = Date.UTC(2026, 0, 1);
    const made = new Set(Array.from({ length: 1000 }, () => ids.refreshToken(now)));
    expect(made.size).toBe(1000);
  });

  it('have the shapes the Management API shows', () => {
    expect(ids.user()).toMatch(/^auth0\|[0-9a-z]{24}$/);
    expect(ids.clientGrant()).toMatch(/^cgr_/);
    expect(ids.revocationJob(0)).toMatch(/^rvk_0{8}/);
    expect(ids.accessToken()).toHaveLength(24);
  });

  it('write a negative or fractional time as the start of the clock', () => {
    expect(ids.session(-5).slice(0, 8)).toBe('00000000');
    expect(ids.session(61.9).slice(0, 8)).toBe(ids.session(61).slice(0, 8));
  });
});

describe('device credential ids', () => {
  it('are a refresh token id behind dcr_, and read back', () => {
    expect(deviceCredentialId('abc')).toBe('dcr_abc');
    expect(refreshTokenIdOfDeviceCredential(deviceCredentialId('abc'))).toBe('abc');
  });

  it('name no refresh token without the prefix', () => {
    expect(refreshTokenIdOfDeviceCredential('abc')).toBeUndefined();
    expect(refreshTokenIdOfDeviceCredential('DCR_abc')).toBeUndefined();
  });
});
