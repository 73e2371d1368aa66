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
});
