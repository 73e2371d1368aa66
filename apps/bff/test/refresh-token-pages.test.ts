import { DEMO, demoEndUser, endUserApp, json, startTestStack, type StaffClient, type TestStack } from '@rtc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleBehindProxy } from './console-behind-proxy.ts';

/**
 * GET /api/users/{id}/refresh-tokens/page: a user's tokens one Management API page at a time,
 * for users with more tokens than the console lists at once. Through a second BFF behind a
 * real proxy that records each Management API call.
 */

let stack: TestStack;
let proxied: Awaited<ReturnType<typeof consoleBehindProxy>>;
let support: StaffClient;
const mobile = () => endUserApp(stack.tenantUrl);
const web = () => endUserApp(stack.tenantUrl, DEMO.clients.web.client_id, DEMO.clients.web.secret);

beforeAll(async () => {
  stack = await startTestStack();
  proxied = await consoleBehindProxy(stack, 'paged');
  support = proxied.support;
});
afterAll(async () => {
  await proxied?.stop();
  await stack.stop();
});

interface PageBody {
  tokens: { id: string; client_id: string; client_name: string; device_name: string | null }[];
  next: string | null;
}

/** Every page from the first, following `next`; with the Management API calls of each. */
async function walk(userId: string, query: Record<string, string>) {
  const pages: { body: PageBody; calls: string[] }[] = [];
  let from: string | null = null;
  do {
    proxied.seen.length = 0;
    const params = new URLSearchParams({ ...query, ...(from ? { from } : {}) });
    const res = await support.api('GET', `/api/users/${encodeURIComponent(userId)}/refresh-tokens/page?${params}`);
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await json(res)) as PageBody;
    pages.push({ body, calls: proxied.seen.filter((c) => c.includes('/api/v2/')) });
    from = body.next;
  } while (from && pages.length < 20);
  return pages;
}

describe("a user's refresh tokens, paged on the server", () => {
  it("lists every token once, in the tenant's order, with application and device names, one Management API call per page once names are known", async () => {
    const { email, user_id } = demoEndUser(45);
    for (let i = 0; i < 4; i++) await mobile().login(email, 'Paged Phone');
    for (let i = 0; i < 3; i++) await web().login(email, 'Paged Laptop');

    // The same tokens the full listing shows (the demo user's own and these 7), each once.
    const all = (await json(await support.api('GET', `/api/users/${encodeURIComponent(user_id)}/refresh-tokens`)))
      .tokens as PageBody['tokens'];
    const pages = await walk(user_id, { take: '3' });
    expect(pages.map((p) => p.body.tokens.length)).toEqual(
      Array.from({ length: Math.ceil(all.length / 3) }, (_, i) => Math.min(3, all.length - 3 * i)),
    );
    expect(pages.at(-1)!.body.next).toBeNull();
    const paged = pages.flatMap((p) => p.body.tokens);
    expect(paged.map((t) => t.id).sort()).toEqual(all.map((t) => t.id).sort());
    expect(new Set(paged.map((t) => t.id)).size).toBe(all.length);
    expect(paged.map((t) => t.id)).toEqual([...paged.map((t) => t.id)].sort());
    expect(
      paged.filter((t) => t.device_name === 'Paged Phone' && t.client_id === DEMO.clients.mobile.client_id),
    ).toHaveLength(4);
    expect(
      paged.filter((t) => t.device_name === 'Paged Laptop' && t.client_id === DEMO.clients.web.client_id),
    ).toHaveLength(3);
    for (const token of paged) expect(token).toEqual(all.find((t) => t.id === token.id));
    // After the first page, a page is one call: the tenant's page of tokens.
    for (const { calls } of pages.slice(1)) expect(calls).toEqual(['GET /api/v2/refresh-tokens']);
  });

  it('filters by application on the tenant', async () => {
    const { email, user_id } = demoEndUser(46);
    for (let i = 0; i < 2; i++) await mobile().login(email, 'Filter Phone');
    for (let i = 0; i < 3; i++) await web().login(email, 'Filter Laptop');
    const pages = await walk(user_id, { take: '2', client_id: DEMO.clients.web.client_id });
    const tokens = pages.flatMap((p) => p.body.tokens);
    const all = (await json(await support.api('GET', `/api/users/${encodeURIComponent(user_id)}/refresh-tokens`)))
      .tokens as PageBody['tokens'];
    expect(tokens.map((t) => t.id).sort()).toEqual(
      all
        .filter((t) => t.client_id === DEMO.clients.web.client_id)
        .map((t) => t.id)
        .sort(),
    );
    expect(tokens.filter((t) => t.device_name === 'Filter Laptop')).toHaveLength(3);
  });

  it('names the device of a token issued after the device names were read', async () => {
    const { email, user_id } = demoEndUser(47);
    await mobile().login(email, 'First Phone');
    const names = async () =>
      (await walk(user_id, { take: '50' })).flatMap((p) => p.body.tokens.map((t) => t.device_name));
    expect(await names()).toContain('First Phone');
    await mobile().login(email, 'Second Phone');
    expect(await names()).toEqual(expect.arrayContaining(['First Phone', 'Second Phone']));
  });

  it('answers 404 for an unknown user, 400 for bad paging, and needs a signed-in staff member', async () => {
    expect((await support.api('GET', '/api/users/auth0%7Cnobody-here/refresh-tokens/page')).status).toBe(404);
    const { user_id } = demoEndUser(48);
    const path = `/api/users/${encodeURIComponent(user_id)}/refresh-tokens/page`;
    for (const bad of ['take=0', 'take=101', 'take=x', 'sort=created_at', `from=${'a'.repeat(2000)}`]) {
      const res = await support.api('GET', `${path}?${bad}`);
      expect(res.status, bad).toBe(400);
      expect((await json(res)).error).toBeTruthy();
    }
    expect((await fetch(`${stack.bffUrl}${path}`)).status).toBe(401);
  });
});
