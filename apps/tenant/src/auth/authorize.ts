import { Hono, type Context } from 'hono';
import type { TenantDeps, TenantEnv } from '../deps.ts';
import { userinfoAudience } from '../deps.ts';
import { randomSecret, sha256 } from '../crypto/secrets.ts';
import { asnOf } from '@rtc/ip-intel';
import { runsScript } from '../domain/callbacks.ts';
import { MAX_DEVICE_NAME_LENGTH } from '../domain/defaults.ts';
import { ids } from '../domain/ids.ts';
import { ssoSessions } from '../domain/sso-session.ts';
import { OAuthError } from '../errors/oauth-error.ts';
import { clientIp } from '@rtc/http-edge';
import { Params, userAgent } from '../http/params.ts';
import type { ClientRecord, SessionRecord, UserRecord } from '../domain/model.ts';
import { isResponseMode, respond, undeliverable } from './authorization-response.ts';
import { loginTransactions, redirectTo, render, sessionCookie, type AuthorizeRequest } from './browser-flow.ts';
import { loginForm, messagePage } from './login-page.ts';
import { grantableScopes, parseScope } from './scopes.ts';

const CODE_LIFETIME_MS = 60_000;

/** An error to send back to the client's redirect_uri (RFC 6749 4.1.2.1). */
class RedirectError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

