import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../src/crypto/secrets.ts';
import { testTenant, WEB_SECRET, type TestTenant } from './fixtures.ts';

let t: TestTenant;
let liveToken: string;
beforeAll(async () => {
  t = await testTenant();
  await t.store.settings.updateSettings((s) => ({
    ...s,
    flags: { ...s.flags, allow_legacy_delegation_grant_types: true },
  }));
  liveToken = (await t.login('mobile')).refresh_token;
});
afterAll(() => t.close());

/** Everything a rejected request could have changed. */
async function snapshot() {
  const { store } = t;
  return {
    tokens: (await store.refreshTokens.listRefreshTokensHistory({}, 0, 1000)).items.map((x) => [
      x.id,
      x.revoked_at,
      x.last_exchanged_at,
    ]),
    grants: (await store.directory.listGrants({}, 0, 1000)).total,
    events: (await store.events.listEvents({}, 1000)).length,
    jobs: (await store.revocationJournal.listRevocationJobs()).length,
    settings: await store.settings.getSettings(),
  };
}

const huge = 'x'.repeat(70 * 1024);
const oddUnicode = '\u0000\ud800\u202e\uffff🙂';

type Case = [
  name: string,
  init: { path: string; method?: string; type?: string; body?: string; headers?: Record<string, string> },
  status: number,
];

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const CASES: Case[] = [
  ['token: no body', { path: '/oauth/token' }, 400],
  ['token: empty JSON object', { path: '/oauth/token', type: 'application/json', body: '{}' }, 400],
  ['token: malformed JSON', { path: '/oauth/token', type: 'application/json', body: '{"grant_type":' }, 400],
  ['token: JSON array', { path: '/oauth/token', type: 'application/json', body: '[1,2]' }, 400],
  ['token: JSON null', { path: '/oauth/token', type: 'application/json', body: 'null' }, 400],
  [
    'token: grant_type as object',
    { path: '/oauth/token', type: 'application/json', body: '{"grant_type":{"$ne":1}}' },
    400,
  ],
  [
    'token: unknown grant',
    {
      path: '/oauth/token',
      type: 'application/x-www-form-urlencoded',
      body: form({ grant_type: 'magic', client_id: 'mobile' }),
    },
    400,
  ],
  [
    'token: grant named like a prototype key',
    {
      path: '/oauth/token',
      type: 'application/x-www-form-urlencoded',
      body: form({ grant_type: '__proto__', client_id: 'mobile' }),
    },
    400,
  ],
  [
    'token: repeated parameter',
    {
      path: '/oauth/token',
      type: 'application/x-www-form-urlencoded',
      body: 'grant_type=refresh_token&grant_type=password',
    },
    400,
  ],
  ['token: text/plain', { path: '/oauth/token', type: 'text/plain', body: 'grant_type=password' }, 400],
  [
    'token: oversize body',
    {
      path: '/oauth/token',
      type: 'application/x-www-form-urlencoded',
      body: `grant_type=refresh_token&refresh_token=${huge}`,
    },
    413,
  ],
  [
    'token: refresh without token',
    {
      path: '/oauth/token',
      type: 'application/x-www-form-urlencoded',
      body: form({ grant_type: 'refresh_token', client_id: 'mobile' }),
    },
    400,
  ],
  // NUL is refused at the edge (400); other odd unicode is just an unknown value.
  [
    'token: refresh token with NUL and odd unicode',
    {
      path: '/oauth/token',
      type: 'application/x-www-form-urlencoded',
      body: form({ grant_type: 'refresh_token', client_id: 'mobile', refresh_token: oddUnicode }),
    },
    400,
  ],
  [
    'token: refresh token with odd unicode',
    {
      path: '/oauth/token',
      type: 'application/x-www-form-urlencoded',
      body: form({ grant_type: 'refresh_token', client_id: 'mobile', refresh_token: oddUnicode.slice(1) }),
    },
    403,
  ],
  [
    'token: client_id with NUL',
    {
      path: '/oauth/token',
      type: 'application/x-www-form-urlencoded',
      body: form({ grant_type: 'refresh_token', client_id: oddUnicode, refresh_token: 'x' }),
    },
    400,
  ],
  [
    'token: refresh with unknown client',
    {
      path: '/oauth/token',
      type: 'application/x-www-form-urlencoded',
      body: form({ grant_type: 'refresh_token', client_id: oddUnicode.slice(1), refresh_token: 'x' }),
    },
    401,
  ],
  [
    'token: JSON with NUL',
    {
      path: '/oauth/token',
      type: 'application/json',
      body: JSON.stringify({ grant_type: 'password', client_id: 'mobile', username: 'a\u0000b', password: 'x' }),
    },
    400,
  ],
  [
    'token: refresh without client',
    {
      path: '/oauth/token',
      type: 'application/x-www-form-urlencoded',
      body: form({ grant_type: 'refresh_token', refresh_token: 'x' }),
    },
    400,
  ],
  [
    'token: malformed Basic header',
    {
      path: '/oauth/token',
      type: 'application/x-www-form-urlencoded',
      body: form({ grant_type: 'client_credentials' }),
      headers: { authorization: 'Basic %%%' },
    },
    401,
  ],
  [
    'token: Basic with bad percent-encoding',
    {
      path: '/oauth/token',
      type: 'application/x-www-form-urlencoded',
      body: form({ grant_type: 'client_credentials' }),
      headers: { authorization: `Basic ${Buffer.from('m2m:%E0%A4%A').toString('base64')}` },
    },
    401,
  ],
  [
    'token: code grant with a bogus code',
    {
      path: '/oauth/token',
      type: 'application/x-www-form-urlencoded',
      body: form({
        grant_type: 'authorization_code',
        client_id: 'mobile',
        code: 'abc',
        redirect_uri: 'https://app.test/callback',
      }),
    },
    403,
  ],
  [
    'token: password grant without password',
    {
      path: '/oauth/token',
      type: 'application/x-www-form-urlencoded',
      body: form({ grant_type: 'password', client_id: 'mobile', username: 'a' }),
    },
    400,
  ],
  ['token: GET', { path: '/oauth/token', method: 'GET' }, 404],
  ['revoke: no body', { path: '/oauth/revoke' }, 400],
  [
    'revoke: token as number array',
    { path: '/oauth/revoke', type: 'application/json', body: '{"client_id":"mobile","token":[1]}' },
    400,
  ],
  ['revoke: malformed JSON', { path: '/oauth/revoke', type: 'application/json', body: '{' }, 400],
  [
    'revoke: oversize',
    { path: '/oauth/revoke', type: 'application/json', body: JSON.stringify({ client_id: 'mobile', token: huge }) },
    413,
  ],
  [
    'revoke: no client',
    { path: '/oauth/revoke', type: 'application/x-www-form-urlencoded', body: form({ token: 'x' }) },
    400,
  ],
  ['delegation: no body', { path: '/delegation' }, 400],
  [
    'delegation: wrong grant',
    {
      path: '/delegation',
      type: 'application/x-www-form-urlencoded',
      body: form({ client_id: 'mobile', grant_type: 'x', refresh_token: 'y' }),
    },
    400,
  ],
  [
    'delegation: bogus token',
    {
      path: '/delegation',
      type: 'application/x-www-form-urlencoded',
      body: form({
        client_id: 'web',
        client_secret: WEB_SECRET,
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        refresh_token: oddUnicode.slice(1),
      }),
    },
    403,
  ],
  ['authorize: no parameters', { path: '/authorize', method: 'GET' }, 400],
  ['authorize: repeated client_id', { path: '/authorize?client_id=mobile&client_id=web', method: 'GET' }, 400],
  [
    'authorize: huge state',
    {
      path: `/authorize?client_id=mobile&redirect_uri=https://app.test/callback&state=${'s'.repeat(9000)}`,
      method: 'GET',
    },
    400,
  ],
  [
    'login: no transaction',
    { path: '/u/login', type: 'application/x-www-form-urlencoded', body: form({ username: 'a', password: 'b' }) },
    400,
  ],
  [
    'login: forged transaction',
    {
      path: '/u/login',
      type: 'application/x-www-form-urlencoded',
      body: form({ tx: 'eyJhbGciOiJub25lIn0.eyJyZXEiOnt9fQ.', username: 'a', password: 'b' }),
    },
    400,
  ],
  ['login: JSON garbage', { path: '/u/login', type: 'application/json', body: '{{{' }, 400],
  ['userinfo: no token', { path: '/userinfo', method: 'GET' }, 401],
  [
    'userinfo: garbage token',
    { path: '/userinfo', method: 'GET', headers: { authorization: `Bearer ${'a'.repeat(5000)}` } },
    401,
  ],
  ['unknown path', { path: '/nope', method: 'GET' }, 404],
];

describe('bad input on every Authentication API endpoint', () => {
  it.each(CASES)(
    '%s answers the documented 4xx, with an error body, and changes nothing',
    async (_name, init, status) => {
      const before = await snapshot();
      const res = await t.tenant.app.request(init.path, {
        method: init.method ?? 'POST',
        headers: { ...(init.type ? { 'content-type': init.type } : {}), ...init.headers },
        ...(init.body !== undefined ? { body: init.body } : {}),
      });
      expect(res.status).toBe(status);
      const text = await res.text();
      expect(text).not.toMatch(/at .*\.ts:\d+|Error:|stack/);
      if (res.headers.get('content-type')?.includes('json')) {
        const body = JSON.parse(text);
        expect(typeof body.error).toBe('string');
        expect(typeof body.error_description).toBe('string');
      }
      expect(await snapshot()).toEqual(before);
      // Checked after each case (not once at the end, which passes trivially when run alone).
      expect((await t.store.refreshTokens.findRefreshTokenBySecret(sha256(liveToken), t.clock.now()))?.usable).toBe(
        true,
      );
    },
  );

  it('leaves the live token usable for its client', async () => {
    expect((await t.refresh(liveToken)).status).toBe(200);
  });
});
