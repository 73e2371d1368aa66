import { DEMO, demoEndUser, endUserApp, json, startTestStack, type StaffClient, type TestStack } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleBehindProxy } from './console-behind-proxy.ts';

/**
 * Search across users (issue 20): refresh tokens and sessions found by address, network,
 * agent, device or application, across users, for support and admin; "Revoke these N tokens"
 * bound to the ids its preview matched (by digest) and to REVOKE typed in, checked at the
 * tenant's /oauth/token as the end users' apps see it. The tenant sits behind one trusted
 * proxy, so each end user's app comes from the address its X-Forwarded-For names.
 */

let stack: TestStack;
let admin: StaffClient;
let support: StaffClient;
let viewer: StaffClient;
const mobile = () => endUserApp(stack.tenantUrl);
const web = () => endUserApp(stack.tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret);
const APP_AGENT = 'AcmeMobile/4.2.1 (iPhone; iOS 18.1)';

beforeAll(async () => {
  stack = await startTestStack({ tenant: { options: { trustProxy: 1 } } });
  [admin, support, viewer] = await Promise.all([
    stack.signIn('admin'),
    stack.signIn('support'),
    stack.signIn('viewer'),
  ]);
});
afterAll(() => stack.stop());

interface Counts {
  tokens: number;
  users: number;
  devices: number;
  limited?: boolean;
}
interface Impact {
  filter: Record<string, string>;
  totals: Counts;
  first_users: { user_id: string; email: string | null; tokens: number }[];
  digest: string;
  over_limit: boolean;
}
type Row = {
  id: string;
  user: { user_id: string; email: string | null; name: string | null };
  application: { client_id: string; name: string };
  device_name: string | null;
  initial: { ip: string | null; agent: string | null; place: unknown };
  last: { ip: string | null };
};

