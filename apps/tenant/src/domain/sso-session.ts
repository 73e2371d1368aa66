import type { Clock } from '../clock.ts';
import { randomSecret, sha256 } from '../crypto/secrets.ts';
import { ids } from './ids.ts';
import { isLive } from './liveness.ts';
import type { SessionRecord, TenantSettings, UserRecord } from './model.ts';

/**
 * The tenant's SSO session (Auth0's "session" of a browser): opened at sign-in, extended by
 * every authorization it completes, ended by logout. Lifetimes come from the tenant settings
 * (hours). The browser holds a random cookie; only its hash is stored.
 */

/** Where the browser is, at sign-in or at a later authorization. */
export interface SessionActivity {
  ip: string | null;
  asn: string | null;
  userAgent: string | null;
}

/** The parts of the store a session needs, by aggregate (the TenantStore has them). */
export interface SsoSessionStore {
  settings: { getSettings(): Promise<Pick<TenantSettings, 'session_lifetime' | 'idle_session_lifetime'>> };
  directory: { getUser(userId: string): Promise<UserRecord | undefined> };
  sessions: {
    getSessionByCookie(cookieHash: Buffer): Promise<SessionRecord | undefined>;
    createSession(session: SessionRecord, cookieHash: Buffer): Promise<void>;
    touchSession(
      id: string,
      update: {
        now: number;
        idle_expires_at: number | null;
        clientId: string;
        ip: string | null;
        asn: string | null;
        userAgent: string | null;
      },
    ): Promise<void>;
    revokeSession(id: string, now: number, reason: null): Promise<unknown>;
  };
}

const HOUR_MS = 3_600_000;

/** What an authorization in the session changes (the store's touchSession applies it under its lock). */
export interface SessionTouch {
  now: number;
  idle_expires_at: number | null;
  clientId?: string;
  ip?: string | null;
  asn?: string | null;
  userAgent?: string | null;
}

/** The session after `touch`: idle expiry slides, the application joins its list, the device's last place follows. */
export function touchedSession(session: SessionRecord, touch: SessionTouch): SessionRecord {
  const clients =
    touch.clientId && !session.clients.includes(touch.clientId)
      ? [...session.clients, touch.clientId]
      : session.clients;
  const device = { ...session.device };
  if (touch.ip !== undefined) device.last_ip = touch.ip;
  if (touch.asn !== undefined) device.last_asn = touch.asn;
  if (touch.userAgent !== undefined) device.last_user_agent = touch.userAgent;
  return {
    ...session,
    updated_at: touch.now,
    last_interacted_at: touch.now,
    idle_expires_at: touch.idle_expires_at,
    clients,
    device,
  };
}

/** The idle expiry a session gets from activity at `now`. */
export function idleExpiryFrom(settings: Pick<TenantSettings, 'idle_session_lifetime'>, now: number): number {
  return now + settings.idle_session_lifetime * HOUR_MS;
}

/** The record of a session opened by a password sign-in at `now`. */
export function newSession(
  user_id: string,
  settings: Pick<TenantSettings, 'session_lifetime' | 'idle_session_lifetime'>,
  activity: SessionActivity,
  now: number,
): SessionRecord {
  const { ip, asn, userAgent } = activity;
  return {
    id: ids.session(now),
    user_id,
    created_at: now,
    updated_at: now,
    authenticated_at: now,
    last_interacted_at: now,
    idle_expires_at: idleExpiryFrom(settings, now),
    expires_at: now + settings.session_lifetime * HOUR_MS,
    device: {
      initial_ip: ip,
      initial_asn: asn,
      initial_user_agent: userAgent,
      last_ip: ip,
      last_asn: asn,
      last_user_agent: userAgent,
    },
    clients: [],
    authentication_methods: [{ name: 'pwd', timestamp: now }],
    revoked_at: null,
  };
}

/** The session lifecycle over a store: what the browser's cookie opens, extends and ends. */
export function ssoSessions(store: SsoSessionStore, clock: Clock) {
  return {
    /** The live session of this cookie, with its user, unless the user is gone or blocked. */
    async current(cookie: string): Promise<{ session: SessionRecord; user: UserRecord } | undefined> {
      const session = await store.sessions.getSessionByCookie(sha256(cookie));
      if (!session || !isLive(session, clock.now())) return undefined;
      const user = await store.directory.getUser(session.user_id);
      return user && !user.blocked ? { session, user } : undefined;
    },

    /**
     * Opens a session for a user who just signed in. A fresh cookie value at every sign-in
     * (no session fixation); `maxAgeSeconds` is the cookie's lifetime.
     */
    async open(
      user: UserRecord,
      activity: SessionActivity,
    ): Promise<{ session: SessionRecord; cookie: string; maxAgeSeconds: number }> {
      const now = clock.now();
      const settings = await store.settings.getSettings();
      const session = newSession(user.user_id, settings, activity, now);
      const cookie = randomSecret(32);
      await store.sessions.createSession(session, sha256(cookie));
      return { session, cookie, maxAgeSeconds: settings.session_lifetime * 3600 };
    },

    /** An authorization completed in this session: extends its idle expiry and records the application. */
    async touch(session: SessionRecord, clientId: string, activity: SessionActivity): Promise<void> {
      const now = clock.now();
      const settings = await store.settings.getSettings();
      await store.sessions.touchSession(session.id, {
        now,
        idle_expires_at: idleExpiryFrom(settings, now),
        clientId,
        ...activity,
      });
    },

    /** Logout: ends the session of this cookie, if any (refresh tokens outlive it, as in Auth0). */
    /** Ends the session the cookie names; answers it, or null when there was none. */
    async end(cookie: string): Promise<SessionRecord | null> {
      const session = await store.sessions.getSessionByCookie(sha256(cookie));
      if (session) await store.sessions.revokeSession(session.id, clock.now(), null);
      return session ?? null;
    },
  };
}

export type SsoSessions = ReturnType<typeof ssoSessions>;
