import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD } from './fixtures.ts';
import { CookieJar, pkce } from './browser.ts';
import { managementHarness, type ManagementHarness } from './management/helpers.ts';

/**
 * auth0-spa-js (pinned in the root package.json) against the tenant's web_message page,
 * without a browser: the SDK's own `runIframe` (its silent-authentication listener, taken
 * from its distributed source) receives what the tenant's page posts. The frame is simulated:
 * the page's script runs with `window.parent` delivering a MessageEvent from the tenant's
 * origin, as a browser would. What a real browser adds (cookies in a cross-site frame, CSP
 * enforcement) is not covered here: sdk/auth0-spa-js-browser.test.ts runs the SDK in Chromium.
 */
const SDK_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('@auth0/auth0-spa-js/dist/auth0-spa-js.development.js'),
  'utf8',
);

/** The SDK's runIframe, as distributed: its text between its declaration and the next one. */
function sdkRunIframe(
  window: unknown,
): (authorizeUrl: string, eventOrigin: string, timeoutInSeconds?: number) => Promise<Record<string, string>> {
  const start = SDK_SOURCE.indexOf('const runIframe = function runIframe(');
  const end = SDK_SOURCE.indexOf('const openPopup =', start);
  expect(start, 'runIframe in auth0-spa-js').toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  const source = SDK_SOURCE.slice(start, end);
  // What the tenant's page must satisfy, read in the SDK's code.
  expect(source).toContain('if (e.origin != eventOrigin) return;');
  expect(source).toContain('e.data.type !== "authorization_response"');
  expect(source).toContain(
    'e.data.response.error ? rej(GenericError.fromPayload(e.data.response)) : res(e.data.response)',
  );
  class GenericError extends Error {
    constructor(
      readonly error: string,
      readonly error_description: string,
    ) {
      super(error_description);
    }
    static fromPayload(p: { error: string; error_description: string }) {
      return new GenericError(p.error, p.error_description);
    }
  }
  return runInNewContext(`${source}; runIframe`, {
    window,
    setTimeout,
    clearTimeout,
    Promise,
    GenericError,
    TimeoutError: class TimeoutError extends Error {},
    DEFAULT_AUTHORIZE_TIMEOUT_IN_SECONDS: 60,
    CLEANUP_IFRAME_TIMEOUT_IN_SECONDS: 0,
  });
}

let h: ManagementHarness;
let tenantUrl: string;
beforeEach(async () => {
  h = await managementHarness();
  tenantUrl = h.baseUrl.replace(/\/api\/v2$/, '');
});
afterEach(() => h.stop());

const APP = 'https://app.test';

/**
 * The SPA's window at https://app.test: the SDK appends an iframe and sets its src; the
 * "frame" loads the URL from the tenant with the browser's cookies and runs the page's script,
 * whose `window.parent.postMessage` reaches the SPA's listeners as from the tenant's origin.
 */
function spaWindow(jar: CookieJar) {
  const listeners: ((e: unknown) => void)[] = [];
  const children = new Set<unknown>();
  const posted: string[] = [];
  const window = {
    addEventListener: (_type: string, listener: (e: unknown) => void) => listeners.push(listener),
    removeEventListener: (_type: string, listener: (e: unknown) => void) =>
      listeners.splice(listeners.indexOf(listener), 1),
    document: {
      body: {
        contains: (n: unknown) => children.has(n),
        appendChild: (n: unknown) => children.add(n),
        removeChild: (n: unknown) => children.delete(n),
      },
      createElement: () => ({
        style: {},
        setAttribute(name: string, value: string) {
          if (name !== 'src') return;
          void (async () => {
            const res = await fetch(value, { headers: { cookie: jar.header() }, redirect: 'manual' });
            const page = await res.text();
            const script = /<script nonce="[^"]+">([\s\S]*?)<\/script>/.exec(page)?.[1];
            if (!script) return;
            const parent = {
              postMessage(data: unknown, targetOrigin: string) {
                posted.push(targetOrigin);
                if (targetOrigin !== APP) return; // the browser drops a message for another origin
                for (const listener of [...listeners])
                  listener({ origin: new URL(tenantUrl).origin, data, source: { close() {} } });
              },
            };
            runInNewContext(script, { window: { opener: null, parent } });
          })();
        },
      }),
    },
  };
  return { window, posted };
}

async function signedIn() {
  const jar = new CookieJar();
  const { challenge } = pkce();
  const params = {
    response_type: 'code',
    client_id: 'mobile',
    redirect_uri: `${APP}/callback`,
    scope: 'openid',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };
  const page = await fetch(`${tenantUrl}/authorize?${new URLSearchParams(params)}`, { redirect: 'manual' });
  jar.store(page);
  const tx = /name="tx" value="([^"]+)"/.exec(await page.text())![1]!;
  const login = await fetch(`${tenantUrl}/u/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams({ tx, username: h.alice.email, password: PASSWORD }).toString(),
    redirect: 'manual',
  });
  expect(login.status).toBe(302);
  jar.store(login);
  return jar;
}

/** The authorize URL auth0-spa-js builds for getTokenSilently (response_mode web_message, prompt none). */
function silentAuthorizeUrl() {
  const { verifier, challenge } = pkce();
  const params = {
    client_id: 'mobile',
    scope: 'openid profile email offline_access',
    redirect_uri: APP,
    prompt: 'none',
    response_type: 'code',
    response_mode: 'web_message',
    state: 'c3RhdGU=',
    nonce: 'bm9uY2U=',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };
  return { verifier, url: `${tenantUrl}/authorize?${new URLSearchParams(params)}` };
}

describe("auth0-spa-js's silent authentication listener and the tenant's web_message page", () => {
  it('resolves with the code and state the page posts, and the code exchanges', async () => {
    await h.api.clients.update('mobile', { callbacks: [`${APP}/callback`, APP], web_origins: [APP] });
    const jar = await signedIn();
    const { window, posted } = spaWindow(jar);
    const { url, verifier } = silentAuthorizeUrl();
    const result = await sdkRunIframe(window)(url, new URL(tenantUrl).origin, 10);
    expect(posted).toEqual([APP]);
    expect(result).toEqual({ code: expect.any(String), state: 'c3RhdGU=' });
    const token = await fetch(`${tenantUrl}/oauth/token`, {
      method: 'POST',
      headers: { origin: APP, 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'authorization_code',
        client_id: 'mobile',
        code: result.code,
        code_verifier: verifier,
        redirect_uri: APP,
      }),
    });
    expect(token.status).toBe(200);
    expect(token.headers.get('access-control-allow-origin')).toBe(APP);
  });

  it('rejects with login_required when the browser has no session', async () => {
    await h.api.clients.update('mobile', { callbacks: [`${APP}/callback`, APP], web_origins: [APP] });
    const { window } = spaWindow(new CookieJar());
    await expect(sdkRunIframe(window)(silentAuthorizeUrl().url, new URL(tenantUrl).origin, 10)).rejects.toMatchObject({
      error: 'login_required',
      error_description: 'Login required',
    });
  });
});
