import { startTestStack, type TestStack } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The sign-in cookie belongs to the host sign-in starts on, and the tenant sends the browser
 * back to BFF_PUBLIC_URL: a console opened at another address (127.0.0.1 for localhost) is
 * sent to the public URL before sign-in starts.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

const publicUrl = () => new URL(stack.bffUrl);
const otherHost = () => `http://127.0.0.1:${publicUrl().port}`;

describe('another host than BFF_PUBLIC_URL', () => {
  it('is redirected to the public URL before sign-in starts, keeping the path and query', async () => {
    const login = await fetch(`${otherHost()}/auth/login?returnTo=%2Fusers`, { redirect: 'manual' });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe(`${publicUrl().origin}/auth/login?returnTo=%2Fusers`);
    expect(login.headers.get('set-cookie')).toBeNull();

    const page = await fetch(`${otherHost()}/users/auth0%7Cx/devices?page=1`, { redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe(`${publicUrl().origin}/users/auth0%7Cx/devices?page=1`);
  });

  it('leaves the API and the public host alone', async () => {
    expect((await fetch(`${otherHost()}/api/me`, { redirect: 'manual' })).status).toBe(401);
    expect((await fetch(`${otherHost()}/health`, { redirect: 'manual' })).status).toBe(200);
    const login = await fetch(`${publicUrl().origin}/auth/login`, { redirect: 'manual' });
    expect(new URL(login.headers.get('location')!).origin).toBe(stack.tenantUrl);
  });

  it('a callback without its sign-in cookie names the likely cause, the address included', async () => {
    const res = await fetch(`${publicUrl().origin}/auth/callback?code=x&state=y`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(`at another address than ${publicUrl().origin}`);
  });
});
