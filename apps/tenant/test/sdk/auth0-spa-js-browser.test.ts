import { chromium, type Browser, type Page } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/demo/demo-data.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { testStorage } from '../fixtures.ts';
import { listeningTenant } from '../server.ts';

/**
 * auth0-spa-js (pinned in the root package.json), its own distributed bundle, in Chromium,
 * set up as its documentation sets it up against Auth0, against the tenant over real sockets.
 * The SPA and the tenant are on two ports of localhost: same site, different origins, as an
 * app at https://app.example.com and its custom domain https://login.example.com are. No
 * browser flag weakens security: CORS, CSP, SameSite and frame-ancestors are Chromium's own.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// In CI, `npm test` installs Chromium first (scripts/ensure-chromium.mjs): a missing one fails there.
const unavailable =
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
window.silentInIframe = () => outcome(new auth0.Auth0Client(options({ useRefreshTokens: false, cacheLocation: 'memory', authorizeTimeoutInSeconds: 10 })).getTokenSilently({ cacheMode: 'off', detailedResponse: true }));
</script>
</body></html>`;

/** A page at another origin calling the tenant from a script: the refused caller. */
const PROBE_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Elsewhere</title></head><body><p>Elsewhere</p></body></html>';

/** A node:http server on a free port of 127.0.0.1, named by `host` in its origin (localhost resolves to 127.0.0.1). */
async function listen(
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

const close = (server: Server) => new Promise<void>((done) => server.close(() => done()));

let tenant: Awaited<ReturnType<typeof listeningTenant>>;
let browser: Browser;
let probe: Awaited<ReturnType<typeof listen>>;
const servers: Server[] = [];
const where = testStorage();

async function managementToken(): Promise<string> {
  const res = await fetch(new URL('oauth/token', tenant.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: DEMO.clients.management.client_id,
      client_secret: DEMO.clients.management.secret,
      audience: `${tenant.url}api/v2/`,
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

const management = async (path: string, init: RequestInit = {}) =>
  fetch(new URL(`api/v2/${path}`, tenant.url), {
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
  return tokens.filter((t) => t.client_id === clientId).map(({ id, last_exchanged_at }) => ({ id, last_exchanged_at }));
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
      return { type: 'text/html; charset=utf-8', body: appPage({ domain: tenant.url.replace(/\/$/, ''), clientId }) };
    return undefined;
  }, host);
  servers.push(server);
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

/**
 * A fresh browser on the SPA, with every /oauth/token exchange it makes recorded (request and
 * answer), and every silent /authorize request.
 */
async function openApp(
  origin: string,
): Promise<{ page: Page; exchanges: TokenResponse[]; silent: SilentAuthorization[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const exchanges: TokenResponse[] = [];
  const silent: SilentAuthorization[] = [];
  page.on('request', async (req) => {
    const url = new URL(req.url());
    if (
      url.origin !== new URL(tenant.url).origin ||
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
    if (res.url() !== new URL('oauth/token', tenant.url).href || res.request().method() !== 'POST') return;
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
  await page.waitForURL((url) => url.origin === new URL(tenant.url).origin && url.pathname === '/authorize');
  await page.getByLabel('Email address').fill(DEMO.sampleUser.email);
  await page.getByLabel('Password').fill(DEMO.endUserPassword);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((url) => url.origin === origin);
  await expect.poll(() => page.locator('#status').textContent()).toBe(`Signed in as ${DEMO.sampleUser.email}`);
  expect(page.url()).toBe(`${origin}/`);
}

type Outcome = { value?: { access_token: string; id_token: string }; error?: string };

/** What the app's page exposes to the test's page.evaluate calls (run in the page, where globalThis is its window). */
interface AppWindow {
  app: Promise<{ getUser(): Promise<Record<string, unknown> | undefined> }>;
  refresh(): Promise<Outcome>;
  silentInIframe(): Promise<Outcome>;
}
const inApp = (page: Page, call: 'refresh' | 'silentInIframe'): Promise<Outcome> =>
  page.evaluate((name) => (globalThis as unknown as AppWindow)[name](), call);

beforeAll(async () => {
  if (unavailable) return;
  tenant = await listeningTenant(
    { storage: where.storage, ...(where.schema ? { schema: where.schema } : {}), demo: true, logger: silentLogger },
    { issuerHost: 'localhost' },
  );
  probe = await listen((path) => (path === '/' ? { type: 'text/html; charset=utf-8', body: PROBE_PAGE } : undefined));
  servers.push(probe.server);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // As in playwright.config.ts: root needs --no-sandbox; the rest keeps a closed network quiet.
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-gpu',
      '--no-first-run',
    ],
  });
});
afterAll(async () => {
  if (unavailable) return;
  await browser?.close();
  await Promise.all(servers.map(close));
  await tenant?.close();
  await where.cleanup();
});

if (unavailable) it.skip(`auth0-spa-js in Chromium skipped: ${unavailable}`, () => {});

describe.skipIf(!!unavailable)('auth0-spa-js in Chromium against the tenant', () => {
  it('logs in with a redirect, rotates its refresh token, and a replayed first refresh token revokes the family', async () => {
    const { origin, clientId } = await spa();
    const { page, exchanges } = await openApp(origin);
    await logIn(page, origin);
    const user = await page.evaluate(async () => (await (globalThis as unknown as AppWindow).app).getUser());
    expect(user).toMatchObject({
      sub: DEMO.sampleUser.user_id,
      email: DEMO.sampleUser.email,
      name: DEMO.sampleUser.name,
    });

    await expect.poll(() => exchanges.map((e) => `${e.grant_type} ${e.status}`)).toEqual(['authorization_code 200']);
    const first = exchanges[0]!.body.refresh_token!;
    expect(first).toEqual(expect.any(String));
    const [family, ...others] = await liveTokens(clientId);
    expect(others).toEqual([]);
    expect(family).toEqual({ id: expect.any(String), last_exchanged_at: null });

    // Rotation: the exchange hands back a new refresh token, which replaces the first at the tenant.
    const rotated = await inApp(page, 'refresh');
    expect(rotated.error).toBeUndefined();
    expect(rotated.value!.access_token).toEqual(expect.any(String));
    await expect
      .poll(() => exchanges.map((e) => `${e.grant_type} ${e.status}`))
      .toEqual(['authorization_code 200', 'refresh_token 200']);
    const second = exchanges[1]!.body.refresh_token!;
    expect(second).toEqual(expect.any(String));
    expect(second).not.toBe(first);
    expect(await liveTokens(clientId)).toEqual([{ id: family!.id, last_exchanged_at: expect.any(String) }]);

    // Reuse: the first refresh token, replayed by someone else, is refused and takes the family with it.
    const replay = await fetch(new URL('oauth/token', tenant.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: clientId, refresh_token: first }),
    });
    // Auth0 answers a refused refresh token with 403 invalid_grant.
    expect(replay.status).toBe(403);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
    await expect.poll(() => liveTokens(clientId)).toEqual([]);
    const refused = await inApp(page, 'refresh');
    expect(refused).toEqual({ error: 'invalid_grant' });
    await page.context().close();
  });

  it('authenticates silently in a hidden iframe without refresh tokens, and not after logout (login_required)', async () => {
    const { origin } = await spa();
    const { page, exchanges, silent: authorizations } = await openApp(origin);
    await logIn(page, origin);
    await expect.poll(() => exchanges.map((e) => `${e.grant_type} ${e.status}`)).toEqual(['authorization_code 200']);
    const loginIdToken = exchanges[0]!.body.id_token!;

    const silent = await inApp(page, 'silentInIframe');
    expect(silent.error).toBeUndefined();
    expect(silent.value!.access_token).toEqual(expect.any(String));
    // The iframe's request: web_message, with the session cookie (same site); its code was exchanged, in the login's SSO session.
    await expect.poll(() => authorizations).toEqual([{ response_mode: 'web_message', session_cookie: true }]);
    await expect
      .poll(() => exchanges.map((e) => `${e.grant_type} ${e.status}`))
      .toEqual(['authorization_code 200', 'authorization_code 200']);
    const sid = (jwt: string) =>
      (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { sid?: string }).sid;
    expect(sid(silent.value!.id_token)).toEqual(expect.any(String));
    expect(sid(silent.value!.id_token)).toBe(sid(loginIdToken));

    const logout = page.waitForResponse(
      (res) => new URL(res.url()).pathname === '/v2/logout' && res.url().startsWith(tenant.url),
    );
    await page.getByRole('button', { name: 'Log out' }).click();
    expect((await logout).headers().location).toBe(`${origin}/`);
    await expect.poll(() => page.locator('#status').textContent()).toBe('Signed out');
    const afterLogout = await inApp(page, 'silentInIframe');
    expect(afterLogout).toEqual({ error: 'login_required' });
    // Logout deleted the session cookie: the second iframe went without it.
    await expect.poll(() => authorizations.map((a) => a.session_cookie)).toEqual([true, false]);
    await page.context().close();
  });

  it('on another site than the tenant, silent authentication in an iframe gives login_required (the session cookie is SameSite=Lax) and refresh tokens carry on', async () => {
    const { origin } = await spa('127.0.0.1');
    const { page, exchanges, silent: authorizations } = await openApp(origin);
    await logIn(page, origin);
    await expect.poll(() => exchanges.map((e) => `${e.grant_type} ${e.status}`)).toEqual(['authorization_code 200']);
    expect(await inApp(page, 'silentInIframe')).toEqual({ error: 'login_required' });
    // Chromium keeps a SameSite=Lax cookie out of a cross-site frame; on http it would refuse SameSite=None (no Secure) outright.
    await expect.poll(() => authorizations).toEqual([{ response_mode: 'web_message', session_cookie: false }]);
    const refreshed = await inApp(page, 'refresh');
    expect(refreshed.error).toBeUndefined();
    expect(refreshed.value!.access_token).toEqual(expect.any(String));
    await page.context().close();
  });

  it('answers CORS to the registered origin only: a script on another origin is blocked by Chromium, and its refused request changes nothing', async () => {
    const { origin, clientId } = await spa();
    const { page, exchanges } = await openApp(origin);
    await logIn(page, origin);
    await expect.poll(() => exchanges.map((e) => `${e.grant_type} ${e.status}`)).toEqual(['authorization_code 200']);
    const live = exchanges[0]!.body.refresh_token!;
    const tokenUrl = new URL('oauth/token', tenant.url).href;
    // JSON is preflighted (the request is sent only if the preflight is answered); a form is a simple request (sent, its answer withheld).
    const call = async (on: Page, body: Record<string, string>, as: 'json' | 'form' = 'json') =>
      on.evaluate(
        async ([url, payload, type]) => {
          try {
            const res = await fetch(url, {
              method: 'POST',
              ...(type === 'json'
                ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) }
                : { body: new URLSearchParams(payload) }),
            });
            return { status: res.status, body: await res.json() };
          } catch (e) {
            return { thrown: `${(e as Error).name}` };
          }
        },
        [tokenUrl, body, as] as const,
      );

    // The registered origin reads the answer (here the tenant's refusal of a made-up token).
    expect(
      await call(page, { grant_type: 'refresh_token', client_id: clientId, refresh_token: 'not-a-token' }),
    ).toEqual({
      status: 403,
      body: expect.objectContaining({ error: 'invalid_grant' }),
    });

    // Another origin, same site, presenting the SPA's live refresh token: its preflight gets no CORS answer, and the fetch rejects.
    const elsewhere = await page.context().newPage();
    await elsewhere.goto(probe.origin);
    await expect.poll(() => elsewhere.getByText('Elsewhere').isVisible()).toBe(true);
    expect(await call(elsewhere, { grant_type: 'refresh_token', client_id: clientId, refresh_token: live })).toEqual({
      thrown: 'TypeError',
    });
    // Without a preflight too, Chromium withholds the answer from that origin (here to a made-up token, so nothing changes at the tenant either).
    expect(
      await call(elsewhere, { grant_type: 'refresh_token', client_id: clientId, refresh_token: 'not-a-token' }, 'form'),
    ).toEqual({ thrown: 'TypeError' });
    // Nothing was exchanged: the SPA's own refresh, with that same token, still succeeds (a reuse would be invalid_grant).
    const refreshed = await inApp(page, 'refresh');
    expect(refreshed.error).toBeUndefined();
    await expect
      .poll(() => exchanges.map((e) => `${e.grant_type} ${e.status}`))
      .toEqual(['authorization_code 200', 'refresh_token 403', 'refresh_token 200']);
    await page.context().close();
  });
});
