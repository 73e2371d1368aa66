import { dpopKey, endUserApp, expectedOf, json, startTestStack, type StaffClient, type TestStack } from '@rtc/testkit';
import { DEMO, demoEndUser } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleBehindProxy } from './console-behind-proxy.ts';

/**
 * DPoP in the console, against the embedded tenant over real sockets: each token
 * says how it is bound wherever the console lists it, a bound token presented without its key
 * is an alert on the user's page with where it came from, revoking it is the usual per-token
 * action bound to its preview, the search filters by binding and the Applications area counts
 * bound tokens. Each effect is checked at the tenant.
 */

let stack: TestStack;
let support: StaffClient;
let admin: StaffClient;
const mobile = () => endUserApp(stack.tenantUrl);
beforeAll(async () => {
  stack = await startTestStack({ tenant: { options: { trustProxy: 1 } } });
  support = await stack.signIn('support');
  admin = await stack.signIn('admin');
});
afterAll(() => stack.stop());

const CLOUDFLARE = '1.1.1.1';
let next = 30;
function customer() {
  const { email, user_id } = demoEndUser(next++);
  return { email, user_id, path: `/api/users/${encodeURIComponent(user_id)}` };
}

describe('DPoP-bound refresh tokens in the console', () => {
  it('a token says "bound" with its thumbprint or "bearer" in the user\'s tokens, their pages and the search, which filters by binding', async () => {
    const { email, user_id, path } = customer();
    const key = await dpopKey();
    await mobile().login(email, 'Bound Phone', { dpop: key, from: CLOUDFLARE });
    await mobile().login(email, 'Bearer Phone', { from: CLOUDFLARE });

    const byDevice = (tokens: { device_name: string | null; binding: unknown }[]) =>
      Object.fromEntries(tokens.map((t) => [t.device_name, t.binding]));
    const expected = { 'Bound Phone': { kind: 'dpop', jkt: key.jkt }, 'Bearer Phone': { kind: 'bearer' } };
    // (The demo user's seeded tokens, issued without a proof, are bearer tokens too.)
    expect(byDevice((await json(await support.api('GET', `${path}/refresh-tokens`))).tokens)).toMatchObject(expected);
    expect(
      byDevice((await json(await support.api('GET', `${path}/refresh-tokens/page?take=100`))).tokens),
    ).toMatchObject(expected);

    const search = async (extra: string) => {
      const res = await support.api('GET', `/api/search/refresh-tokens?ip=${CLOUDFLARE}&device_name=Phone${extra}`);
      expect(res.status, await res.clone().text()).toBe(200);
      return (
        (await json(res)).tokens as { user: { user_id: string }; device_name: string; binding: unknown }[]
      ).filter((t) => t.user.user_id === user_id);
    };
    expect(byDevice(await search(''))).toEqual(expected);
    expect((await search('&dpop=bound')).map((t) => t.device_name)).toEqual(['Bound Phone']);
    expect((await search('&dpop=bearer')).map((t) => t.device_name)).toEqual(['Bearer Phone']);
    const bad = await support.api('GET', `/api/search/refresh-tokens?ip=${CLOUDFLARE}&dpop=maybe`);
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.fields).toHaveProperty('dpop');
    // The binding alone is no search (it would list the tenant).
    expect((await support.api('GET', '/api/search/refresh-tokens?dpop=bound')).status).toBe(400);
  });

  it("a bound token used without its key is an alert naming where from; revoking it ends the alert's offer, the audit export names the key", async () => {
    const { email, path } = customer();
    const key = await dpopKey();
    const token = await mobile().login(email, 'Stolen Phone', { dpop: key });
    // A thief with a copy of the token and no key, from Cloudflare's network: refused.
    expect((await mobile().refresh(token, { from: CLOUDFLARE, userAgent: 'curl/8.5.0' })).status).toBe(403);

    const { events } = await json(await support.api('GET', `${path}/security-events`));
    const theft = events.find((e: { type: string }) => e.type === 'dpop_bound_token_refused');
    expect(theft).toMatchObject({
      reason: 'missing-proof',
      token_live: true,
      device_name: 'Stolen Phone',
      client_name: DEMO.clients.mobile.name,
      ip: CLOUDFLARE,
      agent: expect.stringMatching(/curl/),
    });
    expect(theft.where).toMatch(/^1\.1\.1\.1 on Cloudflare, Inc\. \(AS13335\) in /);

    // One click: the per-token revoke, bound to its preview.
    const shown = await json(
      await support.api('POST', `${path}/impact`, { action: 'refresh_token.revoke', token_id: theft.refresh_token_id }),
    );
    expect(shown.tokens).toEqual([
      expect.objectContaining({ id: theft.refresh_token_id, binding: { kind: 'dpop', jkt: key.jkt } }),
    ]);
    const res = await support.api('DELETE', `${path}/refresh-tokens/${encodeURIComponent(theft.refresh_token_id)}`, {
      expected: expectedOf(shown),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    // Refused at the tenant even with the key; the alert stays, with nothing left to revoke.
    expect((await mobile().refresh(token, { dpop: key })).status).toBe(403);
    const after = await json(await support.api('GET', `${path}/security-events`));
    expect(after.events.find((e: { id: string }) => e.id === theft.id).token_live).toBe(false);

    const csv = await (await support.api('GET', `/api/audit/export.csv?action=refresh_token.revoke`)).text();
    expect(csv).toContain(`DPoP: 1 bound to a key (${theft.refresh_token_id} key ${key.jkt}), 0 bearer`);
  });

  it('the Applications area counts bound tokens beside the others', async () => {
    const count = async () =>
      (await json(await admin.api('GET', '/api/applications'))).applications.find(
        (a: { client_id: string }) => a.client_id === DEMO.clients.mobile.client_id,
      );
    const before = await count();
    expect(before.bound).toEqual(expect.any(Number));
    const { email } = customer();
    await mobile().login(email, 'Counted Phone', { dpop: await dpopKey() });
    await mobile().login(email, 'Counted Tablet');
    const after = await count();
    expect(after.counts.tokens).toBe(before.counts.tokens + 2);
    expect(after.bound).toBe(before.bound + 1);
  });

  it('against a tenant that does not say (Auth0\'s bodies have no dpop_jkt), a token\'s binding is unknown, never "bearer"', async () => {
    // A proxy that answers the user's tokens as Auth0 would: the same bodies without dpop_jkt.
    const withoutBinding = async (req: Request, url: URL) => {
      if (req.method !== 'GET' || url.pathname !== '/api/v2/refresh-tokens') return undefined;
      const res = await fetch(new URL(url.pathname + url.search, stack.tenantUrl), {
        headers: { authorization: req.headers.get('authorization')! },
      });
      const body = (await res.json()) as { refresh_tokens: Record<string, unknown>[] };
      return Response.json(
        { ...body, refresh_tokens: body.refresh_tokens.map(({ dpop_jkt: _jkt, ...t }) => t) },
        { status: res.status },
      );
    };
    const auth0 = await consoleBehindProxy(stack, 'auth0-no-binding', withoutBinding);
    try {
      const { email, path } = customer();
      await mobile().login(email, 'Unknown Phone', { dpop: await dpopKey() });
      await mobile().login(email, 'Unknown Tablet');
      const { tokens } = await json(await auth0.support.api('GET', `${path}/refresh-tokens`));
      expect(tokens.length).toBeGreaterThanOrEqual(2);
      for (const token of tokens) expect(token.binding).toBeNull();
    } finally {
      await auth0.stop();
    }
  });
});
