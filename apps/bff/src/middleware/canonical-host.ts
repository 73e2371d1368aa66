import type { MiddlewareHandler } from 'hono';

/**
 * Sends page loads on any other host than BFF_PUBLIC_URL's (127.0.0.1 for localhost, a bare
 * IP for a name) to the public URL, path and query kept. The sign-in cookie is set on the
 * host sign-in starts on, and the tenant sends the browser back to the public URL's callback:
 * begun elsewhere, sign-in could never finish. Only GET and HEAD page loads move; the API and
 * /health answer on any host (instances behind one load balancer are called directly). Behind
 * a proxy the host is X-Forwarded-Host when given, so a proxy that rewrites Host does not loop.
 */
export function canonicalHost(options: { publicUrl: string }): MiddlewareHandler {
  const canonical = new URL(options.publicUrl);
  return async function canonicalHost(c, next) {
    const url = new URL(c.req.url);
    const host = c.req.header('x-forwarded-host')?.split(',')[0]?.trim() || c.req.header('host') || url.host;
    const page =
      (c.req.method === 'GET' || c.req.method === 'HEAD') &&
      !url.pathname.startsWith('/api/') &&
      url.pathname !== '/health';
    if (page && host.toLowerCase() !== canonical.host.toLowerCase()) {
      return c.redirect(`${canonical.origin}${url.pathname}${url.search}`, 302);
    }
    await next();
  };
}
