import { can, type Permission } from '@rtc/contracts';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { BffStore } from '../audit/bff-store.ts';
import type { BffEnv } from '../env.ts';
import { forbidden, unauthenticated } from '../errors.ts';
import type { SessionCookie } from '../session/session-cookie.ts';

export interface SessionCookieOptions {
  name: string;
  secure: boolean;
}

/** Sliding idle timeout: the cookie is re-sealed at most once a minute. */
const TOUCH_EVERY_MS = 60_000;

/** Opens the session cookie, refuses ended sessions, and slides the idle timeout. */
export function loadSession(cookie: SessionCookie, store: BffStore, options: SessionCookieOptions, now: () => number): MiddlewareHandler<BffEnv> {
  return async function loadSession(c, next) {
    const session = await cookie.open(getCookie(c, options.name));
    if (session && !(await store.isSessionEnded(session.sid, now()))) {
      if (now() - session.lastSeenAt > TOUCH_EVERY_MS) {
        session.lastSeenAt = now();
        setCookie(c, options.name, await cookie.seal(session), { httpOnly: true, secure: options.secure, sameSite: 'Lax', path: '/' });
      }
      c.set('session', session);
    } else {
      c.set('session', undefined);
    }
    await next();
  };
}

/** 401 without a session; 403 when the role lacks `permission`. Enforced on every API route. */
export function requirePermission(permission: Permission): MiddlewareHandler<BffEnv> {
  return async function requirePermission(c, next) {
    const session = c.get('session');
    if (!session) throw unauthenticated();
    if (!can(session.role, permission)) {
      throw forbidden(`Your role (${session.role}) may not ${permission === 'revoke' ? 'revoke or unlink' : permission === 'changeSettings' ? 'change tenant settings' : 'see this'}.`);
    }
    await next();
  };
}
