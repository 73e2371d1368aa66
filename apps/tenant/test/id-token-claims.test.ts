import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ISSUER, testTenant, user, type TestTenant } from './fixtures.ts';

let t: TestTenant;
beforeEach(async () => {
  t = await testTenant();
});
afterEach(() => t.close());

describe('ID token claims', () => {
  it("adds a user's custom claims, but never lets them replace a registered or profile claim", async () => {
    const mallory = await user(t.store, 'mallory@test.example', {
      app_metadata: {
        custom_claims: {
          'https://example.test/roles': ['admin'],
          sub: 'auth0|alice',
          iss: 'https://evil.test/',
          aud: 'someone-else',
          exp: 9_999_999_999,
          iat: 1,
          nonce: 'forged',
          sid: 'forged',
          auth_time: 1,
          azp: 'forged',
          email: 'alice@test.example',
          email_verified: true,
        },
      },
    });
    const tokens = await t.login('mobile', { username: mallory.email, scope: 'openid email offline_access' });
    const claims = decodeJwt(tokens.id_token!);
    expect(claims).toMatchObject({
      sub: mallory.user_id,
      iss: ISSUER,
      aud: 'mobile',
      email: mallory.email,
      'https://example.test/roles': ['admin'],
    });
    expect(claims.exp! - claims.iat!).toBe(36000);
    expect(claims.nonce).toBeUndefined();
    expect(claims.sid).toBeUndefined();
    expect(claims.azp).toBeUndefined();
    expect(claims.email_verified).toBe(mallory.email_verified);
  });
});
