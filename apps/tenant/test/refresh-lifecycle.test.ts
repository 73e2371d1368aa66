import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROTATING, client, testTenant, type TestTenant } from './fixtures.ts';
import { json } from './http.ts';

let t: TestTenant;
beforeEach(async () => {
  t = await testTenant();
});
afterEach(() => t.close());

const body = async (res: Response) =>
  (await json(res)) as { refresh_token?: string; access_token?: string; error?: string; error_description?: string };
const INVALID = { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' };

describe('rotation (leeway 0)', () => {
  it('returns a new refresh token on every exchange and refuses the one used', async () => {
    const { refresh_token: first } = await t.login();
    const res = await t.refresh(first);
    expect(res.status).toBe(200);
    const second = (await body(res)).refresh_token!;
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    expect((await t.refresh(second)).status).toBe(200);
  });

  it('keeps one token id across exchanges and records the last exchange', async () => {
    const { refresh_token } = await t.login('mobile', { device: 'Pixel 8' });
    t.clock.advanceSeconds(60);
    await t.refresh(refresh_token);
    const { items } = await t.store.refreshTokens.listRefreshTokens(
      { user_id: t.alice.user_id },
      t.clock.now(),
      undefined,
      10,
    );
    expect(items).toHaveLength(1);
    expect(items[0]!.last_exchanged_at).toBe(t.clock.now());
  });

  it('POST /oauth/token rejects a reused refresh token and revokes the family', async () => {
    const { refresh_token: first } = await t.login();
    const second = (await body(await t.refresh(first))).refresh_token!;
    const third = (await body(await t.refresh(second))).refresh_token!;

    const reuse = await t.refresh(first);
    expect(reuse.status).toBe(403);
    expect(await json(reuse)).toEqual(INVALID);
    // Every token issued since the reused one is dead, including the newest.
    expect((await t.refresh(third)).status).toBe(403);
    const events = await t.store.events.listEvents({ user_id: t.alice.user_id, type: 'ferrt' }, 10);
    expect(events).toHaveLength(1);
    const token = await t.store.refreshTokens.getRefreshToken(events[0]!.refresh_token_id!);
    expect(token).toMatchObject({ revoked_reason: 'reuse_detected' });
  });

  it('treats reuse of the immediately previous token as reuse when leeway is 0', async () => {
    const { refresh_token: first } = await t.login();
    const second = (await body(await t.refresh(first))).refresh_token!;
    expect((await t.refresh(first)).status).toBe(403);
    expect((await t.refresh(second)).status).toBe(403);
  });

  it('gives exactly one successor to simultaneous exchanges of one token', async () => {
    const { refresh_token } = await t.login();
    const results = await Promise.all(Array.from({ length: 20 }, () => t.refresh(refresh_token)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 403)).toBe(true);
    // The losers presented an already-rotated secret: reuse, so the family is revoked exactly once.
    const events = await t.store.events.listEvents({ type: 'ferrt' }, 50);
    expect(events).toHaveLength(1);
  });
});

describe('rotation with leeway', () => {
  it('accepts the previous token within leeway, with still one live successor', async () => {
    const { refresh_token: first } = await t.login('leeway');
    const second = (await body(await t.refresh(first, 'leeway'))).refresh_token!;
    t.clock.advanceSeconds(5);
    const retry = await t.refresh(first, 'leeway');
    expect(retry.status).toBe(200);
    const replacement = (await body(retry)).refresh_token!;
    // The retry's successor replaced the first one: still exactly one live successor.
    const next = await t.refresh(replacement, 'leeway');
    expect(next.status).toBe(200);
    // The superseded successor is an invalidated token: using it is reuse (Auth0's "Revoke Refresh Tokens").
    expect((await t.refresh(second, 'leeway')).status).toBe(403);
    expect((await t.refresh((await body(next)).refresh_token!, 'leeway')).status).toBe(403);
  });

  it('treats the previous token as reused once the leeway has passed', async () => {
    const { refresh_token: first } = await t.login('leeway');
    const second = (await body(await t.refresh(first, 'leeway'))).refresh_token!;
    t.clock.advanceSeconds(11);
    expect((await t.refresh(first, 'leeway')).status).toBe(403);
    expect((await t.refresh(second, 'leeway')).status).toBe(403);
  });

  it('never accepts a token two generations back, even within leeway', async () => {
    const { refresh_token: first } = await t.login('leeway');
    const second = (await body(await t.refresh(first, 'leeway'))).refresh_token!;
    const third = (await body(await t.refresh(second, 'leeway'))).refresh_token!;
    expect((await t.refresh(first, 'leeway')).status).toBe(403);
    expect((await t.refresh(third, 'leeway')).status).toBe(403);
  });
});

describe('non-rotating tokens', () => {
  it('exchange many times without a new refresh token', async () => {
    const { refresh_token } = await t.login('web');
    for (let i = 0; i < 3; i++) {
      const res = await t.refresh(refresh_token, 'web');
      expect(res.status).toBe(200);
      expect((await body(res)).refresh_token).toBeUndefined();
    }
  });
});

describe('expiry', () => {
  it('expires after idle_token_lifetime without use, and an exchange slides it', async () => {
    const { refresh_token } = await t.login();
    t.clock.advanceSeconds(6 * 86_400);
    const next = (await body(await t.refresh(refresh_token))).refresh_token!;
    t.clock.advanceSeconds(6 * 86_400);
    const after = (await body(await t.refresh(next))).refresh_token!;
    t.clock.advanceSeconds(7 * 86_400 + 1);
    expect((await t.refresh(after)).status).toBe(403);
  });

  it('expires at token_lifetime from the first issue, however often it is used', async () => {
    const { refresh_token } = await t.login();
    let current = refresh_token;
    for (let day = 0; day < 29; day++) {
      t.clock.advanceSeconds(86_400);
      const res = await t.refresh(current);
      expect(res.status).toBe(200);
      current = (await body(res)).refresh_token!;
    }
    t.clock.advanceSeconds(86_400);
    expect((await t.refresh(current)).status).toBe(403);
  });

  it('never expires a non-expiring token', async () => {
    const { refresh_token } = await t.login('web');
    t.clock.advanceSeconds(400 * 86_400);
    expect((await t.refresh(refresh_token, 'web')).status).toBe(200);
  });
});

describe('refresh token binding', () => {
  it('refuses a token presented by another client, and leaves it usable by its own', async () => {
    const { refresh_token } = await t.login('mobile');
    const res = await t.refresh(refresh_token, 'leeway');
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual(INVALID);
    expect((await t.refresh(refresh_token, 'mobile')).status).toBe(200);
  });

  it('allows narrowing the scope and refuses widening it', async () => {
    const { refresh_token } = await t.login('web', { scope: 'openid profile offline_access' });
    const narrow = await t.refresh(refresh_token, 'web', { scope: 'openid' });
    expect(narrow.status).toBe(200);
    const wide = await t.refresh(refresh_token, 'web', { scope: 'openid email' });
    expect(wide.status).toBe(403);
    expect((await json(wide)).error).toBe('invalid_scope');
  });
});

describe('rate limit per token and IP', () => {
  it('answers 429 with Retry-After and x-ratelimit headers past the limit, and recovers', async () => {
    const limited = await testTenant({ refreshRateLimitPerMinute: 3 });
    try {
      const { refresh_token } = await limited.login('web');
      for (let i = 0; i < 3; i++) expect((await limited.refresh(refresh_token, 'web')).status).toBe(200);
      const res = await limited.refresh(refresh_token, 'web');
      expect(res.status).toBe(429);
      expect(await json(res)).toMatchObject({ error: 'too_many_requests' });
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(res.headers.get('x-ratelimit-limit')).toBe('3');
      expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(limited.clock.now() / 1000);
      limited.clock.advanceSeconds(61);
      expect((await limited.refresh(refresh_token, 'web')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('entity limit', () => {
  it('keeps at most 200 live tokens per user and application, revoking the oldest', async () => {
    const small = await testTenant({ options: { maxActiveTokensPerUserAndClient: 3 } });
    try {
      const tokens = [];
      for (let i = 0; i < 4; i++) {
        tokens.push((await small.login('web')).refresh_token);
        small.clock.advance(1);
      }
      expect((await small.refresh(tokens[0]!, 'web')).status).toBe(403);
      for (const token of tokens.slice(1)) expect((await small.refresh(token, 'web')).status).toBe(200);
      expect(
        await small.store.refreshTokens.countLiveRefreshTokens(
          { user_id: small.alice.user_id, client_id: 'web' },
          small.clock.now(),
        ),
      ).toBe(3);
    } finally {
      await small.close();
    }
  });

  it("defaults to Auth0's 200", () => {
    expect(t.tenant.deps.options.maxActiveTokensPerUserAndClient).toBe(200);
  });
});

describe('client policy changes', () => {
  it('apply to tokens issued afterwards', async () => {
    const { refresh_token: before } = await t.login('web');
    await t.store.directory.putClient(
      client({ client_id: 'web', secret: 'web-secret-for-tests-0000000000000000', refresh_token: ROTATING }),
    );
    const { refresh_token: after } = await t.login('web');
    expect((await body(await t.refresh(before, 'web'))).refresh_token).toBeUndefined();
    expect((await body(await t.refresh(after, 'web'))).refresh_token).toBeTruthy();
  });
});
