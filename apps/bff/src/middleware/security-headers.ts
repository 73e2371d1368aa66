import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * Security headers on every response, from Hono's secureHeaders: a CSP with no inline script,
 * no framing, no sniffing, no referrer, HSTS only when served over HTTPS. `form-action` names
 * the tenant because sign-out navigates there. API and sign-in answers are never cached.
 */
export function securityHeaders(options: { tenantOrigin: string; https: boolean }): MiddlewareHandler {
  const headers = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'", options.tenantOrigin],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: 'DENY',
    crossOriginOpenerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-origin',
    permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [] },
    strictTransportSecurity: options.https ? 'max-age=31536000; includeSubDomains' : false,
  });
  return async function securityHeaders(c, next) {
    await headers(c, async () => {
      await next();
      if (c.req.path.startsWith('/api/') || c.req.path.startsWith('/auth/'))
        c.res.headers.set('Cache-Control', 'no-store');
    });
  };
}
