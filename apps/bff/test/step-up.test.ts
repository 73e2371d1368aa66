import {
  Browser,
  DEMO,
  demoEndUser,
  endUserApp,
  json,
  signIn,
  startTestStack,
  type StaffClient,
  type TestStack,
} from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authTimeOf } from '../src/session/step-up.ts';

/**
 * Step-up for the biggest actions (changing a tenant setting, revoking an application's
 * tokens, a search revocation over the threshold): they need a staff sign-in within the last
 * 10 minutes, as the identity provider's `auth_time` says. "Signed in 11 minutes ago" is made
 * by running both clocks (tenant and BFF) that far behind the wall clock during the sign-in,
 * then putting them back: every token is then really issued in the past, nothing is forged.
 */

const MINUTE = 60_000;
let tenantSkew = 0;
let bffSkew = 0;
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({
    now: () => Date.now() + bffSkew,
    tenant: { clock: { now: () => Date.now() + tenantSkew } },
    // A search of more than 1 token needs the step-up here, so two tokens show it.
    stepUp: { maxAgeSeconds: 600, searchTokens: 1 },
  });
});
afterAll(() => stack.stop());

/** An admin who signed in `minutes` ago, at the tenant and at the console. */
async function adminSignedIn(minutes: number): Promise<StaffClient> {
  tenantSkew = bffSkew = -minutes * MINUTE;
  try {
    return await signIn(stack, 'admin', new Browser());
  } finally {
    tenantSkew = bffSkew = 0;
  }
}

const setting = async (staff: StaffClient) =>
  ((await json(await staff.api('GET', '/api/settings'))) as { revoke_refresh_token_grant: boolean })
    .revoke_refresh_token_grant;
const newestAudit = async (staff: StaffClient, action: string) =>
  (await json(await staff.api('GET', `/api/audit?action=${action}&per_page=1`))).entries[0];

