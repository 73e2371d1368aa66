import { Hono } from 'hono';
import type { TenantDeps, TenantEnv } from '../deps.ts';
import { DUMMY_PASSWORD_HASH, verifyPassword } from '../crypto/secrets.ts';
import { asnOf } from '@rtc/ip-intel';
import { ssoSessions } from '../domain/sso-session.ts';
import { LOG_TYPES, signInFailure, tenantEvent } from '../domain/tenant-log.ts';
import { OAuthError } from '../errors/oauth-error.ts';
import { clientIp } from '@rtc/http-edge';
import { type Params, readBodyParams, userAgent } from '../http/params.ts';
import { undeliverable } from './authorization-response.ts';
import { completeAuthorization } from './authorize.ts';
import { loginTransactions, render, sessionCookie } from './browser-flow.ts';
import { loginForm, messagePage } from './login-page.ts';

/**
 * POST /u/login: the login form of /authorize. Checks the signed transaction and the browser
 * that started it, counts the attempt before the password hash, opens an SSO session, and
 * completes the authorization.
 */
export function loginRoutes(deps: TenantDeps) {
  const secure = deps.issuer.startsWith('https:');
  const sessions = ssoSessions(deps.store, deps.clock);
  const transactions = loginTransactions(deps.cookieSecret, deps.clock, secure);

  return new Hono<TenantEnv>().post('/u/login', async (c) => {
    let params: Params;
    try {
      params = await readBodyParams(c);
    } catch (err) {
      if (err instanceof OAuthError) return render(c, 400, (n) => messagePage(n, 'Invalid request', err.description));
      throw err;
    }
    const expired = () =>
      render(c, 400, (n) =>
        messagePage(n, 'Your login link expired', 'Go back to the application and start the sign-in again.'),
      );
    const tx = params.get('tx');
    if (!tx) return expired();
    const request = await transactions.read(c, tx);
    if (!request) return expired();
    const client = await deps.store.directory.getClient(request.client_id);
    if (!client?.callbacks.includes(request.redirect_uri) || undeliverable(client, request)) return expired();

    const email = (params.get('username') ?? '').trim();
    const password = params.get('password') ?? '';
    const ip = clientIp(c, deps.options.trustProxy);
    const again = (status: 401 | 429, error: string) =>
      render(
        c,
        status,
        (nonce) => loginForm({ nonce, tx, clientName: client.name, email: email.slice(0, 254), error }),
        request.redirect_uri,
      );

    const now = deps.clock.now();
    // Counted before the slow hash, so a parallel burst cannot outrun the limit (domain/sign-in-throttle.ts).
    const attempt = await deps.signInThrottle.attempt(email, ip, now);
    if (!attempt.allowed) {
      c.header('Retry-After', String(attempt.retryAfterSeconds));
      return again(429, 'Too many attempts. Wait a few minutes and try again.');
    }
    const user = email ? await deps.store.directory.getUserByEmail(email) : undefined;
    const valid = await verifyPassword(password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
    const details = { user_agent: userAgent(c), email: email.slice(0, 254) };
    if (!user?.password_hash || !valid) {
      await deps.store.events.addEvent(signInFailure(user, { client_id: client.client_id, ip, details }, now));
      return again(401, 'Wrong email or password.');
    }
    await attempt.succeeded();
    if (user.blocked) {
      await deps.store.events.addEvent(
        tenantEvent(
          {
            type: LOG_TYPES.failedLogin,
            description: 'user is blocked',
            user_id: user.user_id,
            client_id: client.client_id,
            ip,
            details,
          },
          now,
        ),
      );
      return again(401, 'This account is blocked.');
    }
    await deps.store.directory.recordLogin(user.user_id, ip, now);
    await deps.store.events.addEvent(
      tenantEvent(
        {
          type: LOG_TYPES.login,
          description: 'Successful login',
          user_id: user.user_id,
          client_id: client.client_id,
          ip,
          details,
        },
        now,
      ),
    );
    transactions.finish(c);
    const opened = await sessions.open(user, { ip, asn: asnOf(ip), userAgent: userAgent(c) });
    sessionCookie.set(c, opened.cookie, opened.maxAgeSeconds, secure);
    return completeAuthorization(deps, c, client, request, user, opened.session);
  });
}
