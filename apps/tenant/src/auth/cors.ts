import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { RegisteredOrigins } from '../domain/origins.ts';

/** The Authentication API's paths a browser app calls across origins, as Auth0 serves them CORS. */
export const CORS_PATHS = ['/oauth/token', '/oauth/revoke', '/userinfo', '/.well-known/*', '/v2/logout'] as const;

/**
 * CORS for the Authentication API, answered only to the origins clients registered
 * (domain/origins.ts). Hono's `cors` writes the headers; its origin function asks the
 * registrations. Hono's middleware still answers a preflight (204 with methods, credentials
 * and exposed headers) when its origin function refuses, so an origin no client registered
 * is passed on with no Access-Control-* header at all, and a preflight from it meets the 404
 * of a path without an OPTIONS route. Every answer on these paths, to any origin or none,
 * carries `Vary: Origin`.
 */
export function registeredOriginsCors(origins: RegisteredOrigins): MiddlewareHandler {
  const answer = cors({
    origin: async (origin) => ((await origins.allows(origin)) ? origin : null),
    allowMethods: ['GET', 'POST'],
    // Auth0 answers with Access-Control-Allow-Credentials: true. auth0-spa-js's fetch to
    // /oauth/token sends no credentials and needs none; a caller that sends its cookies
    // (auth0.js's cross-origin calls) gets the same answer as from Auth0.
    credentials: true,
    // What Auth0 exposes to scripts: the rate-limit headers (and its request id; ours is x-request-id).
    // And DPoP-Nonce (RFC 9449 section 8), which a browser client must read to retry.
    exposeHeaders: [
      'x-request-id',
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
      'retry-after',
      'dpop-nonce',
    ],
  });
  return async function registeredOriginsCors(c, next) {
    const origin = c.req.header('origin');
    if (origin !== undefined && (await origins.allows(origin))) {
      const preflight = await answer(c, next);
      if (preflight) varyOnOrigin(preflight.headers);
      return preflight;
    }
    await next();
    // The answer depends on Origin even when it carries no CORS header: without Vary, a shared
    // cache could give this copy (of /.well-known/jwks.json, say) to a registered app's browser.
    varyOnOrigin(c.res.headers);
  };
}

/** Adds `Origin` to Vary unless it is listed already (Hono's cors lists it on the answers it makes). */
function varyOnOrigin(headers: Headers): void {
  const listed = (headers.get('vary') ?? '').split(',').map((name) => name.trim().toLowerCase());
  if (!listed.includes('origin') && !listed.includes('*')) headers.append('vary', 'Origin');
}
