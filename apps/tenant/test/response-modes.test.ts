import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { client, PASSWORD } from './fixtures.ts';
import { CookieJar, pkce } from './browser.ts';
import { managementHarness, type ManagementHarness } from './management/helpers.ts';

/**
 * /authorize's response modes, over real sockets as a browser meets them: `web_message` (what
 * auth0-spa-js uses for silent authentication in a hidden iframe, `prompt=none`, and for
 * loginWithPopup) and `form_post`. The SPA is `mobile` (public, PKCE), calling back to
 * https://app.test/callback; its Allowed Web Origins are set per test.
 */
let h: ManagementHarness;
let url: string;
beforeEach(async () => {
  h = await managementHarness();
  url = h.baseUrl.replace(/\/api\/v2$/, '');
});
afterEach(() => h.stop());

const APP = 'https://app.test';
const CALLBACK = 'https://app.test/callback';

function authorizeParams(extra: Record<string, string> = {}) {
  const { verifier, challenge } = pkce();
  return {
    verifier,
    params: {
      response_type: 'code',
      client_id: 'mobile',
      redirect_uri: CALLBACK,
      scope: 'openid profile offline_access',
      state: 'st4te',
      nonce: 'n0nce',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    },
  };
}

/** A browser's GET, with its cookies, not following redirects. */
async function get(path: string, jar: CookieJar) {
  const res = await fetch(`${url}${path}`, { headers: { cookie: jar.header() }, redirect: 'manual' });
  jar.store(res);
  return res;
}

