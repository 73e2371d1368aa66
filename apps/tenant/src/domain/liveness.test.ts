import { describe, expect, it } from 'vitest';
import { isExpired, isLive, LIVENESS } from './liveness.ts';

const NOW = Date.UTC(2026, 11, 7, 12);
const item = (over: Partial<Record<'revoked_at' | 'expires_at' | 'idle_expires_at', number | null>> = {}) => ({
  revoked_at: null,
  expires_at: null,
  idle_expires_at: null,
  ...over,
});

describe('isExpired', () => {
  it('never expires a token whose lifetimes are both infinite (null)', () => {
    expect(isExpired(item(), NOW)).toBe(false);
    expect(isExpired(item(), Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it.each(LIVENESS.expiries)('expires at the very millisecond of %s, not one before', (field) => {
    expect(isExpired(item({ [field]: NOW + 1 }), NOW)).toBe(false);
    expect(isExpired(item({ [field]: NOW }), NOW)).toBe(true);
    expect(isExpired(item({ [field]: NOW - 1 }), NOW)).toBe(true);
  });

  it('expires on whichever expiry comes first: an idle token still within its absolute lifetime is expired', () => {
    expect(isExpired(item({ expires_at: NOW + 1_000, idle_expires_at: NOW - 1 }), NOW)).toBe(true);
    expect(isExpired(item({ expires_at: NOW - 1, idle_expires_at: NOW + 1_000 }), NOW)).toBe(true);
    expect(isExpired(item({ expires_at: NOW + 1_000, idle_expires_at: NOW + 1 }), NOW)).toBe(false);
  });

  it('takes an expiry of 0 (the epoch) as a real one, long past, not as none', () => {
    expect(isExpired(item({ expires_at: 0 }), NOW)).toBe(true);
    expect(isExpired(item({ idle_expires_at: 0 }), NOW)).toBe(true);
  });

  it('reads nothing but the expiries: an ended token that has not expired is not expired', () => {
    expect(isExpired(item({ revoked_at: NOW - 1, expires_at: NOW + 1 }), NOW)).toBe(false);
  });
});

describe('isLive', () => {
  it('is live when neither ended nor expired, infinite lifetimes included', () => {
    expect(isLive(item(), NOW)).toBe(true);
    expect(isLive(item({ expires_at: NOW + 1, idle_expires_at: NOW + 1 }), NOW)).toBe(true);
  });

  it('is not live once ended, even with both expiries ahead', () => {
    expect(isLive(item({ revoked_at: NOW - 1, expires_at: NOW + 1_000, idle_expires_at: NOW + 1_000 }), NOW)).toBe(
      false,
    );
    // Revoked "in the future" (a clock skewed between instances) is ended all the same: any value is an end.
    expect(isLive(item({ revoked_at: NOW + 1_000 }), NOW)).toBe(false);
    expect(isLive(item({ revoked_at: 0 }), NOW)).toBe(false);
  });

  it('is not live at the millisecond either expiry is reached', () => {
    expect(isLive(item({ expires_at: NOW }), NOW)).toBe(false);
    expect(isLive(item({ idle_expires_at: NOW }), NOW)).toBe(false);
    expect(isLive(item({ idle_expires_at: NOW }), NOW - 1)).toBe(true);
  });

  it("judges a session record by the same rule as a token's", () => {
    const session = { id: 'ses_1', user_id: 'auth0|jane', ...item({ idle_expires_at: NOW }) };
    expect(isLive(session, NOW - 1)).toBe(true);
    expect(isLive(session, NOW)).toBe(false);
  });
});
