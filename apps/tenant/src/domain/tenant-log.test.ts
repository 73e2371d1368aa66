import { describe, expect, it } from 'vitest';
import { firstExchangeOfHour, LOG_TYPES, signInFailure, tenantEvent } from './tenant-log.ts';

const HOUR = 3_600_000;
/** 10:00:00.000 UTC, the start of a clock hour. */
const TEN = Date.UTC(2026, 11, 7, 10);

describe('firstExchangeOfHour', () => {
  it("logs a token's first exchange ever", () => {
    expect(firstExchangeOfHour(null, TEN)).toBe(true);
    expect(firstExchangeOfHour(null, TEN + 1_234)).toBe(true);
  });

  it('logs no second exchange in the same clock hour, however far apart within it', () => {
    expect(firstExchangeOfHour(TEN, TEN)).toBe(false);
    expect(firstExchangeOfHour(TEN, TEN + HOUR - 1)).toBe(false);
    expect(firstExchangeOfHour(TEN + 30 * 60_000, TEN + 31 * 60_000)).toBe(false);
  });

  it('logs the first exchange of the next clock hour, even a moment after the last one', () => {
    expect(firstExchangeOfHour(TEN + HOUR - 1, TEN + HOUR)).toBe(true);
    expect(firstExchangeOfHour(TEN + 59 * 60_000, TEN + 61 * 60_000)).toBe(true);
  });

  it('logs again after a gap of hours or days', () => {
    expect(firstExchangeOfHour(TEN, TEN + 3 * HOUR)).toBe(true);
    expect(firstExchangeOfHour(TEN, TEN + 24 * HOUR)).toBe(true);
  });

  it('takes an exchange at the epoch as a real one, not as never exchanged', () => {
    expect(firstExchangeOfHour(0, 1)).toBe(false);
    expect(firstExchangeOfHour(0, HOUR)).toBe(true);
  });
});

describe('tenantEvent', () => {
  it('stamps the entry now and leaves the fields not given empty', () => {
    const event = tenantEvent({ type: LOG_TYPES.logout, description: 'Signed out', user_id: 'auth0|jane' }, TEN);
    expect(event).toEqual({
      id: expect.any(String),
      type: 'slo',
      description: 'Signed out',
      user_id: 'auth0|jane',
      client_id: null,
      refresh_token_id: null,
      ip: null,
      details: {},
      created_at: TEN,
    });
  });

  it('keeps the fields given', () => {
    const event = tenantEvent(
      {
        type: LOG_TYPES.exchange,
        description: 'Exchanged',
        user_id: 'auth0|jane',
        client_id: 'app',
        refresh_token_id: 'rt_1',
        ip: '203.0.113.9',
        details: { user_agent: 'Phone/1' },
      },
      TEN,
    );
    expect(event).toMatchObject({
      type: 'sertft',
      client_id: 'app',
      refresh_token_id: 'rt_1',
      ip: '203.0.113.9',
      details: { user_agent: 'Phone/1' },
    });
  });

  it('gives each entry its own id, in the order the entries were made', () => {
    const entry = (at: number) => tenantEvent({ type: LOG_TYPES.api, description: '', user_id: null }, at);
    const [a, b, c] = [entry(TEN), entry(TEN), entry(TEN + 1)];
    expect(a.id).not.toBe(b.id);
    expect(b.id < c.id && a.id < c.id).toBe(true);
  });
});

describe('signInFailure', () => {
  const where = { client_id: 'app', ip: '203.0.113.9', details: { connection: 'Username-Password-Authentication' } };

  it("logs a wrong password as `fp`, on the user's own log", () => {
    expect(signInFailure({ user_id: 'auth0|jane' }, where, TEN)).toMatchObject({
      type: 'fp',
      user_id: 'auth0|jane',
      client_id: 'app',
      ip: '203.0.113.9',
      details: where.details,
      created_at: TEN,
    });
  });

  it('logs an unknown email as `fu`, on no user', () => {
    expect(signInFailure(undefined, where, TEN)).toMatchObject({ type: 'fu', user_id: null, client_id: 'app' });
  });

  it('says the same words either way, so the description does not tell whether the email exists', () => {
    expect(signInFailure(undefined, where, TEN).description).toBe(
      signInFailure({ user_id: 'auth0|jane' }, where, TEN).description,
    );
  });

  it('keeps a sign-in without a known address as such', () => {
    expect(signInFailure(undefined, { ...where, ip: null }, TEN).ip).toBeNull();
  });
});

describe('LOG_TYPES', () => {
  it("uses Auth0's own codes, so a console reading an Auth0 tenant's logs reads these alike", () => {
    expect(LOG_TYPES).toEqual({
      login: 's',
      wrongPassword: 'fp',
      unknownUser: 'fu',
      failedLogin: 'f',
      exchange: 'sertft',
      failedExchange: 'fertft',
      reuse: 'ferrt',
      logout: 'slo',
      revocation: 'srrt',
      api: 'sapi',
    });
  });
});
