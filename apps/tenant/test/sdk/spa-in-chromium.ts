import type { Browser, Page } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { DEMO } from '../../src/demo/demo-data.ts';
import type { listeningTenant } from '../server.ts';

/**
 * What the auth0-spa-js browser tests drive: the SDK's own bundle served in a page set up as
 * its README sets it up, a page at another origin, a browser recording the SPA's token
 * exchanges and silent authorizations, and the tenant's Management API to register each SPA
 * and read its tokens.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// In CI, `npm test` installs Chromium first (scripts/ensure-chromium.mjs): a missing one fails there.
export const unavailable =
  !existsSync(CHROMIUM) && !process.env.CI
    ? `no Chromium at ${CHROMIUM} (sudo apt-get install chromium, or set CHROMIUM_PATH)`
    : undefined;

const SDK_BUNDLE = readFileSync(
  createRequire(import.meta.url).resolve('@auth0/auth0-spa-js/dist/auth0-spa-js.production.js'),
);

/**
 * The app: a page that loads the SDK's bundle (served from node_modules, as an app's bundler
 * would ship it) and does what the SDK's README does: createAuth0Client, loginWithRedirect
 * from a button, handleRedirectCallback on return, getUser, logout from a button.
 */
const appPage = (config: { domain: string; clientId: string }) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SPA</title></head>
<body>
<main><p id="status">Loading</p><button id="login" hidden>Log in</button><button id="logout" hidden>Log out</button></main>
<script src="/auth0-spa-js.production.js"></script>
<script>
const config = ${JSON.stringify(config)};
const options = (more) => ({ domain: config.domain, clientId: config.clientId, authorizationParams: { redirect_uri: location.origin }, ...more });
window.app = (async () => {
  const client = await auth0.createAuth0Client(options({ useRefreshTokens: true, cacheLocation: 'memory' }));
  document.getElementById('login').onclick = () => client.loginWithRedirect();
  document.getElementById('logout').onclick = () => client.logout({ logoutParams: { returnTo: location.origin } });
  if (new URLSearchParams(location.search).has('code')) {
    await client.handleRedirectCallback();
    history.replaceState({}, document.title, '/');
  }
  const user = await client.getUser();
  document.getElementById('status').textContent = user ? 'Signed in as ' + user.email : 'Signed out';
  document.getElementById(user ? 'logout' : 'login').hidden = false;
  return client;
})();
/** What a call gave: its value, or the SDK's error code (OAuth's 'error', else the message). */
const outcome = (promise) => promise.then((value) => ({ value }), (e) => ({ error: e.error || e.message }));
window.refresh = async () => outcome((await window.app).getTokenSilently({ cacheMode: 'off', detailedResponse: true }));
/**
 * A second client, without refresh tokens: its getTokenSilently is /authorize with prompt=none in a
 * hidden iframe. It waits 10 s, not the SDK's 60, for a frame that posts nothing: such a failure shows as its timeout.
 */
window.silentInIframe = () => outcome(
  new auth0.Auth0Client(options({ useRefreshTokens: false, cacheLocation: 'memory', authorizeTimeoutInSeconds: 10 }))
    .getTokenSilently({ cacheMode: 'off', detailedResponse: true }),
);
</script>
</body></html>`;

/** A page at another origin calling the tenant from a script: the refused caller. */
export const PROBE_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Elsewhere</title></head><body><p>Elsewhere</p></body></html>';

/** A node:http server on a free port of 127.0.0.1, named by `host` in its origin (localhost resolves to 127.0.0.1). */
export async function listen(
  handle: (path: string) => { type: string; body: string | Buffer } | undefined,
  host = 'localhost',
): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const found = handle(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (!found) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': found.type, 'cache-control': 'no-store' }).end(found.body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, origin: `http://${host}:${(server.address() as AddressInfo).port}` };
}

export const close = (server: Server) => new Promise<void>((done) => server.close(() => done()));

interface TokenResponse {
  grant_type: string;
  status: number;
  body: { refresh_token?: string; access_token?: string; id_token?: string; error?: string };
}

/** A silent /authorize request (prompt=none), from whichever frame: its response mode, and whether the SSO session cookie went with it. */
interface SilentAuthorization {
  response_mode: string | null;
  session_cookie: boolean;
}

type Outcome = { value?: { access_token: string; id_token: string }; error?: string };

/** What the app's page exposes to the test's page.evaluate calls (run in the page, where globalThis is its window). */
export interface AppWindow {
  app: Promise<{ getUser(): Promise<Record<string, unknown> | undefined> }>;
  refresh(): Promise<Outcome>;
  silentInIframe(): Promise<Outcome>;
}
export const inApp = (page: Page, call: 'refresh' | 'silentInIframe'): Promise<Outcome> =>
  page.evaluate((name) => (globalThis as unknown as AppWindow)[name](), call);

/** The tenant, the browser and the servers to close, as the test file started them (`env` is read at each call). */
export interface SpaEnv {
  tenant: Awaited<ReturnType<typeof listeningTenant>>;
  browser: Browser;
  servers: Server[];
}

