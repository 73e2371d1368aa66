import { DEMO, demoEndUser, json, type StaffClient, type TestStack } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleBehindProxy } from './console-behind-proxy.ts';
import { APP_AGENT, searchHelpers, startSearchStack } from './search-helpers.ts';
/**
 * Search across users: refresh tokens and sessions found by address, network, agent, device
 * or application, across users, for support and admin, and what the console says against a
 * tenant without the search (a real Auth0 tenant). Revoking a result is in
 * search-bound-to-preview.test.ts; the work one search may cost in search-bounded-work.test.ts.
 */

let stack: TestStack;
let admin: StaffClient;
let support: StaffClient;
let viewer: StaffClient;
const { mobile, web, search } = searchHelpers(() => ({ stack, support }));

beforeAll(async () => {
  ({ stack, admin, support, viewer } = await startSearchStack());
});
afterAll(() => stack.stop());

describe('search across users', () => {
  it('is for support and admin: a viewer gets 403 on the searches, the previews, the revocation and ending sessions', async () => {
    const filter = { ip: '198.51.100.1' };
    for (const res of [
      await viewer.api('GET', '/api/search/refresh-tokens?ip=198.51.100.1'),
      await viewer.api('GET', '/api/search/sessions?ip=198.51.100.1'),
      await viewer.api('POST', '/api/search/refresh-tokens/impact', { filter }),
      await viewer.api('POST', '/api/search/refresh-tokens/revoke', {
        filter,
        confirm: 'REVOKE',
        expected: { tokens: 0, digest: '0'.repeat(64) },
      }),
      await viewer.api('POST', '/api/search/sessions/impact', { filter }),
      await viewer.api('POST', '/api/search/sessions/revoke', {
        filter,
        confirm: 'REVOKE',
        expected: { sessions: 0, digest: '0'.repeat(64) },
      }),
    ]) {
      expect(res.status).toBe(403);
      expect((await json(res)).error.code).toBe('forbidden');
    }
    expect((await viewer.api('GET', '/api/search/applications')).status).toBe(403);
    expect((await search(support, { ip: '198.51.100.1' })).unavailable).toBeNull();
    // The application filter's choices, for support too (the Applications area is admin only).
    const { applications } = await json(await support.api('GET', '/api/search/applications'));
    expect(applications).toEqual(
      expect.arrayContaining([{ client_id: DEMO.clients.mobile.client_id, name: DEMO.clients.mobile.name }]),
    );
    expect((await search(admin, { ip: '198.51.100.1' })).unavailable).toBeNull();
  });

  it('finds every token issued or last used from an address, of every user, with counts, names, network and agent; paged by cursor', async () => {
    const alice = demoEndUser(21);
    const bob = demoEndUser(22);
    const carol = demoEndUser(23);
    const ADDRESS = '198.51.100.7';
    await mobile().login(alice.email, 'Alice Phone', { from: ADDRESS, userAgent: APP_AGENT });
    await web().login(alice.email, 'Alice Laptop', { from: ADDRESS });
    await mobile().login(bob.email, 'Bob Phone', { from: ADDRESS, userAgent: APP_AGENT });
    await mobile().login(carol.email, 'Carol Phone', { from: '198.51.100.99' });
    // Issued elsewhere, then used from the address: found too (the last address).
    const moved = await web().login(carol.email, 'Carol Tablet', { from: '192.0.2.55' });
    expect((await web().refresh(moved, { from: ADDRESS })).status).toBe(200); // Acme Web does not rotate: the same token

    const found = await search(support, { ip: ADDRESS });
    expect(found.unavailable).toBeNull();
    expect(found.totals).toEqual({ tokens: 4, users: 3, devices: 4, limited: false });
    expect(found.tokens.map((t) => t.device_name).sort()).toEqual([
      'Alice Laptop',
      'Alice Phone',
      'Bob Phone',
      'Carol Tablet',
    ]);
    const phone = found.tokens.find((t) => t.device_name === 'Alice Phone')!;
    expect(phone.user).toEqual({ user_id: alice.user_id, email: alice.email, name: alice.name });
    expect(phone.application).toEqual({ client_id: DEMO.clients.mobile.client_id, name: DEMO.clients.mobile.name });
    expect(phone.initial).toMatchObject({ ip: ADDRESS, agent: 'AcmeMobile 4.2.1 on iOS 18.1' });
    expect(found.tokens.find((t) => t.device_name === 'Carol Tablet')!).toMatchObject({
      initial: { ip: '192.0.2.55' },
      last: { ip: ADDRESS },
    });

    // The /24 holds Carol's other address too; an application narrows it.
    expect((await search(support, { ip: '198.51.100.0/24' })).totals).toEqual({
      tokens: 5,
      users: 3,
      devices: 5,
      limited: false,
    });
    expect((await search(support, { ip: ADDRESS, client_id: DEMO.clients.web.client_id })).totals).toEqual({
      tokens: 2,
      users: 2,
      devices: 2,
      limited: false,
    });
    expect((await search(support, { ip: ADDRESS, device_name: 'bob' })).tokens.map((t) => t.device_name)).toEqual([
      'Bob Phone',
    ]);
    expect((await search(support, { ip: ADDRESS, user_agent: 'acmemobile/4' })).totals?.tokens).toBe(2);

    // Server pages, each token once.
    const first = await search(support, { ip: ADDRESS, take: '3' });
    expect(first.tokens).toHaveLength(3);
    expect(first.next).toEqual(expect.any(String));
    const second = await search(support, { ip: ADDRESS, take: '3', from: first.next! });
    expect(second.tokens).toHaveLength(1);
    expect(second.next).toBeNull();
    expect(new Set([...first.tokens, ...second.tokens].map((t) => t.id)).size).toBe(4);
    // Counted once, on the first page: the dashboard keeps those counts while paging.
    expect(first.totals).toEqual({ tokens: 4, users: 3, devices: 4, limited: false });
    expect(second.totals).toBeNull();
  });

  it('gives the network and country of a public address, as the user pages do', async () => {
    const dave = demoEndUser(24);
    await mobile().login(dave.email, 'Dave Phone', { from: '9.9.9.9' });
    const { tokens } = await search(support, { ip: '9.9.9.9' });
    expect(tokens[0]!.initial.place).toMatchObject({
      asn: expect.stringMatching(/^AS\d+$/),
      network: expect.any(String),
      country: expect.stringMatching(/^[A-Z]{2}$/),
    });
  });

  it('refuses a bad filter with a 400 naming the field, never a 500', async () => {
    const cases: [string, string][] = [
      ['ip=not-an-address', 'ip'],
      ['ip=203.0.113.0%2F33', 'ip'],
      ['asn=ASX', 'asn'],
      ['take=0&ip=203.0.113.1', 'take'],
      ['take=101&ip=203.0.113.1', 'take'],
      ['last_used_from=yesterday', 'last_used_from'],
      ['last_used_from=2026-02-01T00:00:00Z&last_used_to=2026-01-01T00:00:00Z', 'last_used_to'],
      ['ip=203.0.113.1&colour=red', 'body'],
      ['', 'filter'],
      [`user_agent=${'x'.repeat(257)}`, 'user_agent'],
      // As the tenant takes them: at most 9 fractional-second digits, a cursor of at most 255.
      ['last_used_from=2026-01-01T00:00:00.1234567890Z', 'last_used_from'],
      ['ip=203.0.113.1&last_used_to=2026-01-01T00:00:00.0000000001%2B00:00', 'last_used_to'],
      [`ip=203.0.113.1&from=${'x'.repeat(256)}`, 'from'],
    ];
    for (const [qs, field] of cases) {
      const res = await support.api('GET', `/api/search/refresh-tokens?${qs}`);
      expect(res.status, qs).toBe(400);
      const { error } = await json(res);
      expect(error.code, qs).toBe('bad_request');
      expect(Object.keys(error.fields ?? {}), qs).toContain(field);
    }
    // Sessions have no application or device name to search by.
    expect((await support.api('GET', '/api/search/sessions?client_id=x')).status).toBe(400);
    // The preview and the revocation take the same filter.
    expect((await support.api('POST', '/api/search/refresh-tokens/impact', { filter: {} })).status).toBe(400);
    expect(
      (await support.api('POST', '/api/search/refresh-tokens/impact', { filter: { ip: '300.1.1.1' } })).status,
    ).toBe(400);
    expect(
      (await support.api('POST', '/api/search/refresh-tokens/revoke', { filter: { asn: 'nope' }, confirm: 'REVOKE' }))
        .status,
    ).toBe(400);
    // Nine digits are the tenant's precision: taken.
    expect(
      (await search(support, { ip: '203.0.113.1', last_used_from: '2026-01-01T00:00:00.123456789Z' })).unavailable,
    ).toBeNull();
  });

  it('needs the CSRF token to preview, revoke or end', async () => {
    for (const path of [
      '/api/search/refresh-tokens/impact',
      '/api/search/refresh-tokens/revoke',
      '/api/search/sessions/impact',
      '/api/search/sessions/revoke',
    ]) {
      const res = await support.browser.fetch(`${stack.bffUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: new URL(stack.bffUrl).origin },
        body: JSON.stringify({ filter: { ip: '198.51.100.1' }, confirm: 'REVOKE' }),
      });
      expect(res.status).toBe(403);
      expect((await json(res)).error.code).toBe('csrf_token');
    }
  });

  it('finds sessions across users by address, with counts', async () => {
    const hank = demoEndUser(28);
    const ivy = demoEndUser(29);
    const ADDRESS = '203.0.113.68';
    const agent =
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
    const h = await mobile().loginWithBrowser(hank.email, 'Hank Browser', { from: ADDRESS, userAgent: agent });
    const i = await mobile().loginWithBrowser(ivy.email, 'Ivy Browser', { from: ADDRESS, userAgent: agent });
    await mobile().loginWithBrowser(ivy.email, 'Ivy Elsewhere', { from: '198.51.100.68', userAgent: agent });
    const res = await support.api('GET', `/api/search/sessions?ip=${ADDRESS}`);
    expect(res.status, await res.clone().text()).toBe(200);
    const found = await json(res);
    expect(found.unavailable).toBeNull();
    expect(found.totals).toEqual({ sessions: 2, users: 2, limited: false });
    expect(found.sessions.map((s: { id: string }) => s.id).sort()).toEqual([h.sessionId, i.sessionId].sort());
    const session = found.sessions.find((s: { id: string }) => s.id === h.sessionId);
    expect(session).toMatchObject({
      user: { user_id: hank.user_id, email: hank.email },
      initial: { ip: ADDRESS, agent: 'Chrome 126 on Linux' },
    });
    expect(session.applications).toEqual([
      { client_id: DEMO.clients.mobile.client_id, name: DEMO.clients.mobile.name },
    ]);
  });

  it(
    'against a tenant without the search (404, as a real Auth0 tenant answers): ' +
      'the pages say so in words, and nothing can be previewed or revoked',
    async () => {
      const auth0Like = await consoleBehindProxy(stack, 'no-search', (_req, url) =>
        url.pathname === '/api/v2/refresh-tokens/search' || url.pathname === '/api/v2/sessions/search'
          ? Response.json({ statusCode: 404, error: 'Not Found', message: 'Not Found' }, { status: 404 })
          : undefined,
      );
      try {
        for (const path of ['/api/search/refresh-tokens?ip=198.51.100.7', '/api/search/sessions?ip=198.51.100.7']) {
          const res = await auth0Like.support.api('GET', path);
          expect(res.status).toBe(200);
          const body = await json(res);
          expect(body).toMatchObject({
            next: null,
            totals: null,
            unavailable: expect.stringContaining('cannot search across users'),
          });
        }
        const impact = await auth0Like.support.api('POST', '/api/search/refresh-tokens/impact', {
          filter: { ip: '198.51.100.7' },
        });
        expect(impact.status).toBe(501);
        expect((await json(impact)).error.code).toBe('search_unavailable');
        const res = await auth0Like.support.api('POST', '/api/search/refresh-tokens/revoke', {
          filter: { ip: '198.51.100.7' },
          confirm: 'REVOKE',
          expected: { tokens: 1, digest: '0'.repeat(64) },
        });
        expect(res.status).toBe(501);
        expect(
          (await auth0Like.support.api('POST', '/api/search/sessions/impact', { filter: { ip: '198.51.100.7' } }))
            .status,
        ).toBe(501);
      } finally {
        await auth0Like.stop();
      }
    },
  );
});
