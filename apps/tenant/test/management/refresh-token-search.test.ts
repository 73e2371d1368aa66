import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD } from '../fixtures.ts';
import { json } from '../http.ts';
import { managementHarness, type ManagementHarness } from './helpers.ts';

let h: ManagementHarness;
beforeEach(async () => {
  // One trusted proxy: each sign-in and exchange comes from the X-Forwarded-For it sends.
  h = await managementHarness({ options: { trustProxy: 1 } });
});
afterEach(() => h.stop());

/** POSTs /oauth/token over HTTP from `ip` with `userAgent`. */
async function tokenFrom(ip: string, userAgent: string, form: Record<string, string>) {
  h.clock.advance(1000);
  const origin = h.baseUrl.replace(/\/api\/v2$/, '');
  const res = await fetch(`${origin}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip, 'user-agent': userAgent },
    body: new URLSearchParams(form),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { refresh_token: string };
}

const signIn = (ip: string, userAgent: string, email: string, device: string) =>
  tokenFrom(ip, userAgent, {
    grant_type: 'password',
    client_id: 'mobile',
    username: email,
    password: PASSWORD,
    scope: 'openid offline_access',
    device,
  });

const search = async (query: string, token?: string | null) => {
  const res = await h.raw(`/refresh-tokens/search${query}`, token === undefined ? {} : { token });
  return { status: res.status, body: await json(res) };
};

describe("GET /refresh-tokens/search (not Auth0's: live refresh tokens across users)", () => {
  it('finds the tokens used from an address, a network or an AS (initial or last), paged, with totals; revoked ones drop out', async () => {
    await signIn('9.9.9.9', 'Mozilla/5.0 (iPhone)', h.alice.email, 'Alice phone');
    await signIn('2001:4860:4860::8888', 'Mozilla/5.0 (Macintosh)', h.alice.email, 'Alice laptop');
    const bobPhone = await signIn('1.1.1.1', 'okhttp/4.12', h.bob.email, 'Bob phone');
    // Bob's token is then used from Quad9's network too.
    await tokenFrom('9.9.9.10', 'okhttp/4.12', {
      grant_type: 'refresh_token',
      client_id: 'mobile',
      refresh_token: bobPhone.refresh_token,
    });

    const byNetwork = await search('?ip=9.9.9.0/24&include_totals=true');
    expect(byNetwork.status).toBe(200);
    expect(byNetwork.body.totals).toEqual({ tokens: 2, users: 2, devices: 2, limited: false });
    const tokens = byNetwork.body.refresh_tokens as {
      user_id: string;
      device_name: string;
      device: Record<string, string>;
    }[];
    expect(tokens.map((t) => t.device_name).sort()).toEqual(['Alice phone', 'Bob phone']);
    const bob = tokens.find((t) => t.user_id === h.bob.user_id)!;
    expect(bob).toMatchObject({ client_id: 'mobile', rotating: true, device_name: 'Bob phone' });
    expect(bob.device).toEqual({
      initial_ip: '1.1.1.1',
      initial_asn: 'AS13335',
      initial_user_agent: 'okhttp/4.12',
      last_ip: '9.9.9.10',
      last_asn: 'AS19281',
      last_user_agent: 'okhttp/4.12',
    });
    expect(Object.keys(bob).sort()).toEqual([
      'client_id',
      'created_at',
      'device',
      'device_name',
      'dpop_jkt',
      'expires_at',
      'id',
      'idle_expires_at',
      'last_exchanged_at',
      'refresh_token_metadata',
      'resource_servers',
      'rotating',
      'session_id',
      'user_id',
    ]);
    expect(byNetwork.body.next).toBeUndefined();

    // The same by AS, in either spelling, and by one address.
    for (const asn of ['AS19281', '19281', 'as19281'])
      expect((await search(`?asn=${asn}`)).body.refresh_tokens).toEqual(tokens);
    expect((await search('?ip=9.9.9.9')).body.refresh_tokens.map((t: { user_id: string }) => t.user_id)).toEqual([
      h.alice.user_id,
    ]);
    expect(
      (await search(`?ip=${encodeURIComponent('2001:4860::/32')}`)).body.refresh_tokens.map(
        (t: { device_name: string }) => t.device_name,
      ),
    ).toEqual(['Alice laptop']);
    expect((await search('?user_agent=MACINTOSH')).body.refresh_tokens).toHaveLength(1);
    expect(
      (await search('?device_name=phone&asn=AS13335')).body.refresh_tokens.map(
        (t: { device_name: string }) => t.device_name,
      ),
    ).toEqual(['Bob phone']);

    // Paged by checkpoint: one per page, the same two, then no `next`.
    const first = await search('?ip=9.9.9.0/24&take=1');
    expect(first.body.refresh_tokens).toEqual([tokens[0]]);
    expect(typeof first.body.next).toBe('string');
    const second = await search(`?ip=9.9.9.0/24&take=1&from=${encodeURIComponent(first.body.next)}`);
    expect(second.body.refresh_tokens).toEqual([tokens[1]]);
    expect(second.body.next).toBeUndefined();

    // Last used between: Bob's exchange was the last thing to happen.
    const exchangedAt = new Date(h.clock.now()).toISOString();
    expect(
      (await search(`?last_used_from=${exchangedAt}`)).body.refresh_tokens.map((t: { user_id: string }) => t.user_id),
    ).toEqual([h.bob.user_id]);

    // Revoked: no longer found, nor counted.
    const alice = tokens.find((t) => t.user_id === h.alice.user_id) as unknown as { id: string };
    expect(
      (
        await h.raw('/refresh-tokens/revoke', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ids: [alice.id] }),
        })
      ).status,
    ).toBe(202);
    const after = await search('?ip=9.9.9.0/24&include_totals=true');
    expect(after.body.totals).toEqual({ tokens: 1, users: 1, devices: 1, limited: false });
    expect(after.body.refresh_tokens.map((t: { user_id: string }) => t.user_id)).toEqual([h.bob.user_id]);
  });

  it('answers 400 in the Management API body for a bad address, AS, date, page size, an unknown parameter or no condition at all', async () => {
    const long = 'x'.repeat(257);
    for (const query of [
      '',
      '?take=10',
      '?include_totals=true',
      '?ip=999.1.1.1',
      '?ip=203.0.113.0/33',
      `?ip=${encodeURIComponent('2001:db8::/129')}`,
      '?ip=example.com',
      '?ip=',
      '?asn=ASX',
      '?asn=AS',
      '?asn=0',
      '?asn=AS99999999999',
      '?user_agent=',
      `?user_agent=${long}`,
      `?device_name=${'d'.repeat(256)}`,
      '?asn=AS1&last_used_from=yesterday',
      '?asn=AS1&last_used_to=2026-01-01',
      '?asn=AS1&last_used_to=2026-13-01T00:00:00Z',
      // Impossible days Date.parse would roll over into the next month.
      '?asn=AS1&last_used_from=2026-02-30T00:00:00Z',
      '?asn=AS1&last_used_to=2025-02-29T00:00:00Z',
      '?asn=AS1&last_used_to=2026-04-31T12:00:00Z',
      '?asn=AS1&take=0',
      '?asn=AS1&take=101',
      '?asn=AS1&take=ten',
      '?asn=AS1&include_totals=yes',
      '?asn=AS1&user_id=x',
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
    expect((await search('?ip=203.0.113.0/33')).body.message).toContain('IPv4 or IPv6 address or CIDR');
    expect((await search('')).body.message).toContain('Provide at least one of ip, asn');
  });

  it('refuses a range wider than one network holding more than 10,000 live tokens, saying what to search instead; one network within it answers', async () => {
    // 10,001 tokens over 10.20.0.0/16 (41 hosts in each of 244 /24s), written as a bulk import.
    const now = h.clock.now();
    const tokens = Array.from({ length: 10_001 }, (_, i) => {
      const ip = `10.20.${i % 244}.${1 + Math.floor(i / 244)}`;
      return {
        id: `rtwide${String(i).padStart(6, '0')}`,
        secretHash: createHash('sha256').update(`wide-${i}`).digest(),
        user_id: h.alice.user_id,
        client_id: 'mobile',
        grant_id: null,
        session_id: null,
        device_name: 'Wide',
        audience: 'https://api.example.test/',
        scope: ['offline_access'],
        resource_servers: [],
        rotating: false,
        created_at: now,
        expires_at: null,
        idle_expires_at: null,
        idle_lifetime: null,
        leeway: 0,
        device: {
          initial_ip: ip,
          initial_asn: null,
          initial_user_agent: 'Wide/1',
          last_ip: ip,
          last_asn: null,
          last_user_agent: 'Wide/1',
        },
      };
    });
    await h.tenant.deps.store.bulkImport({ users: [], grants: [], tokens });
    const wide = await search(`?ip=${encodeURIComponent('10.20.0.0/16')}`);
    expect(wide.status).toBe(400);
    expect(wide.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.stringContaining('more than 10,000 live refresh tokens'),
      errorCode: 'invalid_query_string',
    });
    expect(wide.body.message).toContain('IPv4 /24');
    const one = await search(`?ip=${encodeURIComponent('10.20.7.0/24')}&include_totals=true`);
    expect(one.status).toBe(200);
    expect(one.body.totals).toEqual({ tokens: 41, users: 1, devices: 1, limited: false });
    // A range wider than a /24 holding fewer passes: 10.20.0.0/23 holds 82.
    expect((await search(`?ip=${encodeURIComponent('10.20.0.0/23')}&include_totals=true`)).body.totals).toMatchObject({
      tokens: 82,
    });
  });

  it('needs read:refresh_tokens, and a token', async () => {
    expect((await search('?asn=AS19281', await h.managementToken('read:users'))).status).toBe(403);
    expect((await search('?asn=AS19281', await h.managementToken('read:refresh_tokens'))).status).toBe(200);
    const anonymous = await search('?asn=AS19281', null);
    expect(anonymous.status).toBe(401);
  });
});
