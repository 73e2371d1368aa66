import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API, M2M_SECRET, PASSWORD, testTenant, type TestTenant } from '../fixtures.ts';
import { json } from '../http.ts';
import { verifyIssuedJwt } from '../jwt.ts';
import { serveApp } from '../server.ts';

/** POSTs a form from a chosen local address (127.0.0.0/8 is all loopback), over a new socket; the status. */
function postFrom(port: number, localAddress: string, form: Record<string, string>): Promise<number> {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        localAddress,
        method: 'POST',
        path: '/oauth/token',
        agent: false,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let t: TestTenant;
beforeEach(async () => {
  t = await testTenant();
});
afterEach(() => t.close());

const verify = (token: string, audience: string) => verifyIssuedJwt(t, token, audience);

describe('POST /oauth/token grant_type=password', () => {
  it('issues access, ID and refresh tokens, the refresh token on the named device', async () => {
    const tokens = await t.login('mobile', {
      device: 'Pixel 8',
      audience: API,
      scope: 'openid email offline_access read:things',
    });
    const { payload: at } = await verify(tokens.access_token, API);
    expect(at).toMatchObject({ sub: t.alice.user_id, azp: 'mobile', scope: 'openid email offline_access read:things' });
    const { payload: id } = await verify(tokens.id_token!, 'mobile');
    expect(id).toMatchObject({ sub: t.alice.user_id, email: t.alice.email });
    const { items } = await t.store.refreshTokens.listRefreshTokens(
      { user_id: t.alice.user_id },
      t.clock.now(),
      undefined,
      10,
    );
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      client_id: 'mobile',
      device_name: 'Pixel 8',
      rotating: true,
      audience: API,
      session_id: null,
    });
    expect(items[0]!.resource_servers).toEqual([{ audience: API, scopes: 'openid email offline_access read:things' }]);
  });

  it('refuses a device name over 255 characters with 400 invalid_request naming the limit, before anything is counted or written', async () => {
    const before = (await t.store.directory.getUser(t.alice.user_id))!;
    const res = await t.post('/oauth/token', {
      grant_type: 'password',
      client_id: 'mobile',
      username: t.alice.email,
      password: PASSWORD,
      scope: 'openid offline_access',
      device: 'x'.repeat(256),
    });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      error: 'invalid_request',
      error_description: 'device must be at most 255 characters.',
    });
    expect(
      (await t.store.refreshTokens.listRefreshTokens({ user_id: t.alice.user_id }, t.clock.now(), undefined, 10)).items,
    ).toEqual([]);
    expect((await t.store.directory.getUser(t.alice.user_id))!.logins_count).toBe(before.logins_count);
    expect((await t.store.directory.listGrants({ user_id: t.alice.user_id }, 0, 10)).items).toEqual([]);
    await t.login('mobile', { device: 'x'.repeat(255) });
  });

  it('answers a wrong password with 403 invalid_grant and the same for an unknown user', async () => {
    for (const username of [t.alice.email, 'nobody@test.example']) {
      const res = await t.post('/oauth/token', {
        grant_type: 'password',
        client_id: 'mobile',
        username,
        password: 'wrong',
      });
      expect(res.status).toBe(403);
      expect(await json(res)).toEqual({ error: 'invalid_grant', error_description: 'Wrong email or password.' });
    }
  });

  it('throttles repeated failures for one account and address with 429, even for the right password then', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 11; i++) {
      last = await t.post('/oauth/token', {
        grant_type: 'password',
        client_id: 'mobile',
        username: t.alice.email,
        password: `guess${i}`,
      });
    }
    expect(last!.status).toBe(429);
    expect(last!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(
      (
        await t.post('/oauth/token', {
          grant_type: 'password',
          client_id: 'mobile',
          username: t.alice.email,
          password: PASSWORD,
        })
      ).status,
    ).toBe(429);
    t.clock.advanceSeconds(15 * 60 + 1);
    expect(
      (
        await t.post('/oauth/token', {
          grant_type: 'password',
          client_id: 'mobile',
          username: t.alice.email,
          password: PASSWORD,
        })
      ).status,
    ).toBe(200);
  });

  it('counts before verifying: 30 parallel wrong passwords for one account get at most 10 verdicts, the rest 429', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        t.post('/oauth/token', {
          grant_type: 'password',
          client_id: 'mobile',
          username: t.alice.email,
          password: `guess${i}`,
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 403)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    expect(
      (
        await t.post('/oauth/token', {
          grant_type: 'password',
          client_id: 'mobile',
          username: t.alice.email,
          password: PASSWORD,
        })
      ).status,
    ).toBe(429);
  });

  it('does not count successful sign-ins: twenty in a row, five at a time, never lock an account out', async () => {
    for (let batch = 0; batch < 4; batch++) {
      const tokens = await Promise.all(Array.from({ length: 5 }, () => t.login('mobile')));
      for (const token of tokens) expect(token.access_token).toEqual(expect.any(String));
    }
  });

  describe('behind a trusted proxy: limits per account across addresses and per address across accounts', () => {
    let p: TestTenant;
    beforeEach(async () => {
      // Smaller limits than the defaults (10 / 50 / 100), so the test needs few slow password checks.
      p = await testTenant({
        options: { trustProxy: 1 },
        signInLimits: { perAccountAndAddress: 3, perAccount: 5, perAddress: 8 },
      });
    });
    afterEach(() => p.close());
    const attempt = (username: string, ip: string, password = 'wrong') =>
      p.post(
        '/oauth/token',
        { grant_type: 'password', client_id: 'mobile', username, password },
        { 'x-forwarded-for': ip },
      );

    it('stops a distributed guess at one account after its limit of failures from any addresses', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await attempt(p.alice.email, `198.51.100.${i}`)).status);
      expect(statuses).toEqual([403, 403, 403, 403, 403, 429]);
      // Another account is untouched.
      expect((await attempt(p.bob.email, '198.51.100.200', PASSWORD)).status).toBe(200);
    });

    it('counts nothing against an account for attempts its address was already refused for', async () => {
      for (let i = 0; i < 8; i++) expect((await attempt(`user${i}@test.example`, '203.0.113.50')).status).toBe(403);
      // The address is spent: these are refused before anything else is counted...
      for (let i = 0; i < 6; i++) expect((await attempt(p.alice.email, '203.0.113.50')).status).toBe(429);
      // ...so the account, limited to 5 failures, is not locked by them.
      expect((await attempt(p.alice.email, '203.0.113.51', PASSWORD)).status).toBe(200);
    });

    it('stops password spraying from one address after its limit of failures across accounts', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 9; i++) statuses.push((await attempt(`user${i}@test.example`, '203.0.113.9')).status);
      expect(statuses).toEqual([403, 403, 403, 403, 403, 403, 403, 403, 429]);
      // The same address, a real account, the right password: still held back until the window passes.
      expect((await attempt(p.alice.email, '203.0.113.9', PASSWORD)).status).toBe(429);
      expect((await attempt(p.alice.email, '203.0.113.10', PASSWORD)).status).toBe(200);
    });
  });

  it('one address cannot lock an account out for everyone: its refusals count against no other address (two loopback sources)', async () => {
    const server = await serveApp(t.tenant.app.fetch);
    try {
      const { port } = new URL(server.url);
      // The default limits: 10 per account and address, 50 per account, 100 per address.
      const from = (localAddress: string, password: string) =>
        postFrom(Number(port), localAddress, {
          grant_type: 'password',
          client_id: 'mobile',
          username: t.alice.email,
          password,
        });
      const statuses: number[] = [];
      for (let i = 0; i < 50; i++) statuses.push(await from('127.0.0.1', `guess${i}`));
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(403));
      expect(statuses.slice(10)).toEqual(Array(40).fill(429));
      // The right password from another address: the guesser's refused attempts never reached
      // the password check, so they did not count against the account.
      expect(await from('127.0.0.2', PASSWORD)).toBe(200);
      // The guesser's address is still held back, right password or not.
      expect(await from('127.0.0.1', PASSWORD)).toBe(429);
    } finally {
      await server.close();
    }
  });

  it('gives no refresh token without offline_access', async () => {
    const tokens = await t.login('mobile', { scope: 'openid' });
    expect(tokens.refresh_token).toBeUndefined();
  });

  it('refuses a client not allowed the grant with 403 unauthorized_client', async () => {
    const res = await t.post('/oauth/token', {
      grant_type: 'password',
      client_id: 'm2m',
      client_secret: M2M_SECRET,
      username: 'a',
      password: 'b',
    });
    expect(res.status).toBe(403);
    expect((await json(res)).error).toBe('unauthorized_client');
  });
});
