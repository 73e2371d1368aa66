import { DEMO, demoEndUser, json, type StaffClient, type TestStack } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Impact, searchHelpers, startSearchStack } from './search-helpers.ts';
/**
 * "Revoke these N tokens" and "End these sessions" on a search's result, bound to the ids its
 * preview matched (by digest) and to REVOKE typed in, checked at the tenant's /oauth/token as
 * the end users' apps see it: anything issued or ended since the preview is a 409, and nothing
 * is revoked.
 */

let stack: TestStack;
let admin: StaffClient;
let support: StaffClient;
const { mobile, web, search, preview, revoke, exchange } = searchHelpers(() => ({ stack, support }));

beforeAll(async () => {
  ({ stack, admin, support } = await startSearchStack());
});
afterAll(() => stack.stop());

describe('search across users: acting on a result bound to its preview', () => {
  it(
    'a token issued from the searched address between the preview and the confirmation: ' +
      '409 with the new preview, nothing revoked; confirmed again, ' +
      'exactly those tokens are refused at the tenant and the others work; audited with the filter, ' +
      'counts and ids, and exported',
    async () => {
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
    },
  );

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

  it(
    'ends every session found from an address, bound to its preview: ' +
      'a session started there meanwhile is a 409 and nothing ends; confirmed again, ' +
      'those sessions and the tokens issued in them go, those from another address stay; ' +
      'audited with the session ids',
    async () => {
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
    },
  );
});
