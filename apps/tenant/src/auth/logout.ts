import { Hono, type Context } from 'hono';
import type { TenantDeps, TenantEnv } from '../deps.ts';
import { runsScript } from '../domain/callbacks.ts';
import { ssoSessions } from '../domain/sso-session.ts';
import { LOG_TYPES, tenantEvent } from '../domain/tenant-log.ts';
import { clientIp } from '@rtc/http-edge';
import { userAgent } from '../http/params.ts';
import { redirectTo, render, sessionCookie } from './browser-flow.ts';
import { messagePage } from './login-page.ts';

/**
 * GET /v2/logout (Auth0's) and /oidc/logout (RP-initiated logout): end the tenant session
 * (refresh tokens outlive it, as in Auth0) and return only to an allowed URL.
 */
export function logoutRoutes(deps: TenantDeps) {
  const sessions = ssoSessions(deps.store, deps.clock);

  async function logout(c: Context, clientId: string | undefined, returnTo: string | undefined, state?: string) {
    const cookie = sessionCookie.read(c);
    if (cookie) {
      const ended = await sessions.end(cookie);
      if (ended && ended.revoked_at === null) {
        const now = deps.clock.now();
        await deps.store.events.addEvent(
          tenantEvent(
            {
              type: LOG_TYPES.logout,
              description: 'Successful logout',
              user_id: ended.user_id,
              client_id: clientId ?? null,
              ip: clientIp(c, deps.options.trustProxy),
              details: { session_id: ended.id, user_agent: userAgent(c) },
            },
            now,
          ),
        );
      }
      sessionCookie.delete(c);
    }
    if (returnTo && clientId) {
      const client = await deps.store.directory.getClient(clientId);
      // A script scheme stored before logout URLs refused it is not followed.
      if (client?.allowed_logout_urls.includes(returnTo) && !runsScript(returnTo)) {
        return redirectTo(c, returnTo, { state: state ?? null });
      }
    }
    return render(c, 200, (n) => messagePage(n, 'Logged out', 'You are now logged out.'));
  }

  return new Hono<TenantEnv>()
    .get('/v2/logout', (c) => logout(c, c.req.query('client_id'), c.req.query('returnTo')))
    .get('/oidc/logout', (c) =>
      logout(c, c.req.query('client_id'), c.req.query('post_logout_redirect_uri'), c.req.query('state')),
    );
}
