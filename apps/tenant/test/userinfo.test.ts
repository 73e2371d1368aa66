import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testTenant, type TestTenant } from './fixtures.ts';
import { json } from './http.ts';

let t: TestTenant;
beforeEach(async () => {
  t = await testTenant();
});
afterEach(() => t.close());

describe('GET /userinfo', () => {
  it('answers the profile for a user access token and 401 otherwise', async () => {
    const tokens = await t.login('mobile', { scope: 'openid profile email' });
    const ok = await t.tenant.app.request('/userinfo', { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(await json(ok)).toMatchObject({ sub: t.alice.user_id, email: t.alice.email });
    const bad = await t.tenant.app.request('/userinfo', { headers: { authorization: 'Bearer abc.def.ghi' } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('refuses a blocked user with 401 invalid_token, as an unknown one, on both the opaque and the JWT access token', async () => {
    const opaque = (await t.login('mobile', { scope: 'openid profile' })).access_token;
    const jwt = (await t.login('mobile', { scope: 'openid profile', audience: 'https://api.test/' })).access_token;
    const ask = (token: string) => t.tenant.app.request('/userinfo', { headers: { authorization: `Bearer ${token}` } });
    expect((await ask(jwt)).status).toBe(200);
    const blocked = await t.tenant.app.request(`/api/v2/users/${encodeURIComponent(t.alice.user_id)}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${await t.managementToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ blocked: true }),
    });
    expect(blocked.status).toBe(200);
    for (const token of [opaque, jwt]) {
      const refused = await ask(token);
      expect(refused.status).toBe(401);
      expect(await json(refused)).toMatchObject({ error: 'invalid_token' });
      expect(refused.headers.get('www-authenticate')).toContain('invalid_token');
    }
  });
});