describe('step-up for the biggest actions', () => {
  it('a sign-in 9 minutes old changes a tenant setting; one 11 minutes old is refused with step_up_required, audited, and nothing changes', async () => {
    const fresh = await adminSignedIn(9);
    const before = await setting(fresh);
    const changed = await fresh.api('PATCH', '/api/settings', { revoke_refresh_token_grant: !before });
    expect(changed.status, await changed.clone().text()).toBe(200);
    expect(await setting(fresh)).toBe(!before);

    const stale = await adminSignedIn(11);
    const refused = await stale.api('PATCH', '/api/settings', { revoke_refresh_token_grant: before });
    expect(refused.status).toBe(403);
    const { error } = await json(refused);
    expect(error.code).toBe('step_up_required');
    expect(error.message).toBe(
      'Changing a tenant setting needs a sign-in within the last 10 minutes. Sign in again to continue; nothing was changed.',
    );
    expect(await setting(stale)).toBe(!before);
    expect(await newestAudit(stale, 'settings.update')).toMatchObject({
      result: 'refused',
      detail: expect.stringContaining('step-up required'),
    });
  });

  it("an application's revoke-all and a search revocation over the threshold: refused to a stale sign-in, done after a fresh one", async () => {
    const stale = await adminSignedIn(11);
    const web = endUserApp(stack.tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret);
    const user = demoEndUser(40);
    const tokens = [await web.login(user.email, 'Step-up Laptop'), await web.login(user.email, 'Step-up Desktop')];
    const stillExchanges = async (token: string) => (await web.refresh(token)).status === 200;

    const shown = await json(await stale.api('POST', `/api/applications/${DEMO.clients.web.client_id}/impact`));
    const app = await stale.api('POST', `/api/applications/${DEMO.clients.web.client_id}/revoke-all`, {
      confirm_name: shown.name,
      expected: { ...shown.counts, issued_through: shown.issued_through },
    });
    expect(app.status).toBe(403);
    expect((await json(app)).error.code).toBe('step_up_required');

    const filter = { device_name: 'Step-up' };
    const preview = await json(
      await stale.api('POST', '/api/search/refresh-tokens/impact', {
        filter: { ...filter, client_id: DEMO.clients.web.client_id },
      }),
    );
    expect(preview.totals.tokens).toBe(2);
    const revoke = (staff: StaffClient) =>
      staff.api('POST', '/api/search/refresh-tokens/revoke', {
        filter: { ...filter, client_id: DEMO.clients.web.client_id },
        confirm: 'REVOKE',
        expected: { tokens: preview.totals.tokens, digest: preview.digest },
      });
    const searchRefused = await revoke(stale);
    expect(searchRefused.status).toBe(403);
    expect((await json(searchRefused)).error).toMatchObject({
      code: 'step_up_required',
      message: expect.stringMatching(
        /^Revoking more than 1 refresh tokens at once needs a sign-in within the last 10 minutes/,
      ),
    });
    expect(await stillExchanges(tokens[0]!)).toBe(true);

    const fresh = await adminSignedIn(0);
    const revoked = await revoke(fresh);
    expect(revoked.status, await revoked.clone().text()).toBe(200);
    expect((await json(revoked)).revoked.tokens).toBe(2);
  });

  it('the same two revocations by their other doors: the leaked-secret flow and containing an address need the recent sign-in too', async () => {
    const stale = await adminSignedIn(11);
    const web = endUserApp(stack.tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret);
    const user = demoEndUser(41);
    const tokens = [await web.login(user.email, 'Step-up Tablet'), await web.login(user.email, 'Step-up Phone')];

    const leak = await json(
      await stale.api('POST', `/api/applications/${DEMO.clients.web.client_id}/leaked-secret/impact`),
    );
    const leaked = await stale.api('POST', `/api/applications/${DEMO.clients.web.client_id}/leaked-secret`, {
      confirm_name: leak.name,
      expected: { ...leak.counts, issued_through: leak.issued_through },
      rotate: false,
    });
    expect(leaked.status).toBe(403);
    expect((await json(leaked)).error.code).toBe('step_up_required');

    const filter = { ip: '127.0.0.1' };
    const shown = await json(await stale.api('POST', '/api/search/contain/impact', { filter }));
    expect(shown.tokens.tokens).toBeGreaterThan(1);
    const contained = await stale.api('POST', '/api/search/contain', {
      filter,
      confirm: 'REVOKE',
      expected: { tokens: shown.tokens.tokens, sessions: shown.sessions.sessions, digest: shown.digest },
    });
    expect(contained.status).toBe(403);
    expect((await json(contained)).error.code).toBe('step_up_required');
    // Refused: nothing was revoked.
    for (const token of tokens) expect((await web.refresh(token)).status).toBe(200);
  });

  it('/auth/login?step_up=1 sends max_age, the provider asks for the password again; the new auth_time lets the change through', async () => {
    const stale = await adminSignedIn(11);
    const start = await stale.browser.navigate(
      `${stack.bffUrl}/auth/login?step_up=1&returnTo=${encodeURIComponent('/settings?confirm=on')}`,
    );
    await start.res.body?.cancel();
    // The tenant's session is 11 minutes old: max_age=600 gets the login form, not SSO.
    expect(start.url.origin).toBe(new URL(stack.tenantUrl).origin);
    expect(start.url.searchParams.get('max_age')).toBe('600');
    expect(start.res.status).toBe(200);

    const again = await signIn(stack, 'admin', stale.browser, { stepUp: true, returnTo: '/settings?confirm=on' });
    expect(again.landedAt.pathname + again.landedAt.search).toBe('/settings?confirm=on');
    const before = await setting(again);
    const changed = await again.api('PATCH', '/api/settings', { revoke_refresh_token_grant: !before });
    expect(changed.status, await changed.clone().text()).toBe(200);
    await again.api('PATCH', '/api/settings', { revoke_refresh_token_grant: before });
  });

  it('a step-up whose ID token has an old auth_time (a provider ignoring max_age) is refused at the callback; the session stays unable to act', async () => {
    const admin = await adminSignedIn(0);
    // Only the console's clock moves on: the tenant's session is fresh by its own clock, so it
    // answers without asking and its auth_time is 11 minutes old to the console.
    bffSkew = 11 * MINUTE;
    try {
      const res = await admin.browser.navigate(`${stack.bffUrl}/auth/login?step_up=1&returnTo=/settings`);
      expect(res.url.pathname).toBe('/auth/callback');
      expect(res.res.status).toBe(403);
      expect(await res.res.text()).toContain('did not confirm that you signed in just now');
      const refused = await admin.api('PATCH', '/api/settings', { revoke_refresh_token_grant: true });
      expect((await json(refused)).error.code).toBe('step_up_required');
      expect(await newestAudit(admin, 'staff.sign_in')).toMatchObject({
        result: 'refused',
        detail: expect.stringMatching(/^step-up sign-in refused: the identity provider's auth_time is 6\d\d s old$/),
      });
    } finally {
      bffSkew = 0;
    }
  });

  it('reads auth_time only as a past whole number of seconds: missing, a string, a fraction or the future count as no sign-in time', () => {
    const now = Date.UTC(2026, 0, 1);
    const seconds = now / 1000;
    expect(authTimeOf({ auth_time: seconds - 30 }, now)).toBe(now - 30_000);
    expect(authTimeOf({}, now)).toBeUndefined();
    expect(authTimeOf({ auth_time: String(seconds) }, now)).toBeUndefined();
    expect(authTimeOf({ auth_time: seconds - 0.5 }, now)).toBeUndefined();
    expect(authTimeOf({ auth_time: seconds + 3600 }, now)).toBeUndefined();
    expect(authTimeOf({ auth_time: -1 }, now)).toBeUndefined();
  });
});
