import type { Me } from '@rtc/contracts';
import { endpoints } from '@rtc/contracts/endpoints';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import type { BffDeps } from '../deps.ts';
import type { BffEnv } from '../env.ts';
import { unauthenticated } from '../errors.ts';
import { roleFromClaim } from '../session/role-recheck.ts';
import type { StaffSession } from '../session/session-cookie.ts';
import { authTimeOf, isRecent, stepUpSeconds } from '../session/step-up.ts';
import { reply } from './contract.ts';

const TX_COOKIE = 'rtc_signin';
const TX_SECONDS = 600;

/** A same-site path to return to after sign-in; anything else goes home (no open redirect). */
export function safeReturnTo(value: string | undefined): string {
  return value && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) && !value.startsWith('/auth/') ? value : '/';
}

function page(c: Context, status: 400 | 403 | 502, title: string, message: string) {
  return c.html(
    html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body><main><h1>${title}</h1><p>${message}</p><p><a href="/auth/login">Sign in again</a></p></main></body></html>`,
    status,
  );
}

/**
 * Staff sign-in with OpenID Connect (authorization code + PKCE) against the configured issuer,
 * the session cookie, and sign-out.
 */
export function authRoutes(deps: BffDeps) {
  const { config, cookie, store, logger } = deps;
  const redirectUri = `${config.publicUrl}/auth/callback`;
  const oidcConfig = () => deps.idp.configuration();
  /**
   * The refresh token the sign-in got (for the role re-check) dies with the console session:
   * left alone it would stay usable at the provider for its whole lifetime. A provider that
   * cannot be reached does not keep anyone signed in: the console session is already ended.
   */
  const revokeAtProvider = async (refreshToken: string) => {
    try {
      await oidc.tokenRevocation(await oidcConfig(), refreshToken, { token_type_hint: 'refresh_token' });
    } catch (err) {
      logger.warn('could not revoke the staff refresh token at sign-out', {
        error: (err as { error?: string }).error ?? (err as Error).name,
      });
    }
  };

  return new Hono<BffEnv>()
    .get('/auth/login', async (c) => {
      let configuration: oidc.Configuration;
      try {
        configuration = await oidcConfig();
      } catch {
        return page(
          c,
          502,
          'Sign-in is unavailable',
          `The identity provider at ${config.oidc.issuer} cannot be reached. Try again in a moment.`,
        );
      }
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      // Step-up (the biggest actions): the provider must have authenticated the person within
      // the window, re-prompting if its own session is older (OIDC max_age); the callback checks.
      const stepUp = c.req.query('step_up') === '1';
      const tx = await cookie.sealValue(
        { verifier, state, nonce, returnTo: safeReturnTo(c.req.query('returnTo')), stepUp },
        Math.floor(deps.now() / 1000) + TX_SECONDS,
      );
      setCookie(c, TX_COOKIE, tx, {
        httpOnly: true,
        secure: deps.cookieOptions.secure,
        sameSite: 'Lax',
        path: '/auth',
        maxAge: TX_SECONDS,
      });
      const url = oidc.buildAuthorizationUrl(configuration, {
        redirect_uri: redirectUri,
        scope: config.oidc.scope,
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        ...(stepUp ? { max_age: String(stepUpSeconds(deps)) } : {}),
      });
      return c.redirect(url.href, 302);
    })
    .get('/auth/callback', async (c) => {
      const tx = await cookie.openValue(getCookie(c, TX_COOKIE));
      deleteCookie(c, TX_COOKIE, { path: '/auth' });
      if (!tx) {
        // The sign-in cookie belongs to the address sign-in started at; the tenant returns here.
        const origin = new URL(config.publicUrl).origin;
        return page(
          c,
          400,
          'Sign-in expired',
          `This sign-in took too long, was started in another browser, or was started at another ` +
            `address than ${origin} (its cookie stays with that address). Open ${origin} and sign in ` +
            `again.`,
        );
      }
      let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
      try {
        const current = new URL(`${redirectUri}${new URL(c.req.url).search}`);
        tokens = await oidc.authorizationCodeGrant(await oidcConfig(), current, {
          pkceCodeVerifier: tx.verifier as string,
          expectedState: tx.state as string,
          expectedNonce: tx.nonce as string,
        });
      } catch (err) {
        const description = (err as { error_description?: string }).error_description ?? (err as Error).message;
        logger.warn('staff sign-in failed', { error: (err as { error?: string }).error ?? (err as Error).name });
        return page(c, 400, 'Sign-in failed', description.slice(0, 300));
      }
      const claims = tokens.claims()!;
      const role = roleFromClaim(claims[config.oidc.rolesClaim]);
      const name = String(claims.name ?? claims.email ?? claims.sub);
      if (!role) {
        await store.recordAudit(
          {
            actor: { sub: claims.sub, name, role: null },
            action: 'staff.sign_in',
            target_user_id: claims.sub,
            target: name,
            result: 'refused',
            detail: `signed in at the identity provider but holds no console role (claim ${config.oidc.rolesClaim})`,
            request_id: c.get('requestId'),
          },
          deps.now(),
        );
        return page(
          c,
          403,
          'No access to the console',
          `${name} signed in, but has no console role (claim ${config.oidc.rolesClaim}). Ask an administrator for viewer, support or admin.`,
        );
      }
      const now = deps.now();
      const authTime = authTimeOf(claims, now);
      if (tx.stepUp === true && !isRecent(authTime, now, stepUpSeconds(deps))) {
        // A provider that ignored max_age, or an ID token without a believable auth_time: the
        // person is not known to have just signed in, so this sign-in confirms nothing.
        await store.recordAudit(
          {
            actor: { sub: claims.sub, name, role },
            action: 'staff.sign_in',
            target_user_id: null,
            target: name,
            result: 'refused',
            detail:
              `step-up sign-in refused: the identity provider's auth_time is ` +
              `${authTime === undefined ? 'missing or not a past time' : `${Math.round((now - authTime) / 1000)} s old`}`,
            request_id: c.get('requestId'),
          },
          now,
        );
        return page(
          c,
          403,
          'Sign-in not confirmed',
          'The identity provider did not confirm that you signed in just now, which this action ' +
            'needs. Sign in again; if this repeats, the provider may not honour max_age.',
        );
      }
      // A new session id at every sign-in: nothing from before it carries over.
      const session: StaffSession = {
        sid: randomBytes(16).toString('base64url'),
        sub: claims.sub,
        name,
        email: typeof claims.email === 'string' ? claims.email : null,
        role,
        csrf: randomBytes(32).toString('base64url'),
        createdAt: now,
        lastSeenAt: now,
        ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
        roleCheckedAt: now,
        ...(authTime !== undefined ? { authTime } : {}),
      };
      setCookie(c, deps.cookieOptions.name, await cookie.seal(session), {
        httpOnly: true,
        secure: deps.cookieOptions.secure,
        sameSite: 'Lax',
        path: '/',
      });
      await store.recordAudit(
        {
          actor: { sub: session.sub, name, role },
          action: 'staff.sign_in',
          target_user_id: null,
          target: name,
          result: 'success',
          detail: `signed in as ${role}`,
          request_id: c.get('requestId'),
        },
        now,
      );
      return c.redirect(safeReturnTo(tx.returnTo as string | undefined), 302);
    })
    .on(endpoints.signOut.method, endpoints.signOut.path, async (c) => {
      const session = c.get('session');
      if (session) {
        // Until the absolute expiry: a copy of the cookie used more recently than this one must
        // not come back to life when this copy's idle timeout passes.
        await store.endSession(session.sid, cookie.absoluteExpiresAt(session));
        if (session.refreshToken) await revokeAtProvider(session.refreshToken);
        await store.recordAudit(
          {
            actor: { sub: session.sub, name: session.name, role: session.role },
            action: 'staff.sign_out',
            target_user_id: null,
            target: session.name,
            result: 'success',
            detail: 'signed out',
            request_id: c.get('requestId'),
          },
          deps.now(),
        );
      }
      deleteCookie(c, deps.cookieOptions.name, { path: '/' });
      let logoutUrl = `${config.publicUrl}/`;
      try {
        logoutUrl = oidc.buildEndSessionUrl(await oidcConfig(), {
          client_id: config.oidc.clientId,
          post_logout_redirect_uri: `${config.publicUrl}/`,
        }).href;
      } catch {
        // No end_session_endpoint: the console session is over, which is what matters.
      }
      return reply(c, endpoints.signOut, { logout_url: logoutUrl });
    })
    .on(endpoints.me.method, endpoints.me.path, async (c) => {
      const session = c.get('session');
      if (!session) throw unauthenticated();
      const me: Me = {
        user: { sub: session.sub, name: session.name, email: session.email, role: session.role },
        csrf_token: session.csrf,
        tenant: { name: config.tenantName, domain: new URL(config.management.baseUrl).host, embedded: config.embedded },
        session: {
          expires_at: new Date(cookie.expiresAt(session)).toISOString(),
          idle_timeout_seconds: cookie.idleSeconds,
        },
      };
      return reply(c, endpoints.me, me);
    });
}
