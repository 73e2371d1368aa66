import { DEMO, demoEndUser, json, type StaffClient, type TestStack } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleBehindProxy } from './console-behind-proxy.ts';
import { searchCalls, searchHelpers, startSearchStack } from './search-helpers.ts';
/**
 * What one search across users may cost the tenant and the console (a count on the first page
 * only, a configured limit, a few result sets at once), who may revoke a result found by its
 * application alone, and what a revocation failing part-way reports and audits.
 */

let stack: TestStack;
let admin: StaffClient;
let support: StaffClient;
const { mobile, web, search, preview, revoke, exchange, tokensFrom } = searchHelpers(() => ({ stack, support }));

beforeAll(async () => {
  ({ stack, admin, support } = await startSearchStack());
});
afterAll(() => stack.stop());

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

  it(
    'a tenant failing part-way (the second batch of 100 ids): "100 of 150 revoked; the rest were not", ' +
      '502, and the audit entry lists which went and which did not',
    async () => {
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
    },
  );
});
