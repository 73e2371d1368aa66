import { expect, it } from 'vitest';
import { sha256 } from '../../crypto/secrets.ts';
import { describeContract, T0 } from './contract-harness.ts';

/** The contract of authorization codes (AuthorizationCodeStore, ./authorization-codes.ts), on every store (see ./contract-harness.ts). */
describeContract(({ withStore }) => {
  it('consumes an authorization code exactly once', withStore(async (store) => {
    const hash = sha256('code');
    await store.saveAuthorizationCode(hash, {
      client_id: 'app', user_id: 'u1', redirect_uri: 'https://x/cb', scope: ['openid'], audience: 'a', nonce: null,
      code_challenge: null, code_challenge_method: null, session_id: 's', grant_id: 'g', device_name: null, auth_time: T0, expires_at: T0 + 60_000,
    });
    const results = await Promise.all([store.consumeAuthorizationCode(hash, T0), store.consumeAuthorizationCode(hash, T0)]);
    expect(results.map((r) => r!.reused).sort()).toEqual([false, true]);
  }));
});
