import { Browser, json, signIn, startTestStack, type TestStack } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The BFF's clock runs `skew` ms ahead of the wall clock; the tenant's does not move. */
let skew = 0;
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ now: () => Date.now() + skew });
});
afterAll(() => stack.stop());

const MINUTE = 60_000;
const host = () => new URL(stack.bffUrl).host;

describe('staff session lifetime', () => {
  it('keeps a signed-out session ended until its absolute expiry: a copy used more recently never comes back', async () => {
    skew = 0;
    const admin = await signIn(stack, 'admin');
    const thief = new Browser();
    thief.setCookie(host(), 'rtc_session', admin.browser.cookie(host(), 'rtc_session')!);

    // The admin works at minute 20; the thief uses the copy 50 s later (its cookie is re-sealed then).
    skew = 20 * MINUTE;
    expect((await admin.api('GET', '/api/me')).status).toBe(200);
    skew = 20 * MINUTE + 50_000;
    expect((await thief.fetch(`${stack.bffUrl}/api/me`)).status).toBe(200);
    // The admin signs out 55 s after their last request (no re-seal within a minute).
    skew = 20 * MINUTE + 55_000;
    expect((await admin.api('POST', '/auth/logout')).status).toBe(200);

    // Past the admin's own idle timeout, but within the thief's copy's: still ended.
    skew = 50 * MINUTE + 30_000;
    expect((await thief.fetch(`${stack.bffUrl}/api/me`)).status).toBe(401);
    skew = 11 * 60 * MINUTE;
    expect((await thief.fetch(`${stack.bffUrl}/api/me`)).status).toBe(401);
  });

  it('revokes the refresh token the sign-in got at the identity provider when the staff member signs out', async () => {
    skew = 0;
    const { store } = stack.tenant.deps;
    const staffTokens = async () => {
      const user = (await store.directory.getUserByEmail('support@console.test'))!;
      return store.refreshTokens.countLiveRefreshTokens({ user_id: user.user_id }, Date.now());
    };
    const before = await staffTokens();
    const support = await signIn(stack, 'support');
    expect(await staffTokens()).toBe(before + 1);
    expect((await support.api('POST', '/auth/logout')).status).toBe(200);
    // The session's refresh token would otherwise live on at the provider for its whole lifetime,
    // usable by whoever kept a copy of the (sealed) cookie and the BFF's key.
    expect(await staffTokens()).toBe(before);
  });

  it('re-checks the role at the identity provider within 15 minutes: a removed role ends the session, a changed one applies', async () => {
    skew = 0;
    const { store } = stack.tenant.deps;
    const staff = async (email: string, roles: string[]) => {
      const user = (await store.directory.getUserByEmail(email))!;
      await store.directory.putUser({
        ...user,
        app_metadata: { ...user.app_metadata, custom_claims: { 'https://refresh-token-console/roles': roles } },
      });
    };
    const support = await signIn(stack, 'support');
    const viewer = await signIn(stack, 'viewer');
    try {
      await staff('support@console.test', []);
      await staff('viewer@console.test', ['admin']);
      // Within the interval the session keeps the role it signed in with.
      skew = 10 * MINUTE;
      expect((await json(await support.api('GET', '/api/me'))).user.role).toBe('support');
      // Past it: the role is asked for again (a refresh at the identity provider, where Auth0 runs its Actions).
      skew = 16 * MINUTE;
      expect((await support.api('GET', '/api/me')).status).toBe(401);
      const me = await viewer.api('GET', '/api/me');
      expect(me.status).toBe(200);
      expect((await json(me)).user.role).toBe('admin');
      // The removed one stays out, even with its cookie copied before.
      expect((await support.api('GET', '/api/me')).status).toBe(401);
    } finally {
      await staff('support@console.test', ['support']);
      await staff('viewer@console.test', ['viewer']);
    }
  });
});
