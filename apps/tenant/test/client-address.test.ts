import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from './fixtures.ts';
import { json } from './http.ts';
import { managementHarness, type ManagementHarness } from './management/helpers.ts';

/** Password grant over a real socket with the given X-Forwarded-For; the address the tenant recorded. */
async function recordedIp(h: ManagementHarness, forwardedFor: string | null): Promise<string | null> {
  h.clock.advance(1000); // so the newest token is this one
  const origin = h.baseUrl.replace(/\/api\/v2$/, '');
  const res = await fetch(`${origin}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
    },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'mobile',
      username: h.alice.email,
      password: PASSWORD,
      scope: 'openid offline_access',
    }),
  });
  expect(res.status).toBe(200);
  const tokens = await json(await h.raw(`/users/${encodeURIComponent(h.alice.user_id)}/refresh-tokens`));
  const newest = tokens.tokens.sort((a: { created_at: string }, b: { created_at: string }) =>
    b.created_at.localeCompare(a.created_at),
  )[0];
  return newest.device.last_ip;
}

describe('the client address behind proxies (--trust-proxy N)', () => {
  let direct: ManagementHarness;
  let oneProxy: ManagementHarness;
  let twoProxies: ManagementHarness;
  beforeAll(async () => {
    direct = await managementHarness();
    oneProxy = await managementHarness({ options: { trustProxy: 1 } });
    twoProxies = await managementHarness({ options: { trustProxy: 2 } });
  });
  afterAll(async () => {
    await Promise.all([direct.stop(), oneProxy.stop(), twoProxies.stop()]);
  });

  it('ignores X-Forwarded-For when no proxy is trusted (the default)', async () => {
    expect(await recordedIp(direct, '9.9.9.9')).toBe('127.0.0.1');
  });

  it('takes the right-most address the trusted proxy appended, never the left-most one the client sent', async () => {
    // The client forged "1.2.3.4"; our one proxy appended the address it really saw.
    expect(await recordedIp(oneProxy, '1.2.3.4, 9.9.9.9')).toBe('9.9.9.9');
    expect(await recordedIp(oneProxy, '2001:4860:4860::8888')).toBe('2001:4860:4860::8888');
  });

  it('walks back one address per trusted hop', async () => {
    expect(await recordedIp(twoProxies, '1.2.3.4, 9.9.9.9, 10.0.0.2')).toBe('9.9.9.9');
    // Fewer addresses than hops: the left-most there is.
    expect(await recordedIp(twoProxies, '9.9.9.9')).toBe('9.9.9.9');
  });

  it('falls back to the socket address when the trusted position holds no address', async () => {
    expect(await recordedIp(oneProxy, '1.2.3.4, not-an-address')).toBe('127.0.0.1');
  });
});
