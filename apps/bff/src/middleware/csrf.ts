import type { MiddlewareHandler } from 'hono';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { BffEnv } from '../env.ts';
import { BffError } from '../errors.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Every state-changing request needs a same-origin `Origin` and the session's CSRF token in
 * `x-csrf-token` (compared in constant time). SameSite=Lax cookies alone would still let a
 * sibling subdomain post; the token closes that.
 */
export function csrfProtection(publicOrigin: string): MiddlewareHandler<BffEnv> {
  return async function csrfProtection(c, next) {
    if (SAFE.has(c.req.method)) return next();
    const origin = c.req.header('origin');
    if (origin !== publicOrigin) {
      throw new BffError(
        403,
        'csrf_origin',
        'This request did not come from the console itself (Origin mismatch), so it was refused.',
      );
    }
    const session = c.get('session');
    const token = c.req.header('x-csrf-token');
    if (session && (!token || !timingSafeEqual(digest(token), digest(session.csrf)))) {
      throw new BffError(
        403,
        'csrf_token',
        "The request is missing the console's CSRF token. Reload the page and try again.",
      );
    }
    await next();
  };
}
