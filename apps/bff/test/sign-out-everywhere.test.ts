import { DEMO, demoEndUser, endUserApp, json, startTestStack, type StaffClient, type TestStack } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleBehindProxy } from './console-behind-proxy.ts';

/**
 * "Sign out everywhere": one action revokes every refresh token and ends every
 * session of a user, optionally blocking them, bound to its preview (counts and a digest of the
 * ids). Every effect is checked at the tenant: /oauth/token refuses the tokens, the sessions
 * are gone from the tenant's listing, and a blocked user cannot sign in.
 */

let stack: TestStack;
let support: StaffClient;
let admin: StaffClient;
let viewer: StaffClient;
const mobile = () => endUserApp(stack.tenantUrl);
const web = () => endUserApp(stack.tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret);

beforeAll(async () => {
  stack = await startTestStack();
  [support, admin, viewer] = await Promise.all([
    stack.signIn('support'),
    stack.signIn('admin'),
    stack.signIn('viewer'),
  ]);
});
afterAll(() => stack.stop());

/** Each test acts on a demo customer of its own, so no test sees another's tokens. */
let next = 20;
function customer() {
  const { email, user_id } = demoEndUser(next++);
  return { email, user_id, user: `/api/users/${encodeURIComponent(user_id)}` };
}

interface Preview {
  tokens: number;
  devices: { name: string; tokens: number }[];
  applications: { client_id: string; name: string; tokens: number }[];
  sessions: { session_id: string }[];
  digest: string;
  blocked: boolean;
}
const preview = async (client: StaffClient, user: string): Promise<Preview> => {
  const res = await client.api('POST', `${user}/sign-out-everywhere/impact`);
  expect(res.status, await res.clone().text()).toBe(200);
  return json(res);
};
const expectedOf = (shown: Preview) => ({
  tokens: shown.tokens,
  sessions: shown.sessions.length,
  digest: shown.digest,
});
const sessionIds = async (user: string): Promise<string[]> =>
  (await json(await admin.api('GET', `${user}/sessions`))).sessions.map((s: { id: string }) => s.id);
const isBlocked = async (user: string): Promise<boolean> => (await json(await admin.api('GET', user))).blocked;
const auditOf = async (userId: string) =>
  (
    await json(
      await admin.api(
        'GET',
        `/api/audit?${new URLSearchParams({ action: 'user.sign_out_everywhere', user_id: userId, per_page: '50' })}`,
      ),
    )
  ).entries as { result: string; detail: string; target: string; actor: { role: string } }[];

