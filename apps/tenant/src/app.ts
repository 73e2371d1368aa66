import { requestLog } from '@rtc/http-edge';
import { bodyLimit } from '@rtc/request-body';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { authorizeRoutes } from './auth/authorize.ts';
import { CORS_PATHS, registeredOriginsCors } from './auth/cors.ts';
import { delegationRoutes } from './auth/delegation.ts';
import { discoveryRoutes } from './auth/discovery.ts';
import { loginRoutes } from './auth/login.ts';
import { logoutRoutes } from './auth/logout.ts';
import { revokeRoutes } from './auth/revoke.ts';
import { tokenRoutes } from './auth/token.ts';
import { userinfoRoutes } from './auth/userinfo.ts';
import type { TenantDeps, TenantEnv } from './deps.ts';
import { ManagementError } from './errors/management-error.ts';
import { OAuthError } from './errors/oauth-error.ts';
import { errorHandler } from './errors/on-error.ts';
import { MAX_BODY_BYTES } from './http/params.ts';
import { managementApi } from './management/index.ts';

/** The tenant's HTTP surface: Authentication API at the root, Management API v2 under /api/v2. */
export function createApp(deps: TenantDeps) {
  const app = new Hono<TenantEnv>();
  app.use(requestId({ headerName: 'x-request-id' }));
  app.use(requestLog(deps.logger));
  // Not Hono's secureHeaders: each page here sets its own CSP with a nonce, and the
  // web_message answer is framed by the client's own origin, which an app-wide
  // X-Frame-Options or CSP would forbid; the JSON answers need none.
  app.use(
    bodyLimit({
      maxBytes: MAX_BODY_BYTES,
      onTooLarge: (c) =>
        c.req.path.startsWith('/api/v2')
          ? new ManagementError(413, 'Payload too large', 'payload_too_large')
          : new OAuthError(413, 'invalid_request', 'Request body is too large.'),
    }),
  );
  app.onError(errorHandler(deps.logger));
  app.notFound((c) =>
    c.req.path.startsWith('/api/v2')
      ? c.json(new ManagementError(404, 'Not Found').toJSON(), 404)
      : c.json(
          { error: 'not_found', error_description: `No endpoint ${c.req.method} ${c.req.path.slice(0, 100)}` },
          404,
        ),
  );

  const browserCors = registeredOriginsCors(deps.origins);
  for (const path of CORS_PATHS) app.use(path, browserCors);

  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.route('/', discoveryRoutes(deps));
  app.route('/', authorizeRoutes(deps));
  app.route('/', loginRoutes(deps));
  app.route('/', logoutRoutes(deps));
  app.route('/', tokenRoutes(deps));
  app.route('/', revokeRoutes(deps));
  app.route('/', delegationRoutes(deps));
  app.route('/', userinfoRoutes(deps));
  app.route('/api/v2', managementApi(deps));
  return app;
}
