import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { jwtVerify, SignJWT } from 'jose';
import type { TenantDeps, TenantEnv } from '../deps.ts';
import { userinfoAudience } from '../deps.ts';
import { DUMMY_PASSWORD_HASH, randomSecret, safeEqual, sha256, verifyPassword } from '../crypto/secrets.ts';
import { asnOf } from '@rtc/ip-intel';
import { ids } from '../domain/ids.ts';
import { OAuthError } from '../errors/oauth-error.ts';
import { clientIp, Params, readBodyParams, userAgent } from '../http/params.ts';
import type { ClientRecord, SessionRecord, UserRecord } from '../store/types.ts';
import { loginForm, messagePage } from './login-page.ts';
import { grantableScopes, parseScope } from './scopes.ts';

const SESSION_COOKIE = 'tenant_session';
const TX_COOKIE = 'tenant_login_tx';
const LOGIN_TX_SECONDS = 15 * 60;
const CODE_LIFETIME_MS = 60_000;

/** A validated /authorize request, carried through the login form in a signed transaction. */
interface AuthorizeRequest {
  client_id: string;
  redirect_uri: string;
  scope: string[];
  audience: string | null;
  state: string | null;
  nonce: string | null;
  code_challenge: string | null;
  code_challenge_method: string | null;
  device: string | null;
  /** Binds the transaction to the browser that started it (login CSRF). */
  browser: string;
}

/** A CSP source for a callback: its origin, or its scheme for custom schemes (`com.acme.app:`). */
function formActionSource(uri: string): string {
  const url = new URL(uri);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol;
}

/** An error to send back to the client's redirect_uri (RFC 6749 4.1.2.1). */
class RedirectError extends Error {
  constructor(readonly error: string, readonly description: string) {
    super(description);
  }
}

/**
 * GET /authorize: the authorization code flow with PKCE (S256, required for public clients),
 * exact redirect_uri matching, SSO through the tenant's session cookie, and a login page.
 * Errors about the client or redirect_uri are shown on a page, never redirected, so the
 * endpoint cannot be used as an open redirector.
 */