describe('"Sign out everywhere"', () => {
  it('revokes every refresh token and ends every session of the user, blocks them when asked, and records one audit entry', async () => {
    const { email, user_id, user } = customer();
    const phone = await mobile().loginWithBrowser(email, 'Everywhere Phone');
    const laptop = await web().loginWithBrowser(email, 'Everywhere Laptop');
    const tablet = await mobile().login(email, 'Everywhere Tablet');
    const other = customer();
    const bystander = await mobile().login(other.email, 'Bystander Phone');

    // The demo user holds tokens and sessions of their own besides these: the preview counts them all.
    const shown = await preview(support, user);
    const listed = (await json(await support.api('GET', `${user}/refresh-tokens`))).tokens as { device_name: string }[];
    expect(shown.tokens).toBe(listed.length);
    expect(shown.tokens).toBeGreaterThanOrEqual(3);
    expect(shown.devices.map((d) => d.name)).toEqual(
      expect.arrayContaining(['Everywhere Laptop', 'Everywhere Phone', 'Everywhere Tablet']),
    );
    expect(shown.devices.reduce((n, d) => n + d.tokens, 0)).toBe(shown.tokens);
    expect(shown.applications.reduce((n, a) => n + a.tokens, 0)).toBe(shown.tokens);
    expect(shown.sessions.map((s) => s.session_id).sort()).toEqual((await sessionIds(user)).sort());
    expect(shown.sessions.map((s) => s.session_id)).toEqual(
      expect.arrayContaining([phone.sessionId, laptop.sessionId]),
    );
    expect(shown.blocked).toBe(false);

    const res = await support.api('POST', `${user}/sign-out-everywhere`, { block: true, expected: expectedOf(shown) });
    expect(res.status, await res.clone().text()).toBe(200);
    const result = await json(res);
    expect(result).toMatchObject({
      blocked: true,
      is_blocked: true,
      impact: { tokens: shown.tokens, digest: shown.digest },
    });

    // At the tenant: every token refused, every session gone, the user blocked (no new sign-in).
    for (const [app, token] of [
      [mobile, phone.refreshToken],
      [web, laptop.refreshToken],
      [mobile, tablet],
    ] as const)
      expect((await app().refresh(token)).status).toBe(403);
    expect(await sessionIds(user)).toEqual([]);
    expect((await json(await admin.api('GET', `${user}/refresh-tokens`))).tokens).toEqual([]);
    expect(await isBlocked(user)).toBe(true);
    await expect(mobile().login(email, 'Thief Phone')).rejects.toThrow();
    // Another user's tokens stay.
    expect((await mobile().refresh(bystander)).status).toBe(200);

    const entries = await auditOf(user_id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ result: 'success', actor: { role: 'support' } });
    expect(entries[0]!.target).toContain('and block');
    expect(entries[0]!.detail).toContain(`revoked ${shown.tokens} refresh tokens on ${shown.devices.length} devices`);
    expect(entries[0]!.detail).toContain(`ended ${shown.sessions.length} sessions`);
    expect(entries[0]!.detail).toContain('Everywhere Tablet (1)');
    expect(entries[0]!.detail).toContain('blocked the user');
  });

  it('without "block" signs the user out and leaves them free to sign in again', async () => {
    const { email, user_id, user } = customer();
    const token = await mobile().login(email, 'Unblocked Phone');
    const shown = await preview(support, user);
    const res = await support.api('POST', `${user}/sign-out-everywhere`, { block: false, expected: expectedOf(shown) });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await json(res)).toMatchObject({ blocked: false, is_blocked: false });
    expect((await mobile().refresh(token)).status).toBe(403);
    expect(await isBlocked(user)).toBe(false);
    expect(typeof (await mobile().login(email, 'Unblocked Phone'))).toBe('string');
    expect((await auditOf(user_id))[0]!.detail).toContain('did not block the user');
  });

  it('a token issued after the preview makes it answer 409 with the new preview; nothing is revoked or ended, nobody blocked', async () => {
    const { email, user } = customer();
    const first = await mobile().loginWithBrowser(email, 'Stale Phone');
    const shown = await preview(support, user);
    const late = await web().login(email, 'Stale Laptop');

    const res = await support.api('POST', `${user}/sign-out-everywhere`, { block: true, expected: expectedOf(shown) });
    expect(res.status).toBe(409);
    const { error } = await json(res);
    expect(error.code).toBe('impact_changed');
    const sessions = shown.sessions.length;
    expect(error.message).toContain(
      `${shown.tokens + 1} refresh tokens and ${sessions} sessions now, ${shown.tokens} refresh tokens and ${sessions} sessions in the preview`,
    );
    expect(error.sign_out_impact.tokens).toBe(shown.tokens + 1);
    // The mobile app rotates: its next check presents the successor.
    const stillLive = await mobile().refresh(first.refreshToken);
    expect(stillLive.status).toBe(200);
    expect((await web().refresh(late)).status).toBe(200);
    expect((await sessionIds(user)).sort()).toEqual(shown.sessions.map((s) => s.session_id).sort());
    expect(await isBlocked(user)).toBe(false);

    // The same counts with another token (one revoked, one issued) are caught by the digest.
    const again = await preview(support, user);
    const { tokens } = await json(await support.api('GET', `${user}/refresh-tokens`));
    const swapped = tokens.find((t: { device_name: string }) => t.device_name === 'Stale Laptop');
    expect(
      (
        await admin.api('DELETE', `${user}/refresh-tokens/${swapped.id}`, {
          expected: { token_ids: [swapped.id], grant_ids: [], session_ids: [], setting_deletes_grant: false },
        })
      ).status,
    ).toBe(200);
    await web().login(email, 'Stale Laptop');
    const sameCounts = await support.api('POST', `${user}/sign-out-everywhere`, {
      block: false,
      expected: expectedOf(again),
    });
    expect(sameCounts.status).toBe(409);
    expect((await json(sameCounts)).error.message).toMatch(/the same counts/);

    // Sent without a preview: 409 with the preview to confirm.
    expect((await support.api('POST', `${user}/sign-out-everywhere`, { block: false })).status).toBe(409);
    expect((await mobile().refresh(stillLive.refreshToken ?? first.refreshToken)).status).toBe(200);
  });

  it('a viewer gets 403, and support on a staff member gets 403; nothing changes', async () => {
    const { email, user } = customer();
    const token = await mobile().login(email, 'Viewer Phone');
    const shown = await preview(support, user);
    expect((await viewer.api('POST', `${user}/sign-out-everywhere/impact`)).status).toBe(403);
    expect(
      (await viewer.api('POST', `${user}/sign-out-everywhere`, { block: true, expected: expectedOf(shown) })).status,
    ).toBe(403);
    expect((await mobile().refresh(token)).status).toBe(200);
    expect(await isBlocked(user)).toBe(false);

    const staff = DEMO.staff.find((s) => s.role === 'admin')!;
    const staffUser = `/api/users/${encodeURIComponent(staff.user_id)}`;
    const staffShown = await preview(support, staffUser);
    expect(staffShown.tokens).toBeGreaterThan(0);
    const res = await support.api('POST', `${staffUser}/sign-out-everywhere`, {
      block: true,
      expected: expectedOf(staffShown),
    });
    expect(res.status).toBe(403);
    expect((await json(res)).error.message).toMatch(
      /Only an admin may revoke, unlink or end the credentials of a staff member/,
    );
    expect(await isBlocked(staffUser)).toBe(false);
    expect((await admin.api('GET', '/api/me')).status).toBe(200);
    expect((await auditOf(staff.user_id))[0]).toMatchObject({ result: 'refused', actor: { role: 'support' } });
  });

  it('refuses a request without the CSRF token before anything is read or changed', async () => {
    const { email, user } = customer();
    const token = await mobile().login(email, 'Forged Phone');
    const shown = await preview(support, user);
    const res = await support.browser.fetch(`${stack.bffUrl}${user}/sign-out-everywhere`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: stack.bffUrl },
      body: JSON.stringify({ block: true, expected: expectedOf(shown) }),
    });
    expect(res.status).toBe(403);
    expect((await mobile().refresh(token)).status).toBe(200);
    expect(await isBlocked(user)).toBe(false);
  });
});