const search = async (staff: StaffClient, params: Record<string, string>) => {
  const res = await staff.api('GET', `/api/search/refresh-tokens?${new URLSearchParams(params)}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await json(res)) as { tokens: Row[]; next: string | null; totals: Counts | null; unavailable: string | null };
};
const preview = async (filter: Record<string, string>, staff = support): Promise<Impact> => {
  const res = await staff.api('POST', '/api/search/refresh-tokens/impact', { filter });
  expect(res.status, await res.clone().text()).toBe(200);
  return json(res);
};
const revoke = (filter: Record<string, string>, shown: Impact | undefined, confirm = 'REVOKE', staff = support) =>
  staff.api('POST', '/api/search/refresh-tokens/revoke', {
    filter,
    confirm,
    ...(shown ? { expected: { tokens: shown.totals.tokens, digest: shown.digest } } : {}),
  });
/** The tenant's own answer to a refresh-token exchange (the demo mobile app is public: no secret). */
const exchange = async (refreshToken: string, clientId: string = DEMO.clients.mobile.client_id, secret?: string) => {
  const res = await fetch(`${stack.tenantUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: refreshToken,
      ...(secret ? { client_secret: secret } : {}),
    }),
  });
  return { status: res.status, error: ((await res.json()) as { error?: string }).error };
};

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

  it('a token issued from the searched address between the preview and the confirmation: 409 with the new preview, nothing revoked; confirmed again, exactly those tokens are refused at the tenant and the others work; audited with the filter, counts and ids, and exported', async () => {
    const erin = demoEndUser(25);
    const frank = demoEndUser(26);
    const HOSTILE = '203.0.113.66';
    const filter = { ip: HOSTILE };
    const erinPhone = await mobile().login(erin.email, 'Erin Phone', { from: HOSTILE });
    const erinLaptop = await web().login(erin.email, 'Erin Laptop', { from: HOSTILE });
    const frankPhone = await mobile().login(frank.email, 'Frank Phone', { from: HOSTILE });
    const frankHome = await mobile().login(frank.email, 'Frank Tablet', { from: '198.51.100.200' });

    const shown = await preview(filter);
    expect(shown).toMatchObject({ filter, totals: { tokens: 3, users: 2, devices: 3 }, over_limit: false });
    expect(shown.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(shown.first_users).toEqual([
      { user_id: erin.user_id, email: erin.email, tokens: 2 },
      { user_id: frank.user_id, email: frank.email, tokens: 1 },
    ]);

    // REVOKE not typed: refused, nothing revoked. Without the preview: 409 with it.
    const untyped = await revoke(filter, shown, 'revoke please');
    expect(untyped.status).toBe(400);
    expect((await json(untyped)).error.fields).toHaveProperty('confirm');
    const unconfirmed = await revoke(filter, undefined);
    expect(unconfirmed.status).toBe(409);
    expect((await json(unconfirmed)).error.search_impact.digest).toBe(shown.digest);

    const late = await mobile().login(frank.email, 'Frank Watch', { from: HOSTILE }); // while the dialog is open
    const refused = await revoke(filter, shown);
    expect(refused.status, await refused.clone().text()).toBe(409);
    const body = await json(refused);
    expect(body.error.code).toBe('impact_changed');
    expect(body.error.changes).toEqual(['tokens: 3 previewed, 4 now']);
    const newer: Impact = body.error.search_impact;
    expect(newer.totals).toEqual({ tokens: 4, users: 2, devices: 4, limited: false });
    expect(newer.digest).not.toBe(shown.digest);
    expect(newer).not.toHaveProperty('ids');
    // Nothing revoked: every token is still live at the tenant (exchanging them here would
    // rotate Acme Mobile's away, so the tenant's own search is asked).
    const live = await search(admin, filter);
    expect(live.totals).toEqual(newer.totals);

    // Confirmed again on the new preview, as the dialog does.
    const confirmed = await revoke(filter, newer);
    expect(confirmed.status, await confirmed.clone().text()).toBe(200);
    const result = await json(confirmed);
    expect(result).toMatchObject({
      filter,
      revoked: { tokens: 4, users: 2, devices: 4 },
      audit_id: expect.any(String),
    });

    for (const [token, clientId, secret] of [
      [erinPhone, DEMO.clients.mobile.client_id],
      [erinLaptop, DEMO.clients.web.client_id, DEMO.clients.web.secret],
      [frankPhone, DEMO.clients.mobile.client_id],
      [late, DEMO.clients.mobile.client_id],
    ] as const) {
      expect(await exchange(token, clientId, secret)).toEqual({ status: expect.any(Number), error: 'invalid_grant' });
    }
    // Frank's tablet, from another address, still works; the search finds nothing live there now.
    expect((await exchange(frankHome)).status).toBe(200);
    expect((await search(support, filter)).totals?.tokens).toBe(0);

    // Audited with the filter, the counts and the token ids; the failed attempts too; exported.
    const audit = await json(await admin.api('GET', '/api/audit?action=search.revoke_tokens'));
    const entries = audit.entries as {
      id: string;
      target: string;
      detail: string;
      result: string;
      actor: { role: string };
    }[];
    const entry = entries.find((e) => e.id === result.audit_id)!;
    expect(entry).toMatchObject({
      result: 'success',
      target: `refresh tokens matching address ${HOSTILE}`,
      actor: { role: 'support' },
    });
    expect(entry.detail).toContain(`filter {"ip":"${HOSTILE}"}`);
    expect(entry.detail).toContain('matched 4 refresh tokens of 2 users on 4 devices');
    const ids = /token ids: (.*)$/.exec(entry.detail)![1]!.split(' ');
    expect(ids.sort()).toEqual(live.tokens.map((t) => t.id).sort());
    expect(entries.some((e) => e.result === 'failure' && /changed since the preview/.test(e.detail))).toBe(true);
    expect(entries.some((e) => e.result === 'failure' && /Type REVOKE/.test(e.detail))).toBe(true);
    const csv = await admin.api('GET', '/api/audit/export.csv?action=search.revoke_tokens');
    expect(csv.status).toBe(200);
    const text = await csv.text();
    expect(text).toContain('search.revoke_tokens');
    for (const id of ids) expect(text).toContain(id);
  });

  it('one token revoked and another issued from the address since the preview (the same count): 409, and the token not previewed is not revoked', async () => {
    const gina = demoEndUser(27);
    const filter = { ip: '203.0.113.67' };
    const before = await mobile().login(gina.email, 'Swap Phone', { from: filter.ip });
    const shown = await preview(filter);
    expect(shown.totals.tokens).toBe(1);
    expect((await mobile().revoke(before)).status).toBe(200);
    const issuedSince = await mobile().login(gina.email, 'Swap Phone', { from: filter.ip });
    expect((await preview(filter)).totals).toEqual(shown.totals);
    const refused = await revoke(filter, shown);
    expect(refused.status, await refused.clone().text()).toBe(409);
    expect((await json(refused)).error.changes.join(' ')).toMatch(/not the same tokens/);
    expect((await mobile().refresh(issuedSince)).status).toBe(200);
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

  it('ends every session found from an address, bound to its preview: a session started there meanwhile is a 409 and nothing ends; confirmed again, those sessions and the tokens issued in them go, those from another address stay; audited with the session ids', async () => {
    const jack = demoEndUser(30);
    const kim = demoEndUser(31);
    const HOSTILE = '203.0.113.69';
    const filter = { ip: HOSTILE };
    const agent =
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
    const jackThere = await mobile().loginWithBrowser(jack.email, 'Jack PC', { from: HOSTILE, userAgent: agent });
    const kimThere = await mobile().loginWithBrowser(kim.email, 'Kim PC', { from: HOSTILE, userAgent: agent });
    const kimHome = await mobile().loginWithBrowser(kim.email, 'Kim Home', {
      from: '198.51.100.169',
      userAgent: agent,
    });

    const previewSessions = async () => {
      const res = await support.api('POST', '/api/search/sessions/impact', { filter });
      expect(res.status, await res.clone().text()).toBe(200);
      return json(res);
    };
    const end = (shown: { totals: { sessions: number }; digest: string }) =>
      support.api('POST', '/api/search/sessions/revoke', {
        filter,
        confirm: 'REVOKE',
        expected: { sessions: shown.totals.sessions, digest: shown.digest },
      });
    const shown = await previewSessions();
    expect(shown).toMatchObject({ filter, totals: { sessions: 2, users: 2 }, over_limit: false });
    expect(shown.first_users.map((u: { email: string }) => u.email).sort()).toEqual([jack.email, kim.email].sort());

    const late = await mobile().loginWithBrowser(jack.email, 'Jack Laptop', { from: HOSTILE, userAgent: agent });
    const refused = await end(shown);
    expect(refused.status, await refused.clone().text()).toBe(409);
    const newer = (await json(refused)).error.search_impact;
    expect(newer.totals).toEqual({ sessions: 3, users: 2, limited: false });
    const live = await json(await admin.api('GET', `/api/search/sessions?ip=${HOSTILE}`));
    expect(live.totals).toEqual({ sessions: 3, users: 2, limited: false }); // nothing ended

    const confirmed = await end(newer);
    expect(confirmed.status, await confirmed.clone().text()).toBe(200);
    const result = await json(confirmed);
    expect(result).toMatchObject({ filter, ended: { sessions: 3, users: 2 } });
    expect((await json(await admin.api('GET', `/api/search/sessions?ip=${HOSTILE}`))).totals).toEqual({
      sessions: 0,
      users: 0,
      limited: false,
    });
    // The refresh tokens issued in those sessions are refused; the session from home keeps its token.
    for (const signIn of [jackThere, kimThere, late])
      expect((await exchange(signIn.refreshToken)).error).toBe('invalid_grant');
    expect((await exchange(kimHome.refreshToken)).status).toBe(200);

    const audit = await json(await admin.api('GET', '/api/audit?action=search.revoke_sessions'));
    const entry = (audit.entries as { id: string; target: string; detail: string }[]).find(
      (e) => e.id === result.audit_id,
    )!;
    expect(entry.target).toBe(`sessions matching address ${HOSTILE}`);
    expect(/session ids: (.*)$/.exec(entry.detail)![1]!.split(' ').sort()).toEqual(
      live.sessions.map((s: { id: string }) => s.id).sort(),
    );
  });

  it('against a tenant without the search (404, as a real Auth0 tenant answers): the pages say so in words, and nothing can be previewed or revoked', async () => {
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
        (await auth0Like.support.api('POST', '/api/search/sessions/impact', { filter: { ip: '198.51.100.7' } })).status,
      ).toBe(501);
    } finally {
      await auth0Like.stop();
    }
  });
});

