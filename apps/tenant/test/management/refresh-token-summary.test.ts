import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { json } from '../http.ts';
import { managementHarness, type ManagementHarness } from './helpers.ts';

let h: ManagementHarness;
beforeEach(async () => {
  h = await managementHarness();
});
afterEach(() => h.stop());

const summary = async (query = '', token?: string) => {
  const res = await h.raw(`/refresh-tokens/summary${query}`, token ? { token } : {});
  return { status: res.status, body: (await json(res)) as Record<string, unknown> };
};

describe("GET /refresh-tokens/summary (not Auth0's: live tokens, users and devices per application)", () => {
  it("counts every application's live tokens, and with client_id names the users holding the most", async () => {
    await h.login('mobile');
    await h.login('mobile', { username: h.bob.email });
    await h.login('web');
    await h.seedTokens(3, { client_id: 'mobile' });
    const all = await summary();
    expect(all.status).toBe(200);
    const apps = all.body.applications as { client_id: string; tokens: number; users: number; devices: number }[];
    expect(apps.find((a) => a.client_id === 'mobile')).toMatchObject({ tokens: 5, users: 2 });
    expect(apps.find((a) => a.client_id === 'web')).toMatchObject({ tokens: 1, users: 1, devices: 1 });

    const one = await summary('?client_id=mobile&users=1');
    expect(one.body.applications).toEqual([apps.find((a) => a.client_id === 'mobile')]);
    expect(one.body.users).toEqual([{ user_id: h.alice.user_id, tokens: 4 }]);

    // Revoked (once converged) tokens are not counted.
    expect(
      (
        await h.raw('/clients/mobile/refresh-tokens/revoke', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(202);
    await h.tenant.deps.revocations.idle();
    expect((await summary('?client_id=mobile')).body).toEqual({ applications: [], users: [] });
  });

  it('needs read:refresh_tokens and refuses unknown parameters', async () => {
    const wrong = await h.managementToken('read:users');
    expect((await summary('', wrong)).status).toBe(403);
    expect((await summary('?users=101')).status).toBe(400);
    expect((await summary('?user_id=x')).status).toBe(400);
  });
});
