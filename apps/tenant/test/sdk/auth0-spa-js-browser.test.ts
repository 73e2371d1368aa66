import { chromium, type Browser, type Page } from '@playwright/test';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/demo/demo-data.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { testStorage } from '../fixtures.ts';
import { listeningTenant } from '../server.ts';
import {
  type AppWindow,
  CHROMIUM,
  close,
  inApp,
  listen,
  PROBE_PAGE,
  spaHarness,
  unavailable,
} from './spa-in-chromium.ts';

/**
 * auth0-spa-js (pinned in the root package.json), its own distributed bundle, in Chromium,
 * set up as its documentation sets it up against Auth0, against the tenant over real sockets.
 * The SPA and the tenant are on two ports of localhost: same site, different origins, as an
 * app at https://app.example.com and its custom domain https://login.example.com are. No
 * browser flag weakens security: CORS, CSP, SameSite and frame-ancestors are Chromium's own.
 */

let tenant: Awaited<ReturnType<typeof listeningTenant>>;
let browser: Browser;
let probe: Awaited<ReturnType<typeof listen>>;
const servers: Server[] = [];
const where = testStorage();
const { liveTokens, spa, openApp, logIn } = spaHarness(() => ({ tenant, browser, servers }));

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

  it(
    'on another site than the tenant, ' +
      'silent authentication in an iframe gives login_required (the session cookie is SameSite=Lax) and refresh tokens carry on',
    async () => {
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
    },
  );

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
