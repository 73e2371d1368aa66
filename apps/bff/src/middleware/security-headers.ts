import type { MiddlewareHandler } from 'hono';

/**
 * Security headers on every response: a CSP with no inline script, no framing, no sniffing,
 * no referrer. `form-action` names the tenant because sign-out navigates there.
 */
export function securityHeaders(options: { tenantOrigin: string; https: boolean }): MiddlewareHandler {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    `form-action 'self' ${options.tenantOrigin}`,
    "frame-ancestors 'none'",
  ].join('; ');
  return async function securityHeaders(c, next) {
    await next();
    const h = c.res.headers;
    h.set('Content-Security-Policy', csp);
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('X-Frame-Options', 'DENY');
    h.set('Referrer-Policy', 'no-referrer');
    h.set('Cross-Origin-Opener-Policy', 'same-origin');
    h.set('Cross-Origin-Resource-Policy', 'same-origin');
    h.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    if (options.https) h.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    if (c.req.path.startsWith('/api/') || c.req.path.startsWith('/auth/')) h.set('Cache-Control', 'no-store');
  };
}
