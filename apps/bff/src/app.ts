import { serveStatic } from '@hono/node-server/serve-static';
import { clientIp, requestLog } from '@rtc/http-edge';
import { bodyLimit } from '@rtc/request-body';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { BffDeps } from './deps.ts';
import type { BffEnv } from './env.ts';
import { BffError, onError } from './errors.ts';
import { canonicalHost } from './middleware/canonical-host.ts';
import { csrfProtection } from './middleware/csrf.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { loadSession } from './middleware/session.ts';
import { applicationRoutes } from './routes/applications.ts';
import { auditRoutes } from './routes/audit.ts';
import { recordRefusal } from './routes/audited.ts';
import { authRoutes } from './routes/auth.ts';
import { searchRoutes } from './routes/search.ts';
import { settingsRoutes } from './routes/settings.ts';
import { userRoutes } from './routes/users.ts';
import { userHistoryRoutes } from './routes/user-history.ts';

/** The BFF: the dashboard's files, staff sign-in under /auth, and the JSON API under /api. */
export function createApp(deps: BffDeps) {
  const publicOrigin = new URL(deps.config.publicUrl).origin;
  const app = new Hono<BffEnv>();
  app.use(requestId({ headerName: 'x-request-id' }));
  app.use(
    securityHeaders({
      tenantOrigin: new URL(deps.config.oidc.issuer).origin,
      https: publicOrigin.startsWith('https:'),
    }),
  );
  app.use(requestLog(deps.logger, { clientIp: (c) => clientIp(c, deps.config.trustProxy ?? 0) }));
  // The tenant's body limit: the body is read to the end before any answer, so a refused
  // upload never tears down the browser's keep-alive connection.
  app.use(canonicalHost({ publicUrl: deps.config.publicUrl }));
  app.use(
    bodyLimit({
      maxBytes: 64 * 1024,
      onTooLarge: () => new BffError(413, 'too_large', 'The request body is too large.'),
    }),
  );
  const answerError = onError(deps.logger);
  app.onError(async (err, c) => {
    await recordRefusal(c, deps, err);
    return answerError(err, c);
  });
  const session = loadSession(deps.cookie, deps.store, deps.cookieOptions, deps.now, deps.roles, deps.logger);
  app.use('/api/*', session);
  app.use('/auth/logout', session);
  app.use('/api/*', csrfProtection(publicOrigin));
  app.use('/auth/logout', csrfProtection(publicOrigin));

  app.get('/health', (c) => c.json({ status: 'ok' }));
  // Each route at its path in @rtc/contracts/endpoints, the table the dashboard calls by.
  app.route('/', authRoutes(deps));
  app.route('/', userRoutes(deps));
  app.route('/', userHistoryRoutes(deps));
  app.route('/', settingsRoutes(deps));
  app.route('/', auditRoutes(deps));
  app.route('/', applicationRoutes(deps));
  app.route('/', searchRoutes(deps));
  app.all('/api/*', () => {
    throw new BffError(404, 'not_found', 'No such API route.');
  });

  const staticDir = deps.config.staticDir;
  if (staticDir && existsSync(join(staticDir, 'index.html'))) {
    const root = relative(process.cwd(), staticDir) || '.';
    const indexHtml = readFileSync(join(staticDir, 'index.html'), 'utf8');
    app.use(
      '/assets/*',
      serveStatic({ root, onFound: (_path, c) => c.header('Cache-Control', 'public, max-age=31536000, immutable') }),
    );
    app.use('*', serveStatic({ root }));
    // The dashboard's routes are client-side: every other page is its index.html.
    app.get('*', (c) => c.html(indexHtml, 200, { 'Cache-Control': 'no-cache' }));
  } else {
    app.get('/', (c) => c.text('The dashboard is not built. Run `npm run build` (npm start does it for you).', 503));
  }
  return app;
}