/** Signs alice in through the login form of an /authorize request; the answer of POST /u/login. */
async function signIn(params: Record<string, string>, jar = new CookieJar()) {
  const page = await get(`/authorize?${new URLSearchParams(params)}`, jar);
  expect(page.status).toBe(200);
  const tx = /name="tx" value="([^"]+)"/.exec(await page.text())![1]!;
  const res = await fetch(`${url}/u/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams({ tx, username: h.alice.email, password: PASSWORD }).toString(),
    redirect: 'manual',
  });
  jar.store(res);
  return { res, jar };
}

/** A browser with a live SSO session at the tenant. */
async function signedInBrowser() {
  const { res, jar } = await signIn(authorizeParams().params);
  expect(res.status).toBe(302);
  return jar;
}

/** The page's only script, checked against its CSP: allowed by nonce, and nothing else is. */
async function ownScript(res: Response) {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  const csp = res.headers.get('content-security-policy') ?? '';
  const body = await res.text();
  const scripts = [...body.matchAll(/<script nonce="([^"]+)">([\s\S]*?)<\/script>/g)];
  expect(scripts).toHaveLength(1);
  expect(body.match(/<script/g)).toHaveLength(1);
  const [, nonce, script] = scripts[0]!;
  expect(csp).toContain(`script-src 'nonce-${nonce}'`);
  expect(csp).toContain("default-src 'none'");
  expect(csp).not.toContain('unsafe-inline');
  return { csp, body, script: script! };
}

/** Runs a web_message page's script as a frame would, collecting what it posts to its parent. */
function postedBy(script: string, opener: boolean) {
  const posted: { message: unknown; targetOrigin: string }[] = [];
  const target = {
    postMessage: (message: unknown, targetOrigin: string) =>
      posted.push({ message: JSON.parse(JSON.stringify(message)), targetOrigin }),
  };
  runInNewContext(script, { window: opener ? { opener: target, parent: null } : { opener: null, parent: target } });
  return posted;
}

const exchange = (code: string, verifier: string) =>
  fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { origin: APP, 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'authorization_code',
      client_id: 'mobile',
      code,
      code_verifier: verifier,
      redirect_uri: CALLBACK,
    }),
  });

describe('GET /authorize with response_mode=web_message', () => {
  it('with prompt=none and a live session, posts the code to the parent frame at the registered web origin; the code exchanges', async () => {
    await h.api.clients.update('mobile', { web_origins: [APP] });
    const jar = await signedInBrowser();
    const { params, verifier } = authorizeParams({ response_mode: 'web_message', prompt: 'none' });
    const { csp, script } = await ownScript(await get(`/authorize?${new URLSearchParams(params)}`, jar));
    // Framed by the SPA's hidden iframe, and by no one else.
    expect(csp).toContain(`frame-ancestors ${APP}`);
    const posted = postedBy(script, false);
    expect(posted).toEqual([
      {
        targetOrigin: APP,
        message: { type: 'authorization_response', response: { code: expect.any(String), state: 'st4te' } },
      },
    ]);
    const code = (posted[0]!.message as { response: { code: string } }).response.code;
    const res = await exchange(code, verifier);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
  });

  it('without a session, posts login_required in the same mode', async () => {
    await h.api.clients.update('mobile', { web_origins: [APP] });
    const { params } = authorizeParams({ response_mode: 'web_message', prompt: 'none' });
    const { script } = await ownScript(await get(`/authorize?${new URLSearchParams(params)}`, new CookieJar()));
    expect(postedBy(script, false)).toEqual([
      {
        targetOrigin: APP,
        message: {
          type: 'authorization_response',
          response: { error: 'login_required', error_description: 'Login required', state: 'st4te' },
        },
      },
    ]);
  });

  it('after the login form (loginWithPopup), posts the code to the opener', async () => {
    await h.api.clients.update('mobile', { web_origins: [APP] });
    const { params } = authorizeParams({ response_mode: 'web_message' });
    const { res } = await signIn(params);
    const { script } = await ownScript(res);
    expect(postedBy(script, true)).toEqual([
      {
        targetOrigin: APP,
        message: { type: 'authorization_response', response: { code: expect.any(String), state: 'st4te' } },
      },
    ]);
  });

  it('posts errors found after the client and redirect_uri in the same mode', async () => {
    await h.api.clients.update('mobile', { web_origins: [APP] });
    const { params } = authorizeParams({ response_mode: 'web_message', prompt: 'none' });
    const { script } = await ownScript(
      await get(`/authorize?${new URLSearchParams({ ...params, code_challenge_method: 'plain' })}`, new CookieJar()),
    );
    expect(postedBy(script, false)[0]!.message).toMatchObject({
      response: { error: 'invalid_request', state: 'st4te' },
    });
  });

  it('refuses, on a page that posts nothing, a redirect_uri whose origin is not a registered web origin; nothing changes', async () => {
    const jar = await signedInBrowser();
    const before = await h.store.refreshTokens.listRefreshTokens(
      { user_id: h.alice.user_id },
      h.clock.now(),
      undefined,
      10,
    );
    // https://app.test is a callback's origin (CORS allows it) but not an Allowed Web Origin.
    for (const webOrigins of [[], ['https://other.test'], ['https://*.app.test']]) {
      await h.api.clients.update('mobile', { web_origins: webOrigins });
      const res = await get(
        `/authorize?${new URLSearchParams(authorizeParams({ response_mode: 'web_message', prompt: 'none' }).params)}`,
        jar,
      );
      expect(res.status, JSON.stringify(webOrigins)).toBe(400);
      const body = await res.text();
      expect(body).toContain('Allowed Web Origins');
      expect(body).not.toContain('<script');
      expect(res.headers.get('location')).toBeNull();
    }
    expect(
      await h.store.refreshTokens.listRefreshTokens({ user_id: h.alice.user_id }, h.clock.now(), undefined, 10),
    ).toEqual(before);
  });

  it('keeps any state safe inside the script: it cannot end the script, and arrives as sent', async () => {
    await h.api.clients.update('mobile', { web_origins: [APP] });
    const state = '</script><script>alert(1)</script>\u2028"\'&<!--';
    const { params } = authorizeParams({ response_mode: 'web_message', prompt: 'none', state });
    const { script } = await ownScript(await get(`/authorize?${new URLSearchParams(params)}`, new CookieJar()));
    expect(postedBy(script, false)[0]!.message).toMatchObject({ response: { error: 'login_required', state } });
  });
});

describe('GET /authorize with response_mode=form_post', () => {
  it('answers a page that POSTs the code and state to the redirect_uri, its own script alone allowed; the code exchanges', async () => {
    const jar = await signedInBrowser();
    const { params, verifier } = authorizeParams({ response_mode: 'form_post' });
    const { csp, body, script } = await ownScript(await get(`/authorize?${new URLSearchParams(params)}`, jar));
    expect(csp).toContain(`form-action ${APP}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(script).toBe('document.forms[0].submit();');
    expect(body).toContain(`<form method="post" action="${CALLBACK}">`);
    const fields = Object.fromEntries(
      [...body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]),
    );
    expect(fields).toEqual({ code: expect.any(String), state: 'st4te' });
    expect((await exchange(fields.code!, verifier)).status).toBe(200);
  });

  it('posts login_required without a session under prompt=none, with an HTML-escaped state', async () => {
    const { params } = authorizeParams({ response_mode: 'form_post', prompt: 'none', state: '"><img src=x>' });
    const { body } = await ownScript(await get(`/authorize?${new URLSearchParams(params)}`, new CookieJar()));
    expect(body).toContain('name="error" value="login_required"');
    expect(body).toContain('name="state" value="&quot;&gt;&lt;img src=x&gt;"');
  });
  it('refuses a stored javascript:, data:, vbscript: or file: callback (written before they were refused): no page posts or redirects to it', async () => {
    const scripts = [
      'javascript:alert(1)//',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
    ];
    await h.store.directory.putClient(
      client({ client_id: 'old-row', callbacks: scripts, allowed_logout_urls: scripts }),
    );
    for (const redirect_uri of scripts) {
      for (const response_mode of ['form_post', 'query', 'web_message']) {
        const { params } = authorizeParams({ client_id: 'old-row', redirect_uri, response_mode, prompt: 'none' });
        const res = await get(`/authorize?${new URLSearchParams(params)}`, new CookieJar());
        expect(res.status, `${response_mode} ${redirect_uri}`).toBe(400);
        expect(res.headers.get('location')).toBeNull();
        expect(await res.text()).not.toContain(redirect_uri.slice(0, redirect_uri.indexOf(':') + 1));
      }
      const logout = await get(
        `/v2/logout?${new URLSearchParams({ client_id: 'old-row', returnTo: redirect_uri })}`,
        new CookieJar(),
      );
      expect(logout.headers.get('location'), `logout to ${redirect_uri}`).toBeNull();
    }
  });
});

describe('GET /authorize with another response_mode', () => {
  it('redirects invalid_request for one it does not serve, never a 500', async () => {
    // (An empty response_mode is as if omitted, RFC 6749 3.1: query.)
    for (const mode of ['fragment', 'jwt', 'bogus', 'web_message ']) {
      const res = await get(
        `/authorize?${new URLSearchParams(authorizeParams({ response_mode: mode }).params)}`,
        new CookieJar(),
      );
      expect(res.status, mode).toBe(302);
      const location = new URL(res.headers.get('location')!);
      expect(location.origin + location.pathname).toBe(CALLBACK);
      expect(location.searchParams.get('error')).toBe('invalid_request');
    }
  });
});
