import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose';
import type { TenantStore } from '../store/types.ts';
import { ids } from '../domain/ids.ts';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/**
 * The tenant's RS256 signing key: generated on first start, persisted in the store, and
 * published at /.well-known/jwks.json.
 */
export class Keys {
  private constructor(private readonly active: SigningKey, private readonly published: JWK[]) {}

  static async load(store: TenantStore, now: number): Promise<Keys> {
    let stored = await store.getSigningKeys();
    if (stored.length === 0) {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
      const kid = ids.keyId();
      const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
      const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
      // Instances starting together each make a key; the first stored wins and all load it.
      await store.addFirstSigningKey({ kid, privateJwk: JSON.stringify(privateJwk), publicJwk: JSON.stringify(publicJwk), created_at: now });
      stored = await store.getSigningKeys();
    }
    const newest = stored[0]!;
    const privateKey = (await importJWK(JSON.parse(newest.privateJwk), 'RS256')) as CryptoKey;
    return new Keys(
      { kid: newest.kid, privateKey, publicJwk: JSON.parse(newest.publicJwk) },
      stored.map((k) => JSON.parse(k.publicJwk) as JWK),
    );
  }

  get kid(): string {
    return this.active.kid;
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.published };
  }

  /** Signs `payload` as an RS256 JWT with `typ` (e.g. `at+jwt` for access tokens). */
  sign(payload: JWTPayload, typ = 'JWT'): Promise<string> {
    return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: this.active.kid, typ }).sign(this.active.privateKey);
  }
}
