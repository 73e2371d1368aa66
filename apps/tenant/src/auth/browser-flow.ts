import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../clock.ts';
import { randomSecret, safeEqual, sha256 } from '../crypto/secrets.ts';
import type { messagePage } from './login-page.ts';

/**
 * What /authorize, /u/login and the logouts share in the browser: the pages' response
 * headers, redirects, the SSO session cookie and the signed login transaction.
 */

const SESSION_COOKIE = 'tenant_session';
const TX_COOKIE = 'tenant_login_tx';
const LOGIN_TX_SECONDS = 15 * 60;

/** A validated /authorize request, carried through the login form in a signed transaction. */
export interface AuthorizeRequest {
  client_id: string;
  redirect_uri: string;
  /** How the response goes back (authorization-response.ts); absent in older transactions: query. */
  response_mode?: 'query' | 'form_post' | 'web_message';
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

/**
 * A page of the tenant's Universal Login. `redirectUri`: where the login form's POST will
 * redirect. CSP form-action also governs that redirect, so the page allows exactly the
 * registered callback's origin (or scheme).
 */
export function render(
  c: Context,
  status: 200 | 400 | 401 | 429,
  body: (nonce: string) => ReturnType<typeof messagePage>,
  redirectUri?: string,
) {
  const nonce = randomSecret(16);
  const target = redirectUri ? formActionSource(redirectUri) : '';
  c.header(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'${target ? ` ${target}` : ''}; frame-ancestors 'none'; base-uri 'none'`,
  );
  c.header('Cache-Control', 'no-store');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  return c.html(body(nonce), status);
}

export function redirectTo(c: Context, uri: string, params: Record<string, string | null>) {
  const url = new URL(uri);
  for (const [key, value] of Object.entries(params)) if (value !== null) url.searchParams.set(key, value);
  c.header('Cache-Control', 'no-store');
  return c.redirect(url.toString(), 302);
}

/** The SSO session cookie: read, set at sign-in, deleted at logout. */
export const sessionCookie = {
  read: (c: Context) => getCookie(c, SESSION_COOKIE),
  set: (c: Context, value: string, maxAgeSeconds: number, secure: boolean) =>
    setCookie(c, SESSION_COOKIE, value, { httpOnly: true, sameSite: 'Lax', path: '/', secure, maxAge: maxAgeSeconds }),
  delete: (c: Context) => deleteCookie(c, SESSION_COOKIE, { path: '/' }),
};

/** The login transaction: the /authorize request, signed into the form and bound to this browser by a cookie. */
export function loginTransactions(cookieSecret: string, clock: Clock, secure: boolean) {
  const secret = new TextEncoder().encode(cookieSecret);
  return {
    async start(c: Context, request: AuthorizeRequest): Promise<string> {
      const browser = randomSecret(16);
      const tx = await new SignJWT({ req: { ...request, browser: sha256(browser).toString('base64url') } })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt(Math.floor(clock.now() / 1000))
        .setExpirationTime(Math.floor(clock.now() / 1000) + LOGIN_TX_SECONDS)
        .sign(secret);
      setCookie(c, TX_COOKIE, browser, {
        httpOnly: true,
        sameSite: 'Lax',
        path: '/u',
        secure,
        maxAge: LOGIN_TX_SECONDS,
      });
      return tx;
    },
    /** The request of a transaction signed by us, unexpired, and started in this browser; else undefined. */
    async read(c: Context, tx: string): Promise<AuthorizeRequest | undefined> {
      let request: AuthorizeRequest;
      try {
        const { payload } = await jwtVerify(tx, secret, { algorithms: ['HS256'], currentDate: new Date(clock.now()) });
        request = payload.req as AuthorizeRequest;
      } catch {
        return undefined;
      }
      const browser = getCookie(c, TX_COOKIE);
      if (!browser || !safeEqual(sha256(browser).toString('base64url'), request.browser)) return undefined;
      return request;
    },
    finish: (c: Context) => deleteCookie(c, TX_COOKIE, { path: '/u' }),
  };
}
