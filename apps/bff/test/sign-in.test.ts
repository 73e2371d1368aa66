import { Browser, signIn, startTestStack, type TestStack } from '@rtc/testkit';
import { json } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

const host = () => new URL(stack.bffUrl).host;

describe('staff sign-in (OIDC code + PKCE against the tenant, over HTTP)', () => {
  it('signs in, shows who and what role, and keeps the session in an HttpOnly, SameSite cookie', async () => {
    const browser = new Browser();
    const login = await browser.fetch(`${stack.bffUrl}/auth/login`);
    expect(login.status).toBe(302);
    const authorize = new URL(login.headers.get('location')!);
    expect(authorize.origin).toBe(stack.tenantUrl);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${stack.bffUrl}/auth/callback`);

    const support = await signIn(stack, 'support', browser);
    const me = await json(await support.api('GET', '/api/me'));
    expect(me.user).toEqual({
      sub: 'auth0|staff-support',
      name: 'Sam Support',
      email: 'support@console.test',
      role: 'support',
    });
    expect(me.csrf_token).toBe(support.csrf);
    const cookie = browser.cookie(host(), 'rtc_session')!;
    expect(cookie.split('.')).toHaveLength(5); // a JWE, opaque to the browser
    expect(cookie).not.toContain('support@console.test');
  });

  it('gives each sign-in a new session (and CSRF token)', async () => {
    const browser = new Browser();
    const first = await signIn(stack, 'viewer', browser);
    const before = browser.cookie(host(), 'rtc_session');
    const second = await signIn(stack, 'viewer', browser);
    expect(browser.cookie(host(), 'rtc_session')).not.toBe(before);
    expect(second.csrf).not.toBe(first.csrf);
  });

  it('answers 401 to the API without a session, and after sign-out the old cookie no longer works', async () => {
    expect((await fetch(`${stack.bffUrl}/api/me`)).status).toBe(401);
    const admin = await signIn(stack, 'admin');
    const stolen = new Browser();
    stolen.setCookie(host(), 'rtc_session', admin.browser.cookie(host(), 'rtc_session')!);
    expect((await stolen.fetch(`${stack.bffUrl}/api/me`)).status).toBe(200);

    const out = await admin.api('POST', '/auth/logout');
    expect(out.status).toBe(200);
    const { logout_url } = await json(out);
    expect(new URL(logout_url).origin).toBe(stack.tenantUrl);
    expect((await admin.api('GET', '/api/me')).status).toBe(401);
    expect((await stolen.fetch(`${stack.bffUrl}/api/me`)).status).toBe(401);
  });

  it('refuses a callback without the sign-in cookie (state bound to the browser)', async () => {
    const browser = new Browser();
    const res = await browser.fetch(`${stack.bffUrl}/auth/callback?code=abc&state=xyz`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Sign-in expired');
  });

  it('refuses a forged or tampered session cookie', async () => {
    const browser = new Browser();
    browser.setCookie(host(), 'rtc_session', 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..abc.def.ghi');
    expect((await browser.fetch(`${stack.bffUrl}/api/me`)).status).toBe(401);
  });

  it('returns only to same-site paths after sign-in', async () => {
    const landed = async (returnTo: string) => (await signIn(stack, 'viewer', new Browser(), { returnTo })).landedAt;
    for (const returnTo of ['https://evil.test/', '//evil.test/x', '/\\evil.test', '/auth/logout']) {
      const url = await landed(returnTo);
      expect([returnTo, url.href]).toEqual([returnTo, `${stack.bffUrl}/`]);
    }
    expect((await landed('/users/auth0%7Cjane?tab=devices')).href).toBe(
      `${stack.bffUrl}/users/auth0%7Cjane?tab=devices`,
    );
  });
});
