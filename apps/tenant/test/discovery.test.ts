import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ISSUER, testTenant, WEB_SECRET, type TestTenant } from './fixtures.ts';
import { json } from './http.ts';

let t: TestTenant;
beforeEach(async () => {
  t = await testTenant();
});
afterEach(() => t.close());

describe('discovery', () => {
  it('publishes the configuration and the RS256 key', async () => {
    const config = await json(await t.tenant.app.request('/.well-known/openid-configuration'));
    expect(config).toMatchObject({
      issuer: ISSUER,
      token_endpoint: `${ISSUER}oauth/token`,
      revocation_endpoint: `${ISSUER}oauth/revoke`,
    });
    const jwks = await json(await t.tenant.app.request('/.well-known/jwks.json'));
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0].d).toBeUndefined();
  });

  it('keeps the web client secret out of every response and log line', async () => {
    await t.login('web');
    expect(t.logger.lines.join('\n')).not.toContain(WEB_SECRET);
  });
});
