import { expect, it } from 'vitest';
import { sha256 } from '../../crypto/secrets.ts';
import { describeContract, T0 } from './contract-harness.ts';

/** The contract of authorization codes (AuthorizationCodeStore, ./authorization-codes.ts), on every store (see ./contract-harness.ts). */
describeContract(({ withStore }) => {
  it(
    'finds a code without consuming it, and consumes it exactly once',
    withStore(async (store) => {
      const hash = sha256('code');
      await store.authorizationCodes.saveAuthorizationCode(hash, {
        client_id: 'app',
        user_id: 'u1',
        redirect_uri: 'https://x/cb',
        scope: ['openid'],
        audience: 'a',
        nonce: null,
        code_challenge: null,
        code_challenge_method: null,
        session_id: 's',
        grant_id: 'g',
        device_name: null,
        auth_time: T0,
        expires_at: T0 + 60_000,
      });
      // Looking a code up changes nothing: a redemption checks the code before it consumes it.
      expect(await store.authorizationCodes.findAuthorizationCode(hash)).toMatchObject({
        client_id: 'app',
        redirect_uri: 'https://x/cb',
      });
      expect(await store.authorizationCodes.findAuthorizationCode(sha256('unknown'))).toBeUndefined();
      const results = await Promise.all([
        store.authorizationCodes.consumeAuthorizationCode(hash, T0),
        store.authorizationCodes.consumeAuthorizationCode(hash, T0),
      ]);
      expect(results.map((r) => r!.reused).sort()).toEqual([false, true]);
    }),
  );

  it(
    'records the refresh token a redemption issued, for a second presentation to revoke; tells the redemption when the code came back meanwhile',
    withStore(async (store) => {
      const code = () => ({
        client_id: 'app',
        user_id: 'u1',
        redirect_uri: 'https://x/cb',
        scope: ['openid', 'offline_access'],
        audience: 'a',
        nonce: null,
        code_challenge: null,
        code_challenge_method: null,
        session_id: 's',
        grant_id: 'g',
        device_name: null,
        auth_time: T0,
        expires_at: T0 + 60_000,
      });
      // Redeemed, the token attached, then presented again: the second presentation finds the token to revoke.
      await store.authorizationCodes.saveAuthorizationCode(sha256('once'), code());
      expect((await store.authorizationCodes.consumeAuthorizationCode(sha256('once'), T0))!.reused).toBe(false);
      expect(await store.authorizationCodes.attachRefreshTokenToCode(sha256('once'), 'rt_once')).toEqual({
        reusedMeanwhile: false,
      });
      expect(await store.authorizationCodes.consumeAuthorizationCode(sha256('once'), T0 + 1)).toMatchObject({
        reused: true,
        code: { refresh_token_id: 'rt_once' },
      });

      // Presented again while the redemption was issuing its token: the redemption learns it when attaching.
      await store.authorizationCodes.saveAuthorizationCode(sha256('raced'), code());
      await store.authorizationCodes.consumeAuthorizationCode(sha256('raced'), T0);
      expect((await store.authorizationCodes.consumeAuthorizationCode(sha256('raced'), T0 + 1))!.reused).toBe(true);
      expect(await store.authorizationCodes.attachRefreshTokenToCode(sha256('raced'), 'rt_raced')).toEqual({
        reusedMeanwhile: true,
      });

      // At the same time: whichever comes second sees the other, so the token is revoked by one of them.
      for (let i = 0; i < 10; i++) {
        const hash = sha256(`concurrent-${i}`);
        await store.authorizationCodes.saveAuthorizationCode(hash, code());
        await store.authorizationCodes.consumeAuthorizationCode(hash, T0);
        const [again, attached] = await Promise.all([
          store.authorizationCodes.consumeAuthorizationCode(hash, T0 + 1),
          store.authorizationCodes.attachRefreshTokenToCode(hash, `rt_${i}`),
        ]);
        expect(again!.reused).toBe(true);
        expect(again!.code.refresh_token_id === `rt_${i}` || attached.reusedMeanwhile).toBe(true);
      }
    }),
  );
});