export function authorizeRoutes(deps: TenantDeps) {
  const secret = new TextEncoder().encode(deps.cookieSecret);
  const secure = deps.issuer.startsWith('https:');

  /**
   * `redirectUri`: where the login form's POST will redirect. CSP form-action also governs
   * that redirect, so the page allows exactly the registered callback's origin (or scheme).
   */
  const render = (c: Context, status: 200 | 400 | 401 | 429, body: (nonce: string) => ReturnType<typeof messagePage>, redirectUri?: string) => {
    const nonce = randomSecret(16);
    const target = redirectUri ? formActionSource(redirectUri) : '';
    c.header('Content-Security-Policy', `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'${target ? ` ${target}` : ''}; frame-ancestors 'none'; base-uri 'none'`);
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(body(nonce), status);
  };

  const redirectTo = (c: Context, uri: string, params: Record<string, string | null>) => {
    const url = new URL(uri);
    for (const [key, value] of Object.entries(params)) if (value !== null) url.searchParams.set(key, value);
    c.header('Cache-Control', 'no-store');
    return c.redirect(url.toString(), 302);
  };

  async function currentSession(c: Context): Promise<{ session: SessionRecord; user: UserRecord } | undefined> {
    const cookie = getCookie(c, SESSION_COOKIE);
    if (!cookie) return undefined;
    const session = await deps.store.getSessionByCookie(sha256(cookie));
    const now = deps.clock.now();
    if (!session || session.revoked_at !== null) return undefined;
    if ((session.expires_at !== null && session.expires_at <= now) || (session.idle_expires_at !== null && session.idle_expires_at <= now)) {
      return undefined;
    }
    const user = await deps.store.getUser(session.user_id);
    return user && !user.blocked ? { session, user } : undefined;
  }

  async function validateRest(params: Params, client: ClientRecord) {
    const responseType = params.get('response_type');
    if (responseType !== 'code') throw new RedirectError('unsupported_response_type', 'Only response_type=code is supported.');
    if (!client.grant_types.includes('authorization_code')) {
      throw new RedirectError('unauthorized_client', 'The application may not use the authorization code flow.');
    }
    const responseMode = params.get('response_mode');
    if (responseMode !== undefined && responseMode !== 'query') throw new RedirectError('invalid_request', 'Only response_mode=query is supported.');
    const challenge = params.get('code_challenge') ?? null;
    const method = params.get('code_challenge_method') ?? (challenge ? 'plain' : null);
    if (client.token_endpoint_auth_method === 'none' && !challenge) {
      throw new RedirectError('invalid_request', 'PKCE is required for public clients: send code_challenge with code_challenge_method=S256.');
    }
    if (challenge && method !== 'S256') throw new RedirectError('invalid_request', 'code_challenge_method must be S256.');
    if (challenge && !/^[A-Za-z0-9_-]{43}$/.test(challenge)) throw new RedirectError('invalid_request', 'code_challenge is not a valid S256 challenge.');
    const audienceParam = params.get('audience') ?? null;
    const api = audienceParam ? await deps.store.getResourceServer(audienceParam) : undefined;
    if (audienceParam && !api) throw new RedirectError('access_denied', `Service not found: ${audienceParam}`);
    const device = params.get('device') ?? null;
    if (device !== null && device.length > 255) throw new RedirectError('invalid_request', 'device must be at most 255 characters.');
    return {
      scope: grantableScopes(parseScope(params.get('scope') ?? 'openid'), api),
      audience: api?.identifier ?? null,
      state: params.get('state') ?? null,
      nonce: params.get('nonce') ?? null,
      code_challenge: challenge,
      code_challenge_method: challenge ? method : null,
      device,
    };
  }

  /** Records consent as a grant, issues a one-time code, and sends the browser back. */
  async function complete(c: Context, client: ClientRecord, request: AuthorizeRequest, user: UserRecord, session: SessionRecord) {
    const now = deps.clock.now();
    const ip = clientIp(c, deps.options.trustProxy);
    const grant = await deps.store.upsertGrant(
      { user_id: user.user_id, client_id: client.client_id, audience: request.audience ?? userinfoAudience(deps.issuer), scope: request.scope },
      ids.grant(),
      now,
    );
    const code = randomSecret(32);
    await deps.store.saveAuthorizationCode(sha256(code), {
      client_id: client.client_id,
      user_id: user.user_id,
      redirect_uri: request.redirect_uri,
      scope: request.scope,
      audience: request.audience ?? userinfoAudience(deps.issuer),
      nonce: request.nonce,
      code_challenge: request.code_challenge,
      code_challenge_method: request.code_challenge_method,
      session_id: session.id,
      grant_id: grant.id,
      device_name: request.device,
      auth_time: session.authenticated_at,
      expires_at: now + CODE_LIFETIME_MS,
    });
    const settings = await deps.store.getSettings();
    await deps.store.touchSession(session.id, {
      now,
      idle_expires_at: now + settings.idle_session_lifetime * 3_600_000,
      clientId: client.client_id,
      ip,
      asn: asnOf(ip),
      userAgent: userAgent(c),
    });
    return redirectTo(c, request.redirect_uri, { code, state: request.state });
  }

  async function startSession(c: Context, user: UserRecord): Promise<SessionRecord> {
    const now = deps.clock.now();
    const settings = await deps.store.getSettings();
    const ip = clientIp(c, deps.options.trustProxy);
    const ua = userAgent(c);
    const session: SessionRecord = {
      id: ids.session(now),
      user_id: user.user_id,
      created_at: now,
      updated_at: now,
      authenticated_at: now,
      last_interacted_at: now,
      idle_expires_at: now + settings.idle_session_lifetime * 3_600_000,
      expires_at: now + settings.session_lifetime * 3_600_000,
      device: { initial_ip: ip, initial_asn: asnOf(ip), initial_user_agent: ua, last_ip: ip, last_asn: asnOf(ip), last_user_agent: ua },
      clients: [],
      authentication_methods: [{ name: 'pwd', timestamp: now }],
      revoked_at: null,
    };
    // A fresh cookie value at every sign-in (no session fixation); only its hash is stored.
    const cookie = randomSecret(32);
    await deps.store.createSession(session, sha256(cookie));
    setCookie(c, SESSION_COOKIE, cookie, { httpOnly: true, sameSite: 'Lax', path: '/', secure, maxAge: settings.session_lifetime * 3600 });
    return session;
  }

  async function showLogin(c: Context, client: ClientRecord, request: AuthorizeRequest) {
    const browser = randomSecret(16);
    const tx = await new SignJWT({ req: { ...request, browser: sha256(browser).toString('base64url') } })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(Math.floor(deps.clock.now() / 1000))
      .setExpirationTime(Math.floor(deps.clock.now() / 1000) + LOGIN_TX_SECONDS)
      .sign(secret);
    setCookie(c, TX_COOKIE, browser, { httpOnly: true, sameSite: 'Lax', path: '/u', secure, maxAge: LOGIN_TX_SECONDS });
    return render(c, 200, (nonce) => loginForm({ nonce, tx, clientName: client.name }), request.redirect_uri);
  }

  return new Hono<TenantEnv>()
    .get('/authorize', async (c) => {
      let params: Params;
      try {
        params = Params.fromSearchParams(new URL(c.req.url).searchParams);
      } catch (err) {
        if (err instanceof OAuthError) return render(c, 400, (n) => messagePage(n, 'Invalid request', err.description));
        throw err;
      }
      const clientId = params.get('client_id');
      const client = clientId ? await deps.store.getClient(clientId) : undefined;
      if (!client) return render(c, 400, (n) => messagePage(n, 'Unknown application', 'The client_id of this link is not an application of this tenant.'));
      // Exact string match against the registered callbacks; no prefixes, no wildcards.
      const redirectUri = params.get('redirect_uri');
      if (!redirectUri || !client.callbacks.includes(redirectUri)) {
        return render(c, 400, (n) => messagePage(n, 'Callback URL mismatch', "The redirect_uri of this request is not among the application's allowed callback URLs."));
      }
      let request: AuthorizeRequest;
      try {
        request = { ...(await validateRest(params, client)), client_id: client.client_id, redirect_uri: redirectUri, browser: '' };
      } catch (err) {
        if (err instanceof RedirectError) {
          return redirectTo(c, redirectUri, { error: err.error, error_description: err.description, state: params.get('state') ?? null });
        }
        throw err;
      }
      const prompt = params.get('prompt');
      const existing = prompt === 'login' ? undefined : await currentSession(c);
      if (existing) return complete(c, client, request, existing.user, existing.session);
      if (prompt === 'none') {
        return redirectTo(c, request.redirect_uri, { error: 'login_required', error_description: 'Login required', state: request.state });
      }
      return showLogin(c, client, request);
    })
    .post('/u/login', async (c) => {
      let params: Params;
      try {
        params = await readBodyParams(c);
      } catch (err) {
        if (err instanceof OAuthError) return render(c, 400, (n) => messagePage(n, 'Invalid request', err.description));
        throw err;
      }
      const expired = () =>
        render(c, 400, (n) => messagePage(n, 'Your login link expired', 'Go back to the application and start the sign-in again.'));
      const tx = params.get('tx');
      if (!tx) return expired();
      let request: AuthorizeRequest;
      try {
        const { payload } = await jwtVerify(tx, secret, { algorithms: ['HS256'], currentDate: new Date(deps.clock.now()) });
        request = payload.req as AuthorizeRequest;
      } catch {
        return expired();
      }
      const browser = getCookie(c, TX_COOKIE);
      if (!browser || !safeEqual(sha256(browser).toString('base64url'), request.browser)) return expired();
      const client = await deps.store.getClient(request.client_id);
      if (!client || !client.callbacks.includes(request.redirect_uri)) return expired();

      const email = (params.get('username') ?? '').trim();
      const password = params.get('password') ?? '';
      const ip = clientIp(c, deps.options.trustProxy);
      const again = (status: 401 | 429, error: string) =>
        render(c, status, (nonce) => loginForm({ nonce, tx, clientName: client.name, email: email.slice(0, 254), error }), request.redirect_uri);

      const now = deps.clock.now();
      // Counted before the slow hash, so a parallel burst cannot outrun the limit (sign-in-throttle.ts).
      const attempt = await deps.signInThrottle.attempt(email, ip, now);
      if (!attempt.allowed) {
        c.header('Retry-After', String(attempt.retryAfterSeconds));
        return again(429, 'Too many attempts. Wait a few minutes and try again.');
      }
      const user = email ? await deps.store.getUserByEmail(email) : undefined;
      const valid = await verifyPassword(password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
      if (!user || !user.password_hash || !valid) return again(401, 'Wrong email or password.');
      await attempt.succeeded();
      if (user.blocked) return again(401, 'This account is blocked.');
      await deps.store.recordLogin(user.user_id, ip, now);
      deleteCookie(c, TX_COOKIE, { path: '/u' });
      const session = await startSession(c, user);
      return complete(c, client, request, user, session);
    })
    .get('/v2/logout', (c) => logout(c, c.req.query('client_id'), c.req.query('returnTo')))
    .get('/oidc/logout', (c) => logout(c, c.req.query('client_id'), c.req.query('post_logout_redirect_uri'), c.req.query('state')));

  /** Ends the tenant session (refresh tokens outlive it, as in Auth0) and returns only to an allowed URL. */
  async function logout(c: Context, clientId: string | undefined, returnTo: string | undefined, state?: string) {
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie) {
      const session = await deps.store.getSessionByCookie(sha256(cookie));
      if (session) await deps.store.revokeSession(session.id, deps.clock.now(), null);
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
    }
    if (returnTo && clientId) {
      const client = await deps.store.getClient(clientId);
      if (client?.allowed_logout_urls.includes(returnTo)) {
        return redirectTo(c, returnTo, { state: state ?? null });
      }
    }
    return render(c, 200, (n) => messagePage(n, 'Logged out', 'You are now logged out.'));
  }
}
