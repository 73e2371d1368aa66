import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../auth/rate-limit.ts';
import { SIGN_IN_WINDOW_MS, SignInThrottle, type SignInLimits } from './sign-in-throttle.ts';

const throttle = (limits: SignInLimits) => {
  const limiters = {
    perAccountAndAddress: new MemoryRateLimiter(limits.perAccountAndAddress, SIGN_IN_WINDOW_MS),
    perAccount: new MemoryRateLimiter(limits.perAccount, SIGN_IN_WINDOW_MS),
    perAddress: new MemoryRateLimiter(limits.perAddress, SIGN_IN_WINDOW_MS),
  };
  return { throttle: new SignInThrottle(limiters), limiters };
};

async function fail(t: SignInThrottle, account: string, ip: string | null, times: number, now = 0) {
  const verdicts = [];
  for (let i = 0; i < times; i++) verdicts.push((await t.attempt(account, ip, now)).allowed);
  return verdicts;
}

describe('SignInThrottle', () => {
  it('refuses an account from one address past its limit, with the seconds until the window ends', async () => {
    const { throttle: t } = throttle({ perAccountAndAddress: 2, perAccount: 10, perAddress: 10 });
    expect(await fail(t, 'jane@example.com', '203.0.113.9', 3)).toEqual([true, true, false]);
    const refused = await t.attempt('jane@example.com', '203.0.113.9', 60_000);
    expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: (SIGN_IN_WINDOW_MS - 60_000) / 1000 });
  });

  it('names an account as typed, whatever the case, spaces or compatibility forms', async () => {
    const { throttle: t } = throttle({ perAccountAndAddress: 2, perAccount: 10, perAddress: 10 });
    await fail(t, 'Jane@Example.com', '203.0.113.9', 1);
    await fail(t, '  jane@example.com ', '203.0.113.9', 1);
    expect((await t.attempt('ｊａｎｅ@example.com', '203.0.113.9', 0)).allowed).toBe(false);
  });

  it('counts IPv6 callers by their /64 and IPv4 callers by their address', async () => {
    const { throttle: t } = throttle({ perAccountAndAddress: 2, perAccount: 10, perAddress: 10 });
    await fail(t, 'jane@example.com', '2001:db8:1:2::1', 1);
    await fail(t, 'jane@example.com', '2001:0db8:0001:0002:ffff::9', 1);
    expect((await t.attempt('jane@example.com', '2001:db8:1:2:0:0:0:7', 0)).allowed).toBe(false);
    expect((await t.attempt('jane@example.com', '2001:db8:1:3::1', 0)).allowed).toBe(true);
    await fail(t, 'ann@example.com', '198.51.100.1', 2);
    expect((await t.attempt('ann@example.com', '198.51.100.2', 0)).allowed).toBe(true);
  });

  it("gives a right password's attempt back on every counter", async () => {
    const { throttle: t, limiters } = throttle({ perAccountAndAddress: 2, perAccount: 10, perAddress: 10 });
    for (let i = 0; i < 5; i++) {
      const attempt = await t.attempt('jane@example.com', '203.0.113.9', 0);
      if (!attempt.allowed) expect.fail('a right password was refused');
      await attempt.succeeded();
    }
    expect((await limiters.perAddress.peek('signin:address:203.0.113.9', 0)).remaining).toBe(10);
  });

  it('stops password spraying from one address across accounts, and the refused attempts count against no account', async () => {
    const { throttle: t, limiters } = throttle({ perAccountAndAddress: 5, perAccount: 5, perAddress: 3 });
    const verdicts = [];
    for (const account of ['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test', 'e@x.test'])
      verdicts.push((await t.attempt(account, '203.0.113.9', 0)).allowed);
    expect(verdicts).toEqual([true, true, true, false, false]);
    expect((await limiters.perAccount.peek('signin:account:d@x.test', 0)).remaining).toBe(5);
  });

  it('stops a guess at one account spread over many addresses, and gives the address its count back', async () => {
    const { throttle: t, limiters } = throttle({ perAccountAndAddress: 5, perAccount: 2, perAddress: 5 });
    const verdicts = [];
    for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3'])
      verdicts.push((await t.attempt('jane@example.com', ip, 0)).allowed);
    expect(verdicts).toEqual([true, true, false]);
    expect((await limiters.perAddress.peek('signin:address:198.51.100.3', 0)).remaining).toBe(5);
  });

  it('does not lump callers without an address together on an address counter', async () => {
    const { throttle: t } = throttle({ perAccountAndAddress: 5, perAccount: 50, perAddress: 1 });
    expect(await fail(t, 'a@x.test', null, 1)).toEqual([true]);
    expect(await fail(t, 'b@x.test', null, 1)).toEqual([true]);
  });
});