describe('"Sign out everywhere" Management API calls', () => {
  it('the preview reads each list once; confirming reads them again, blocks, revokes 105 tokens in two calls, ends each session by its id', async () => {
    const proxied = await consoleBehindProxy(stack, 'sign-out-counted');
    try {
      const { email, user_id, user } = customer();
      await mobile().loginWithBrowser(email, 'Counted Browser');
      // 104 password sign-ins, 8 at a time: the tenant lets at most 10 of one account and address run at once.
      for (let i = 0; i < 104; i += 8)
        await Promise.all(Array.from({ length: 8 }, () => mobile().login(email, 'Crowded Phone')));
      await proxied.support.api('GET', `${user}/devices`); // names cached from here on
      const calls = async (request: () => Promise<Response>) => {
        proxied.seen.length = 0;
        const res = await request();
        expect(res.status, await res.clone().text()).toBe(200);
        return proxied.seen
          .filter((call) => call.includes('/api/v2/'))
          .map((call) =>
            call.replace(encodeURIComponent(user_id), '{user}').replace(/\/sessions\/[^/?]+$/, '/sessions/{session}'),
          )
          .sort();
      };
      let shown: Preview | undefined;
      const reads = await calls(async () => {
        const res = await proxied.support.api('POST', `${user}/sign-out-everywhere/impact`);
        shown = await json(res.clone());
        return res;
      });
      expect(shown!.tokens).toBeGreaterThan(105);
      expect(shown!.tokens).toBeLessThanOrEqual(200);
      // The user once, the sessions once (one page), tokens and device credentials a page each per 100.
      const pages = (list: string) => reads.filter((call) => call === list).length;
      expect(pages('GET /api/v2/users/{user}')).toBe(1);
      expect(pages('GET /api/v2/users/{user}/sessions')).toBe(1);
      expect(pages('GET /api/v2/refresh-tokens')).toBeLessThanOrEqual(3);
      expect(pages('GET /api/v2/device-credentials')).toBeLessThanOrEqual(3);
      expect(reads.length).toBe(2 + pages('GET /api/v2/refresh-tokens') + pages('GET /api/v2/device-credentials'));
      // Confirming reads the same once more, then writes: block, the tokens by id in two calls of 100, and each
      // previewed session by its id (exactly those: not one begun since).
      expect(shown!.sessions.length).toBeGreaterThan(0);
      expect(
        await calls(() =>
          proxied.support.api('POST', `${user}/sign-out-everywhere`, { block: true, expected: expectedOf(shown!) }),
        ),
      ).toEqual(
        [
          ...reads,
          'PATCH /api/v2/users/{user}',
          'POST /api/v2/refresh-tokens/revoke',
          'POST /api/v2/refresh-tokens/revoke',
          ...shown!.sessions.map(() => 'DELETE /api/v2/sessions/{session}'),
        ].sort(),
      );
    } finally {
      await proxied.stop();
    }
    // 104 password hashes on a busy 2-core machine: well beyond the default 30 s there, so its own generous limit.
  }, 180_000);
});
