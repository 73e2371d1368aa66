import { signIn, startTestStack, type TestStack } from '@rtc/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { rateLimitedFetch, waitFor } from '../src/management/rate-limited-fetch.ts';

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe('Management API token', () => {
  it('fifty concurrent requests on a cold cache cause one token fetch, and the token never reaches the browser', async () => {
    stack = await startTestStack();
    const viewer = await signIn(stack, 'viewer');
    expect(stack.bff.deps.tokens.fetchCount).toBe(0);
    const responses = await Promise.all(Array.from({ length: 50 }, () => viewer.api('GET', '/api/settings')));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(stack.bff.deps.tokens.fetchCount).toBe(1);
    const token = await stack.bff.deps.tokens.get();
    for (const path of ['/api/me', '/api/settings', '/api/users/auth0%7Cdemo-jane/refresh-tokens']) {
      const res = await viewer.api('GET', path);
      expect(await res.text()).not.toContain(token);
      expect([...res.headers.values()].join(' ')).not.toContain(token);
    }
  });
});

describe('Management API rate limits', () => {
  it('retries a 429 honouring Retry-After, so the dashboard sees success', async () => {
    stack = await startTestStack({ tenant: { options: { managementRequestsPerSecond: 4 } } });
    const viewer = await signIn(stack, 'viewer');
    const started = Date.now();
    const responses = await Promise.all(Array.from({ length: 8 }, () => viewer.api('GET', '/api/settings')));
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  });

  it('gives up after its retries with a 503 that says when to try again', async () => {
    let calls = 0;
    const limited = rateLimitedFetch({
      retries: 2,
      maxWaitMs: 10,
      sleep: async () => {},
      fetch: async () => {
        calls += 1;
        return new Response('{}', { status: 429, headers: { 'retry-after': '7' } });
      },
    });
    const res = await limited('http://x/api/v2/users');
    expect(res.status).toBe(429);
    expect(calls).toBe(3);
  });

  it('reads Retry-After, then x-ratelimit-reset, then backs off exponentially', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(waitFor(new Response(null, { headers: { 'retry-after': '3' } }), 0, now)).toBe(3000);
    expect(waitFor(new Response(null, { headers: { 'x-ratelimit-reset': String(now / 1000 + 2) } }), 0, now)).toBe(
      2000,
    );
    expect(waitFor(new Response(null), 2, now)).toBe(1000);
  });
});