/** Tokens of `count` logins from one address, 10 at a time. */
async function tokensFrom(address: string, count: number, userNumber: number, device: string) {
  const { email } = demoEndUser(userNumber);
  const tokens: string[] = [];
  for (let at = 0; at < count; at += 10) {
    tokens.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(10, count - at) }, (_, i) =>
          mobile().login(email, `${device} ${at + i}`, { from: address }),
        ),
      )),
    );
  }
  return tokens;
}
const searchCalls = (seen: string[]) => seen.filter((s) => s.endsWith('/search'));

describe('search across users: bounded work, rights, and failures part-way', () => {
  it('asks the tenant to count on the first page only, not on the pages after it', async () => {
    const asked: string[] = [];
    const console2 = await consoleBehindProxy(stack, 'totals-first-page', (_req, url) => {
      if (url.pathname.endsWith('/search')) asked.push(url.search);
      return undefined;
    });
    try {
      await tokensFrom('203.0.113.81', 3, 40, 'Counted Phone');
      const first = await json(await console2.support.api('GET', '/api/search/refresh-tokens?ip=203.0.113.81&take=2'));
      expect(first.totals).toEqual({ tokens: 3, users: 1, devices: 3, limited: false });
      const second = await json(
        await console2.support.api(
          'GET',
          `/api/search/refresh-tokens?ip=203.0.113.81&take=2&from=${encodeURIComponent(first.next)}`,
        ),
      );
      expect(second.tokens).toHaveLength(1);
      expect(second.totals).toBeNull();
      expect(asked.map((q) => new URLSearchParams(q).get('include_totals'))).toEqual(['true', null]);
    } finally {
      await console2.stop();
    }
  });

  it('a result past the (configured) limit is over_limit after one tenant page: the preview and the revocation ask no more', async () => {
    const small = await consoleBehindProxy(stack, 'small-limit', undefined, {
      search: { tokenLimit: 100, sessionLimit: 1 },
    });
    try {
      await tokensFrom('203.0.113.82', 101, 41, 'Many Phone');
      small.seen.length = 0;
      const res = await small.support.api('POST', '/api/search/refresh-tokens/impact', {
        filter: { ip: '203.0.113.82' },
      });
      expect(res.status, await res.clone().text()).toBe(200);
      const impact = await json(res);
      expect(impact).toMatchObject({
        over_limit: true,
        limit: 100,
        totals: { tokens: 101, users: 1, devices: 101, limited: false },
      });
      expect(searchCalls(small.seen)).toEqual(['GET /api/v2/refresh-tokens/search']);

      small.seen.length = 0;
      const refused = await small.support.api('POST', '/api/search/refresh-tokens/revoke', {
        filter: { ip: '203.0.113.82' },
        confirm: 'REVOKE',
        expected: { tokens: 101, digest: impact.digest },
      });
      expect(refused.status).toBe(400);
      expect((await json(refused)).error.code).toBe('narrow_the_search');
      expect(searchCalls(small.seen)).toEqual(['GET /api/v2/refresh-tokens/search']);
      expect(small.seen.some((s) => s.includes('/refresh-tokens/revoke'))).toBe(false);

      // Sessions past their limit (1 here): the same.
      const { email } = demoEndUser(42);
      for (const device of ['Many Browser 1', 'Many Browser 2'])
        await mobile().loginWithBrowser(email, device, { from: '203.0.113.83' });
      small.seen.length = 0;
      const sessions = await json(
        await small.support.api('POST', '/api/search/sessions/impact', { filter: { ip: '203.0.113.83' } }),
      );
      expect(sessions).toMatchObject({ over_limit: true, limit: 1, totals: { sessions: 2, users: 1, limited: false } });
      expect(searchCalls(small.seen)).toEqual(['GET /api/v2/sessions/search']);
    } finally {
      await small.stop();
    }
  });

  it('collects at most 2 result sets at once per BFF; past a short queue, 429 with Retry-After and the error body', async () => {
    let inFlight = 0;
    let most = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const slow = await consoleBehindProxy(stack, 'busy', async (_req, url) => {
      if (!url.pathname.endsWith('/search')) return undefined;
      inFlight++;
      most = Math.max(most, inFlight);
      await gate;
      inFlight--;
      return undefined;
    });
    try {
      const answers = Array.from({ length: 7 }, (_, i) =>
        slow.support.api('POST', '/api/search/refresh-tokens/impact', { filter: { ip: `198.51.100.${120 + i}` } }),
      );
      // The seventh is refused at once, while the first two wait at the tenant.
      const refused = await Promise.race(
        answers.map((p) => p.then((res) => (res.status === 429 ? res : new Promise<never>(() => {})))),
      );
      expect(refused.headers.get('retry-after')).toBe('5');
      expect((await json(refused)).error).toMatchObject({
        code: 'busy',
        message: expect.stringContaining('Try again in 5 seconds'),
        retry_after: 5,
        request_id: expect.any(String),
      });
      await expect.poll(() => inFlight).toBe(2);
      open();
      const statuses = (await Promise.all(answers)).map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
      expect(most).toBe(2);
    } finally {
      open();
      await slow.stop();
    }
  });

  it('revoking a result found by an application and a time range only is for admin: support gets 403 saying why, searching stays open', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const token = await web().login(demoEndUser(43).email, 'Wide Laptop', { from: '203.0.113.84' });
    const filter = { client_id: DEMO.clients.web.client_id, last_used_from: from };
    const shown = await preview(filter); // support may preview it
    expect(shown.totals.tokens).toBeGreaterThan(0);
    expect((await search(support, filter)).totals?.tokens).toBe(shown.totals.tokens);
    const refused = await revoke(filter, shown);
    expect(refused.status).toBe(403);
    const { error } = await json(refused);
    expect(error.code).toBe('forbidden');
    expect(error.message).toMatch(
      /Only an admin may revoke a result found without an address or a network no wider than a \/16/,
    );
    expect((await exchange(token, DEMO.clients.web.client_id, DEMO.clients.web.secret)).status).toBe(200);
    // The same with an address added is support's to revoke; without, admin's.
    const narrowed = { ...filter, ip: '203.0.113.84' };
    expect((await revoke(narrowed, await preview(narrowed))).status).toBe(200);
    const other = await web().login(demoEndUser(43).email, 'Wide Laptop 2', { from: '203.0.113.85' });
    const asAdmin = await revoke(filter, await preview(filter, admin), 'REVOKE', admin);
    expect(asAdmin.status, await asAdmin.clone().text()).toBe(200);
    expect((await exchange(other, DEMO.clients.web.client_id, DEMO.clients.web.secret)).error).toBe('invalid_grant');
    // Sessions found by a time range only: the same rule.
    const sessions = await support.api('POST', '/api/search/sessions/revoke', {
      filter: { last_used_from: from },
      confirm: 'REVOKE',
      expected: { sessions: 1, digest: '0'.repeat(64) },
    });
    expect(sessions.status).toBe(403);
  });

  it('revoking an empty result is 400 "nothing to revoke", and no revocation is audited', async () => {
    const filter = { ip: '192.0.2.201' };
    const shown = await preview(filter);
    expect(shown.totals.tokens).toBe(0);
    const before = (await json(await admin.api('GET', '/api/audit?action=search.revoke_tokens'))).entries.length;
    const res = await revoke(filter, shown);
    expect(res.status).toBe(400);
    expect((await json(res)).error).toMatchObject({
      code: 'nothing_to_revoke',
      message: expect.stringContaining('nothing to revoke'),
    });
    const sessions = await support.api('POST', '/api/search/sessions/revoke', {
      filter,
      confirm: 'REVOKE',
      expected: { sessions: 0, digest: shown.digest },
    });
    expect(sessions.status).toBe(400);
    expect((await json(sessions)).error.code).toBe('nothing_to_revoke');
    expect((await json(await admin.api('GET', '/api/audit?action=search.revoke_tokens'))).entries.length).toBe(before);
    expect(
      (await json(await admin.api('GET', '/api/audit?action=search.revoke_sessions'))).entries.some(
        (e: { target: string }) => e.target.includes('192.0.2.201'),
      ),
    ).toBe(false);
  });

  it('a tenant failing part-way (the second batch of 100 ids): "100 of 150 revoked; the rest were not", 502, and the audit entry lists which went and which did not', async () => {
    let revokeCalls = 0;
    // 150 tokens can be most of Acme Mobile's live tokens here: this support may revoke any share of it.
    const flaky = await consoleBehindProxy(
      stack,
      'flaky',
      (req, url) => {
        if (req.method === 'POST' && url.pathname === '/api/v2/refresh-tokens/revoke' && ++revokeCalls === 2) {
          return Response.json(
            { statusCode: 503, error: 'Service Unavailable', message: 'try later' },
            { status: 503 },
          );
        }
        return undefined;
      },
      { supportRevoke: { maxTokens: 1_000, maxSharePercent: 100 } },
    );
    try {
      const filter = { ip: '203.0.113.86' };
      await tokensFrom(filter.ip, 150, 44, 'Flaky Phone');
      const shown = await json(await flaky.support.api('POST', '/api/search/refresh-tokens/impact', { filter }));
      expect(shown.totals.tokens).toBe(150);
      const res = await flaky.support.api('POST', '/api/search/refresh-tokens/revoke', {
        filter,
        confirm: 'REVOKE',
        expected: { tokens: 150, digest: shown.digest },
      });
      expect(res.status, await res.clone().text()).toBe(502);
      const { error } = await json(res);
      expect(error.code).toBe('partially_revoked');
      expect(error.message).toMatch(/^100 of 150 revoked; the rest were not/);
      expect(revokeCalls).toBe(2);
      // What the tenant says now: 50 still live.
      const left = await search(support, { ...filter, take: '100' });
      expect(left.totals?.tokens).toBe(50);

      // This BFF's own audit log (support reads it).
      const entries = (await json(await flaky.support.api('GET', '/api/audit?action=search.revoke_tokens')))
        .entries as { detail: string; result: string; target: string }[];
      const entry = entries.find((e) => e.result === 'failure' && e.target.includes(filter.ip))!;
      expect(entry.detail).toContain('matched 150 refresh tokens of 1 user on 150 devices');
      expect(entry.detail).toContain('revoked 100 of 150 before the tenant failed');
      const went = /token ids revoked: ([^;]*)/.exec(entry.detail)![1]!.split(' ');
      const notWent = /token ids not revoked: ([^;]*)/.exec(entry.detail)![1]!.split(' ');
      expect(went).toHaveLength(100);
      expect(notWent.sort()).toEqual(left.tokens.map((t) => t.id).sort());
    } finally {
      await flaky.stop();
    }
  });
});