async function validateRest(deps: TenantDeps, params: Params, client: ClientRecord) {
  const responseType = params.get('response_type');
  if (responseType !== 'code')
    throw new RedirectError('unsupported_response_type', 'Only response_type=code is supported.');
  if (!client.grant_types.includes('authorization_code')) {
    throw new RedirectError('unauthorized_client', 'The application may not use the authorization code flow.');
  }
  const challenge = params.get('code_challenge') ?? null;
  const method = params.get('code_challenge_method') ?? (challenge ? 'plain' : null);
  if (client.token_endpoint_auth_method === 'none' && !challenge) {
    throw new RedirectError(
      'invalid_request',
      'PKCE is required for public clients: send code_challenge with code_challenge_method=S256.',
    );
  }
  if (challenge && method !== 'S256') throw new RedirectError('invalid_request', 'code_challenge_method must be S256.');
  if (challenge && !/^[A-Za-z0-9_-]{43}$/.test(challenge))
    throw new RedirectError('invalid_request', 'code_challenge is not a valid S256 challenge.');
  const audienceParam = params.get('audience') ?? null;
  const api = audienceParam ? await deps.store.directory.getResourceServer(audienceParam) : undefined;
  if (audienceParam && !api) throw new RedirectError('access_denied', `Service not found: ${audienceParam}`);
  const device = params.get('device') ?? null;
  if (device !== null && device.length > MAX_DEVICE_NAME_LENGTH)
    throw new RedirectError('invalid_request', `device must be at most ${MAX_DEVICE_NAME_LENGTH} characters.`);
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

/**
 * Completes an authorization in a session (an existing one at /authorize, a new one after
 * /u/login): records consent as a grant, issues a one-time code, extends the session, and
 * sends the browser back.
 */
export async function completeAuthorization(
  deps: TenantDeps,
  c: Context,
  client: ClientRecord,
  request: AuthorizeRequest,
  user: UserRecord,
  session: SessionRecord,
) {
  const now = deps.clock.now();
  const ip = clientIp(c, deps.options.trustProxy);
  const grant = await deps.store.directory.upsertGrant(
    {
      user_id: user.user_id,
      client_id: client.client_id,
      audience: request.audience ?? userinfoAudience(deps.issuer),
      scope: request.scope,
    },
    ids.grant(),
    now,
  );
  const code = randomSecret(32);
  await deps.store.authorizationCodes.saveAuthorizationCode(sha256(code), {
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
  await ssoSessions(deps.store, deps.clock).touch(session, client.client_id, {
    ip,
    asn: asnOf(ip),
    userAgent: userAgent(c),
  });
  return respond(c, request, { code, state: request.state });
}

/**
 * GET /authorize: the authorization code flow with PKCE (S256, required for public clients),
 * exact redirect_uri matching, SSO through the tenant's session cookie, and a login page.
 * Errors about the client or redirect_uri are shown on a page, never redirected, so the
 * endpoint cannot be used as an open redirector.
 */
export function authorizeRoutes(deps: TenantDeps) {
  const sessions = ssoSessions(deps.store, deps.clock);
  const transactions = loginTransactions(deps.cookieSecret, deps.clock, deps.issuer.startsWith('https:'));

  return new Hono<TenantEnv>().get('/authorize', async (c) => {
    let params: Params;
    try {
      params = Params.fromSearchParams(new URL(c.req.url).searchParams);
    } catch (err) {
      if (err instanceof OAuthError) return render(c, 400, (n) => messagePage(n, 'Invalid request', err.description));
      throw err;
    }
    const clientId = params.get('client_id');
    const client = clientId ? await deps.store.directory.getClient(clientId) : undefined;
    if (!client)
      return render(c, 400, (n) =>
        messagePage(n, 'Unknown application', 'The client_id of this link is not an application of this tenant.'),
      );
    // Exact string match against the registered callbacks; no prefixes, no wildcards. A script
    // scheme stored before registrations refused it is not followed.
    const redirectUri = params.get('redirect_uri');
    if (!redirectUri || !client.callbacks.includes(redirectUri) || runsScript(redirectUri)) {
      return render(c, 400, (n) =>
        messagePage(
          n,
          'Callback URL mismatch',
          "The redirect_uri of this request is not among the application's allowed callback URLs.",
        ),
      );
    }
    // The response mode first: every later error is answered in it.
    const mode = params.get('response_mode') ?? 'query';
    if (!isResponseMode(mode)) {
      return redirectTo(c, redirectUri, {
        error: 'invalid_request',
        error_description: 'response_mode must be query, form_post or web_message.',
        state: params.get('state') ?? null,
      });
    }
    const destination = { redirect_uri: redirectUri, response_mode: mode };
    // Shown on a page, never posted: the origin is not one the client named for web messages.
    const refused = undeliverable(client, destination);
    if (refused) return render(c, 400, (n) => messagePage(n, 'Origin not allowed', refused));
    let request: AuthorizeRequest;
    try {
      request = {
        ...(await validateRest(deps, params, client)),
        client_id: client.client_id,
        ...destination,
        browser: '',
      };
    } catch (err) {
      if (err instanceof RedirectError) {
        return respond(c, destination, {
          error: err.error,
          error_description: err.description,
          state: params.get('state') ?? null,
        });
      }
      throw err;
    }
    const prompt = params.get('prompt');
    const maxAge = params.get('max_age');
    if (maxAge !== undefined && !/^\d{1,9}$/.test(maxAge)) {
      return respond(c, request, {
        error: 'invalid_request',
        error_description: 'max_age must be a whole number of seconds.',
        state: request.state,
      });
    }
    const cookie = prompt === 'login' ? undefined : sessionCookie.read(c);
    const current = cookie ? await sessions.current(cookie) : undefined;
    // OIDC Core 3.1.2.1 max_age: a session whose authentication is older asks again, as
    // Auth0 does; the new sign-in's auth_time goes into the ID token.
    const existing =
      current && maxAge !== undefined && deps.clock.now() - current.session.authenticated_at > Number(maxAge) * 1000
        ? undefined
        : current;
    if (existing) return completeAuthorization(deps, c, client, request, existing.user, existing.session);
    if (prompt === 'none') {
      return respond(c, request, {
        error: 'login_required',
        error_description: 'Login required',
        state: request.state,
      });
    }
    const tx = await transactions.start(c, request);
    return render(c, 200, (nonce) => loginForm({ nonce, tx, clientName: client.name }), request.redirect_uri);
  });
}
