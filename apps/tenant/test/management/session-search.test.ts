import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CookieJar } from '../browser.ts';
import { PASSWORD } from '../fixtures.ts';
import { json } from '../http.ts';
import { managementHarness, type ManagementHarness } from './helpers.ts';

let h: ManagementHarness;
beforeEach(async () => {
  // One trusted proxy: each browser request comes from the X-Forwarded-For it sends.
  h = await managementHarness({ options: { trustProxy: 1 } });
});
afterEach(() => h.stop());

const AUTHORIZE = new URLSearchParams({
  response_type: 'code',
  client_id: 'mobile',
  redirect_uri: 'https://app.test/callback',
  scope: 'openid',
  code_challenge: 'x'.repeat(43),
  code_challenge_method: 'S256',
});

/** /authorize as a browser at `ip`: signs in with the form when the jar holds no session. */
async function browse(jar: CookieJar, ip: string, userAgent: string, email: string) {
  h.clock.advance(1000);
  const headers = () => ({ cookie: jar.header(), 'x-forwarded-for': ip, 'user-agent': userAgent });
  const res = await h.tenant.app.request(`/authorize?${AUTHORIZE}`, { headers: headers() });
  jar.store(res);
  if (res.status === 302) return;
  const tx = /name="tx" value="([^"]+)"/.exec(await res.text())?.[1];
  const login = await h.tenant.app.request('/u/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers() },
    body: new URLSearchParams({ tx: tx!, username: email, password: PASSWORD }).toString(),
  });
  jar.store(login);
  expect(login.status).toBe(302);
}

const search = async (query: string, token?: string | null) => {
  const res = await h.raw(`/sessions/search${query}`, token === undefined ? {} : { token });
  return { status: res.status, body: await json(res) };
};

describe("GET /sessions/search (not Auth0's: live sessions across users)", () => {
  it('finds the sessions used from an address, a network or an AS (initial or last), paged, with totals; ended ones drop out', async () => {
    const alice = new CookieJar();
    const bob = new CookieJar();
    await browse(alice, '9.9.9.9', 'Mozilla/5.0 (iPhone)', h.alice.email);
    await browse(bob, '1.1.1.1', 'Mozilla/5.0 (X11; Linux)', h.bob.email);
    // Bob's browser comes back from Quad9's network.
    await browse(bob, '9.9.9.10', 'Mozilla/5.0 (X11; Linux)', h.bob.email);

    const byNetwork = await search('?ip=9.9.9.0/24&include_totals=true');
    expect(byNetwork.status).toBe(200);
    expect(byNetwork.body.totals).toEqual({ sessions: 2, users: 2, limited: false });
    const sessions = byNetwork.body.sessions as { id: string; user_id: string; device: Record<string, string> }[];
    expect(sessions.map((s) => s.user_id).sort()).toEqual([h.alice.user_id, h.bob.user_id].sort());
    const bobs = sessions.find((s) => s.user_id === h.bob.user_id)!;
    // The body GET /sessions/{id} answers.
    expect(bobs).toEqual(await json(await h.raw(`/sessions/${bobs.id}`)));
    expect(bobs.device).toMatchObject({
      initial_ip: '1.1.1.1',
      initial_asn: 'AS13335',
      last_ip: '9.9.9.10',
      last_asn: 'AS19281',
    });

    expect((await search('?asn=19281')).body.sessions).toEqual(sessions);
    expect((await search('?ip=1.1.1.1')).body.sessions.map((s: { id: string }) => s.id)).toEqual([bobs.id]);
    expect((await search('?user_agent=iphone')).body.sessions.map((s: { user_id: string }) => s.user_id)).toEqual([
      h.alice.user_id,
    ]);
    expect(
      (await search(`?last_used_from=${new Date(h.clock.now()).toISOString()}`)).body.sessions.map(
        (s: { id: string }) => s.id,
      ),
    ).toEqual([bobs.id]);

    const first = await search('?asn=AS19281&take=1');
    expect(first.body.sessions).toEqual([sessions[0]]);
    const second = await search(`?asn=AS19281&take=1&from=${encodeURIComponent(first.body.next)}`);
    expect(second.body.sessions).toEqual([sessions[1]]);
    expect(second.body.next).toBeUndefined();

    expect((await h.raw(`/sessions/${bobs.id}`, { method: 'DELETE' })).status).toBe(202);
    expect((await search('?ip=9.9.9.0/24&include_totals=true')).body).toMatchObject({
      totals: { sessions: 1, users: 1 },
      sessions: [{ user_id: h.alice.user_id }],
    });
  });

  it('answers 400 in the Management API body for bad input or no condition, and takes no client_id or device_name', async () => {
    for (const query of [
      '',
      '?take=5',
      '?ip=1.2.3.4/40',
      '?asn=AS',
      '?user_agent=',
      '?asn=AS1&last_used_to=soon',
      '?asn=AS1&take=101',
      '?client_id=mobile',
      '?device_name=x',
    ]) {
      const res = await search(query);
      expect(res.status, query).toBe(400);
      expect(res.body, query).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: expect.stringMatching(/^Query validation error: /),
        errorCode: 'invalid_query_string',
      });
    }
  });

  it('needs read:sessions, and a token', async () => {
    expect((await search('?asn=AS19281', await h.managementToken('read:refresh_tokens'))).status).toBe(403);
    expect((await search('?asn=AS19281', await h.managementToken('read:sessions'))).status).toBe(200);
    expect((await search('?asn=AS19281', null)).status).toBe(401);
  });
});
