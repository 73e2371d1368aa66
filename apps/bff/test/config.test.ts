import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.ts';
import { SessionCookie } from '../src/session/session-cookie.ts';

const base = {
  AUTH0_DOMAIN: 'acme.eu.auth0.com',
  MANAGEMENT_CLIENT_ID: 'm2m',
  MANAGEMENT_CLIENT_SECRET: 'secret',
  OIDC_CLIENT_ID: 'console',
  OIDC_CLIENT_SECRET: 'secret',
  SESSION_SECRET: 'Hq3v9TzP1xWk7LmR2sYb8NcE5fGu0jDa4QhV6iKo',
  BFF_PUBLIC_URL: 'https://console.example.com',
};

describe('BFF configuration', () => {
  it('accepts a strong SESSION_SECRET and refuses an obviously weak one', () => {
    expect(readConfig(base).sessionSecret).toBe(base.SESSION_SECRET);
    for (const weak of ['a'.repeat(64), 'ab'.repeat(32), '0123456789'.repeat(4), 'passwordpasswordpasswordpassword']) {
      expect(() => readConfig({ ...base, SESSION_SECRET: weak }), weak).toThrow(/SESSION_SECRET/);
    }
  });

  it('allows an http: BFF_PUBLIC_URL only for this machine', () => {
    expect(readConfig({ ...base, BFF_PUBLIC_URL: 'http://localhost:4000' }).publicUrl).toBe('http://localhost:4000');
    expect(readConfig({ ...base, BFF_PUBLIC_URL: 'http://127.0.0.1:4000' }).publicUrl).toBe('http://127.0.0.1:4000');
    expect(() => readConfig({ ...base, BFF_PUBLIC_URL: 'http://console.example.com' })).toThrow(/BFF_PUBLIC_URL/);
  });

  it('trusts no proxy by default, BFF_TRUST_PROXY hops when told', () => {
    expect(readConfig(base).trustProxy).toBe(0);
    expect(readConfig({ ...base, BFF_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(() => readConfig({ ...base, BFF_TRUST_PROXY: 'all' })).toThrow(/BFF_TRUST_PROXY/);
  });

  it("lets support revoke a search result of at most 1,000 tokens and half an application's live tokens by default; both configurable", () => {
    expect(readConfig(base).supportRevoke).toEqual({ maxTokens: 1_000, maxSharePercent: 50 });
    expect(
      readConfig({ ...base, SEARCH_REVOKE_SUPPORT_MAX_TOKENS: '200', SEARCH_REVOKE_SUPPORT_MAX_PERCENT: '10' })
        .supportRevoke,
    ).toEqual({ maxTokens: 200, maxSharePercent: 10 });
    expect(() => readConfig({ ...base, SEARCH_REVOKE_SUPPORT_MAX_PERCENT: '150' })).toThrow(
      /SEARCH_REVOKE_SUPPORT_MAX_PERCENT/,
    );
  });

  it('asks the identity provider for a refresh token, so roles can be re-checked', () => {
    expect(readConfig(base).oidc.scope.split(' ')).toContain('offline_access');
  });
});

describe('keys derived from SESSION_SECRET (HKDF)', () => {
  it('seals sessions and sign-in transactions with different keys: neither opens as the other', async () => {
    const cookie = new SessionCookie(base.SESSION_SECRET, { idleSeconds: 60, absoluteSeconds: 3600 });
    const now = Date.now();
    const session = await cookie.seal({
      sid: 's',
      sub: 'u',
      name: 'n',
      email: null,
      role: 'admin',
      csrf: 'c',
      createdAt: now,
      lastSeenAt: now,
    });
    expect(await cookie.open(session)).toMatchObject({ sid: 's' });
    expect(await cookie.openValue(session)).toBeUndefined();
    const tx = await cookie.sealValue(
      { s: { sid: 'forged', role: 'admin', createdAt: now, lastSeenAt: now } },
      Math.floor(now / 1000) + 60,
    );
    expect(await cookie.openValue(tx)).toBeDefined();
    expect(await cookie.open(tx)).toBeUndefined();
  });
});

describe('the caller address the BFF records (BFF_TRUST_PROXY)', () => {
  it('ignores X-Forwarded-For by default, and takes the right-most untrusted address behind one proxy', async () => {
    const { startTestStack } = await import('@rtc/testkit');
    for (const [trustProxy, expected] of [
      [0, '127.0.0.1'],
      [1, '9.9.9.9'],
    ] as const) {
      const logs: string[] = [];
      const stack = await startTestStack({ logs, trustProxy });
      try {
        await fetch(`${stack.bffUrl}/health`, { headers: { 'x-forwarded-for': '1.2.3.4, 9.9.9.9' } });
        const line = logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'request' && l.path === '/health');
        expect([trustProxy, line?.ip]).toEqual([trustProxy, expected]);
      } finally {
        await stack.stop();
      }
    }
  });
});
