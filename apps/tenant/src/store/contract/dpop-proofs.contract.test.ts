import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { sha256 } from '../../crypto/secrets.ts';
import { planExchange } from '../../domain/refresh-tokens.ts';
import { client, describeContract, mint, T0, userRecord } from './contract-harness.ts';

const hash = (jti: string) => createHash('sha256').update(jti).digest();

/** The contract of DPoP proofs seen (DpopProofStore, ./dpop-proofs.ts) and of a token's binding, on every store (see ./contract-harness.ts). */
describeContract(({ withStore, withTwoInstances }) => {
  it(
    'remembers a proof until it expires: a replay before then is refused, after it the hash is taken again',
    withStore(async (store) => {
      expect(await store.dpopProofs.rememberDpopProof(hash('a'), T0 + 300_000, T0)).toBe(true);
      expect(await store.dpopProofs.rememberDpopProof(hash('a'), T0 + 300_000, T0 + 1)).toBe(false);
      expect(await store.dpopProofs.rememberDpopProof(hash('a'), T0 + 900_000, T0 + 299_999)).toBe(false);
      expect(await store.dpopProofs.rememberDpopProof(hash('b'), T0 + 300_000, T0 + 1)).toBe(true);
      // Expired: a proof of that jti would be refused as stale anyway; the row is taken over.
      expect(await store.dpopProofs.rememberDpopProof(hash('a'), T0 + 600_000, T0 + 300_000)).toBe(true);
      expect(await store.dpopProofs.rememberDpopProof(hash('a'), T0 + 600_000, T0 + 300_001)).toBe(false);
    }),
  );

  it(
    'sweeps expired proofs only, at most the limit',
    withStore(async (store) => {
      for (let i = 0; i < 5; i++) await store.dpopProofs.rememberDpopProof(hash(`old${i}`), T0 + 1000 + i, T0);
      await store.dpopProofs.rememberDpopProof(hash('live'), T0 + 300_000, T0);
      expect(await store.dpopProofs.sweepDpopProofs(T0 + 2000, 3)).toBe(3);
      expect(await store.dpopProofs.sweepDpopProofs(T0 + 2000, 100)).toBe(2);
      expect(await store.dpopProofs.sweepDpopProofs(T0 + 2000, 100)).toBe(0);
      // The live one is still remembered; a swept one is new again.
      expect(await store.dpopProofs.rememberDpopProof(hash('live'), T0 + 300_000, T0 + 2000)).toBe(false);
      expect(await store.dpopProofs.rememberDpopProof(hash('old0'), T0 + 300_000, T0 + 2000)).toBe(true);
    }),
  );

  it(
    'accepts one of many concurrent presentations of one proof, across two instances',
    withTwoInstances(async (first, second) => {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? first : second).dpopProofs.rememberDpopProof(hash('raced'), T0 + 300_000, T0),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await second.dpopProofs.rememberDpopProof(hash('raced'), T0 + 300_000, T0 + 1)).toBe(false);
    }),
  );

  it(
    "keeps a refresh token's DPoP binding through rotations, and a refusal for another key writes nothing",
    withStore(async (store) => {
      await store.directory.putClient(client);
      await store.directory.putUser(userRecord('u1', 'u1@example.com'));
      const minted = mint('u1', T0);
      await store.refreshTokens.issueRefreshToken({ ...minted.record, dpop_jkt: 'thumbprint-1' }, 10);
      expect((await store.refreshTokens.getRefreshToken(minted.record.id))!.dpop_jkt).toBe('thumbprint-1');
      const before = await store.refreshTokens.getRefreshToken(minted.record.id);
      const plan = (now: number, dpopJkt: string | null, newSecretHash = sha256(`s${now}`)) =>
        planExchange({ clientId: 'app', now, newSecretHash, ip: null, asn: null, userAgent: null, dpopJkt });
      expect(
        await store.refreshTokens.rotateRefreshToken(sha256(minted.value), T0 + 1, plan(T0 + 1, 'thumbprint-2')),
      ).toMatchObject({
        kind: 'rejected',
        dpop: 'other-key',
      });
      expect(
        await store.refreshTokens.rotateRefreshToken(sha256(minted.value), T0 + 2, plan(T0 + 2, null)),
      ).toMatchObject({
        kind: 'rejected',
        dpop: 'missing-proof',
      });
      expect(await store.refreshTokens.getRefreshToken(minted.record.id)).toEqual(before);
      const rotated = await store.refreshTokens.rotateRefreshToken(
        sha256(minted.value),
        T0 + 3,
        plan(T0 + 3, 'thumbprint-1', sha256('next')),
      );
      expect(rotated).toMatchObject({ kind: 'exchanged', token: { dpop_jkt: 'thumbprint-1' } });
      expect((await store.refreshTokens.getRefreshToken(minted.record.id))!.dpop_jkt).toBe('thumbprint-1');
      // The listings show the binding too.
      const page = await store.refreshTokens.listRefreshTokenSummaries({ user_id: 'u1' }, T0 + 4, undefined, 10);
      expect(page.items.map((t) => t.dpop_jkt)).toEqual(['thumbprint-1']);
      const hits = await store.refreshTokens.searchRefreshTokens({ client_id: 'app' }, T0 + 4, undefined, 10);
      expect(hits.items.map((t) => [t.dpop_jkt, t.device_name])).toEqual([['thumbprint-1', null]]);
      // An unbound token reads null.
      const unbound = mint('u1', T0 + 5);
      await store.refreshTokens.issueRefreshToken(unbound.record, 10);
      expect((await store.refreshTokens.getRefreshToken(unbound.record.id))!.dpop_jkt).toBeNull();
    }),
  );
});
