import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { sha256 } from '../crypto/secrets.ts';
import { openSqliteStore, type SqliteTenantStore } from '../store/sqlite/sqlite-store.ts';
import type { UserRecord } from './model.ts';
import { idleExpiryFrom, newSession, ssoSessions, touchedSession } from './sso-session.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);
const SETTINGS = { session_lifetime: 72, idle_session_lifetime: 24 };
const PHONE = { ip: '203.0.113.9', asn: 'AS64500', userAgent: 'Phone/1' };

const jane: UserRecord = {
  user_id: 'auth0|jane',
  email: 'jane@example.com',
  email_verified: true,
  name: 'Jane',
  nickname: 'jane',
  given_name: null,
  family_name: null,
  picture: null,
  password_hash: null,
  app_metadata: {},
  user_metadata: {},
  blocked: false,
  created_at: T0,
  updated_at: T0,
  last_login: null,
  last_ip: null,
  logins_count: 0,
};

describe('a session record', () => {
  it("opens with the tenant's lifetimes, the device where it signed in, no applications yet", () => {
    const session = newSession('auth0|jane', SETTINGS, PHONE, T0);
    expect(session).toMatchObject({
      user_id: 'auth0|jane',
      created_at: T0,
      expires_at: T0 + 72 * HOUR,
      idle_expires_at: T0 + 24 * HOUR,
      device: { initial_ip: PHONE.ip, last_ip: PHONE.ip, initial_asn: 'AS64500', last_user_agent: 'Phone/1' },
      clients: [],
      authentication_methods: [{ name: 'pwd', timestamp: T0 }],
      revoked_at: null,
    });
    expect(idleExpiryFrom(SETTINGS, T0 + HOUR)).toBe(T0 + 25 * HOUR);
  });

  it('after a touch: idle expiry slides, the application joins once, the last place follows, the first stays', () => {
    const session = newSession('auth0|jane', SETTINGS, PHONE, T0);
    const later = T0 + HOUR;
    const touched = touchedSession(
      touchedSession(session, { now: later, idle_expires_at: later + 24 * HOUR, clientId: 'spa', ip: '198.51.100.7' }),
      { now: later, idle_expires_at: later + 24 * HOUR, clientId: 'spa' },
    );
    expect(touched).toMatchObject({
      updated_at: later,
      last_interacted_at: later,
      idle_expires_at: later + 24 * HOUR,
      clients: ['spa'],
    });
    expect(touched.device).toMatchObject({ initial_ip: PHONE.ip, last_ip: '198.51.100.7', last_user_agent: 'Phone/1' });
    expect(touched.expires_at).toBe(session.expires_at);
  });
});

describe('ssoSessions over a real store', () => {
  let store: SqliteTenantStore;
  let clock: ManualClock;
  let sessions: ReturnType<typeof ssoSessions>;
  beforeEach(async () => {
    store = openSqliteStore(':memory:');
    clock = new ManualClock(T0);
    sessions = ssoSessions(store, clock);
    await store.directory.putUser(jane);
    await store.settings.updateSettings((current) => ({ ...current, ...SETTINGS }));
  });
  afterEach(() => store.close());

  it('opens a session behind a fresh cookie whose hash alone is stored, and finds it by the cookie', async () => {
    const first = await sessions.open(jane, PHONE);
    const second = await sessions.open(jane, PHONE);
    expect(first.cookie).not.toBe(second.cookie);
    expect(first.maxAgeSeconds).toBe(72 * 3600);
    expect((await store.sessions.getSessionByCookie(sha256(first.cookie)))?.id).toBe(first.session.id);
    expect((await sessions.current(first.cookie))?.user.user_id).toBe('auth0|jane');
    expect(await sessions.current('not-a-cookie')).toBeUndefined();
  });

  it('ends at its idle expiry unless an authorization extends it', async () => {
    const { cookie, session } = await sessions.open(jane, PHONE);
    clock.advance(23 * HOUR);
    await sessions.touch(session, 'spa', PHONE);
    clock.advance(23 * HOUR);
    expect((await sessions.current(cookie))?.session.clients).toEqual(['spa']);
    clock.advance(2 * HOUR);
    expect(await sessions.current(cookie)).toBeUndefined();
  });

  it('ends at its absolute lifetime however active', async () => {
    const { cookie, session } = await sessions.open(jane, PHONE);
    for (let hours = 0; hours < 72; hours += 12) {
      clock.advance(12 * HOUR);
      await sessions.touch(session, 'spa', PHONE);
    }
    expect(await sessions.current(cookie)).toBeUndefined();
  });

  it('opens nothing for a blocked user, and logout ends the session', async () => {
    const { cookie } = await sessions.open(jane, PHONE);
    await store.directory.updateUser({ ...jane, blocked: true });
    expect(await sessions.current(cookie)).toBeUndefined();
    await store.directory.updateUser(jane);
    expect(await sessions.current(cookie)).toBeDefined();
    await sessions.end(cookie);
    expect(await sessions.current(cookie)).toBeUndefined();
    await sessions.end('no-such-cookie');
  });
});
