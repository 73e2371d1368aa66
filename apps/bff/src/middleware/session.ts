import { can, type Permission } from '@rtc/contracts';
import type { MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { BffStore } from '../store/bff-store.ts';
import type { BffEnv } from '../env.ts';
import type { StaffSession } from '../session/session-cookie.ts';
import { forbidden, unauthenticated } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { RoleRecheck } from '../session/role-recheck.ts';
import type { SessionCookie } from '../session/session-cookie.ts';

export interface SessionCookieOptions {
  name: string;
  secure: boolean;
}

/** Sliding idle timeout: the cookie is re-sealed at most once a minute. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Opens the session cookie, refuses ended sessions, re-checks the role at the identity
 * provider every 15 minutes (role-recheck.ts: a removed role ends the session for every copy
 * of its cookie), and slides the idle timeout.
 */
export function loadSession(
  cookie: SessionCookie,
  store: BffStore,
  options: SessionCookieOptions,
  now: () => number,
  roles: RoleRecheck,
  logger: Logger,
): MiddlewareHandler<BffEnv> {
  const write = async (c: Parameters<MiddlewareHandler<BffEnv>>[0], session: StaffSession) =>
    setCookie(c, options.name, await cookie.seal(session), {
      httpOnly: true,
      secure: options.secure,
      sameSite: 'Lax',
      path: '/',
    });
  return async function loadSession(c, next) {
    let session = await cookie.open(getCookie(c, options.name));
    if (session && (await store.isSessionEnded(session.sid, now()))) session = undefined;
    if (session) {
      const outcome = await roles.check(session);
      if ('ended' in outcome) {
        logger.warn('staff session ended at role re-check', { sub: session.sub, reason: outcome.ended });
        await store.endSession(session.sid, cookie.absoluteExpiresAt(session));
        deleteCookie(c, options.name, { path: '/' });
        session = undefined;
      } else {
        session = outcome.session;
        if (outcome.changed || now() - session.lastSeenAt > TOUCH_EVERY_MS) {
          session.lastSeenAt = now();
          await write(c, session);
        }
      }
    }
    c.set('session', session);
    await next();
  };
}

/** 401 without a session; 403 when the role lacks `permission`. Enforced on every API route. */
export function requirePermission(permission: Permission): MiddlewareHandler<BffEnv> {
  return async function requirePermission(c, next) {
    const session = c.get('session');
    if (!session) throw unauthenticated();
    if (!can(session.role, permission)) {
      const what =
        permission === 'revoke'
          ? 'revoke or unlink'
          : permission === 'changeSettings'
            ? 'change tenant settings'
            : 'see this';
      throw forbidden(`Your role (${session.role}) may not ${what}.`);
    }
    await next();
  };
}