export function spaHarness(env: () => SpaEnv) {
  async function managementToken(): Promise<string> {
    const res = await fetch(new URL('oauth/token', env().tenant.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: DEMO.clients.management.client_id,
        client_secret: DEMO.clients.management.secret,
        audience: `${env().tenant.url}api/v2/`,
      }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  const management = async (path: string, init: RequestInit = {}) =>
    fetch(new URL(`api/v2/${path}`, env().tenant.url), {
      ...init,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await managementToken()}`,
        ...init.headers,
      },
    });

  /**
   * Jane's live refresh tokens of one application, as the Management API lists them. A rotating
   * token keeps its id across exchanges (as at Auth0); `last_exchanged_at` records each one.
   */
  async function liveTokens(clientId: string): Promise<{ id: string; last_exchanged_at: string | null }[]> {
    const res = await management(`users/${encodeURIComponent(DEMO.sampleUser.user_id)}/refresh-tokens`);
    expect(res.status).toBe(200);
    const { tokens } = (await res.json()) as {
      tokens: { id: string; client_id: string; last_exchanged_at: string | null }[];
    };
    return tokens
      .filter((t) => t.client_id === clientId)
      .map(({ id, last_exchanged_at }) => ({ id, last_exchanged_at }));
  }

  /**
   * A SPA of its own for each test: served on a free port of localhost (same site as the
   * tenant) or of 127.0.0.1 (another site), then registered as a user registers one (app_type
   * spa, its origin as callback, web origin and logout URL, rotating refresh tokens with no
   * reuse interval).
   */
  async function spa(host: 'localhost' | '127.0.0.1' = 'localhost') {
    let clientId = '';
    const { server, origin } = await listen((path) => {
      if (path === '/auth0-spa-js.production.js') return { type: 'text/javascript', body: SDK_BUNDLE };
      if (path === '/')
        return {
          type: 'text/html; charset=utf-8',
          body: appPage({ domain: env().tenant.url.replace(/\/$/, ''), clientId }),
        };
      return undefined;
    }, host);
    env().servers.push(server);
    const registered = await management('clients', {
      method: 'POST',
      body: JSON.stringify({
        name: 'SPA (auth0-spa-js in Chromium)',
        app_type: 'spa',
        callbacks: [origin],
        web_origins: [origin],
        allowed_logout_urls: [origin],
        grant_types: ['authorization_code', 'refresh_token'],
        refresh_token: {
          rotation_type: 'rotating',
          expiration_type: 'expiring',
          leeway: 0,
          token_lifetime: 86_400,
          idle_token_lifetime: 3_600,
        },
      }),
    });
    expect(registered.status).toBe(201);
    const client = (await registered.json()) as { client_id: string; token_endpoint_auth_method: string };
    expect(client.token_endpoint_auth_method).toBe('none');
    clientId = client.client_id;
    return { origin, clientId };
  }

  /**
   * A fresh browser on the SPA, with every /oauth/token exchange it makes recorded (request and
   * answer), and every silent /authorize request.
   */
  async function openApp(
    origin: string,
  ): Promise<{ page: Page; exchanges: TokenResponse[]; silent: SilentAuthorization[] }> {
    const context = await env().browser.newContext();
    const page = await context.newPage();
    const exchanges: TokenResponse[] = [];
    const silent: SilentAuthorization[] = [];
    page.on('request', async (req) => {
      const url = new URL(req.url());
      if (
        url.origin !== new URL(env().tenant.url).origin ||
        url.pathname !== '/authorize' ||
        url.searchParams.get('prompt') !== 'none'
      )
        return;
      // allHeaders: the headers as sent, cookies included.
      const cookie = (await req.allHeaders().catch(() => ({}) as Record<string, string>)).cookie ?? '';
      silent.push({
        response_mode: url.searchParams.get('response_mode'),
        session_cookie: /(^|;\s*)tenant_session=/.test(cookie),
      });
    });
    page.on('response', async (res) => {
      if (res.url() !== new URL('oauth/token', env().tenant.url).href || res.request().method() !== 'POST') return;
      const sent = res.request().postData() ?? '';
      // The SDK posts a form; a script of the test's own may post JSON.
      const grant_type =
        (sent.startsWith('{')
          ? (JSON.parse(sent) as { grant_type?: string }).grant_type
          : new URLSearchParams(sent).get('grant_type')) ?? '';
      // A page closed mid-answer leaves nothing to read; the assertions then see the exchange missing.
      const body = (await res.json().catch(() => undefined)) as TokenResponse['body'] | undefined;
      if (body) exchanges.push({ grant_type, status: res.status(), body });
    });
    await page.goto(origin);
    return { page, exchanges, silent };
  }

  /** loginWithRedirect, the tenant's login form, back to the SPA and handleRedirectCallback. */
  async function logIn(page: Page, origin: string) {
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => url.origin === new URL(env().tenant.url).origin && url.pathname === '/authorize');
    await page.getByLabel('Email address').fill(DEMO.sampleUser.email);
    await page.getByLabel('Password').fill(DEMO.endUserPassword);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.origin === origin);
    await expect.poll(() => page.locator('#status').textContent()).toBe(`Signed in as ${DEMO.sampleUser.email}`);
    expect(page.url()).toBe(`${origin}/`);
  }

  return { managementToken, management, liveTokens, spa, openApp, logIn };
}
