import { exportJWK, generateKeyPair, type JWK, type JWTPayload } from 'jose';
import { createPrivateKey, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { randomId } from './secrets.ts';

/** Where the keys persist (the tenant's store's settings): the first key stored wins, however many instances add theirs. */
export interface SigningKeyStore {
  getSigningKeys(): Promise<{ kid: string; privateJwk: string; publicJwk: string }[]>;
  addFirstSigningKey(key: { kid: string; privateJwk: string; publicJwk: string; created_at: number }): Promise<void>;
}

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: JWK;
}

/**
 * The tenant's RS256 signing key: generated on first start, persisted in the store, and
 * published at /.well-known/jwks.json.
 */
export class Keys {
  private constructor(
    private readonly active: SigningKey,
    private readonly published: JWK[],
  ) {}

  static async load(store: SigningKeyStore, now: number): Promise<Keys> {
    let stored = await store.getSigningKeys();
    if (stored.length === 0) {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
      const kid = randomId(20);
      const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
      const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
      // Instances starting together each make a key; the first stored wins and all load it.
      await store.addFirstSigningKey({
        kid,
        privateJwk: JSON.stringify(privateJwk),
        publicJwk: JSON.stringify(publicJwk),
        created_at: now,
      });
      stored = await store.getSigningKeys();
    }
    const newest = stored[0]!;
    const privateKey = createPrivateKey({ key: JSON.parse(newest.privateJwk) as JsonWebKey, format: 'jwk' });
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

  /**
   * Signs `payload` as an RS256 JWT with `typ` (e.g. `at+jwt` for access tokens).
   *
   * With node:crypto's callback form, the RSA signature (about 0.26 ms of CPU on this
   * machine, most of an exchange's cost) runs on libuv's thread pool, so the event loop
   * keeps parsing requests and committing rotations on one core while another core signs.
   * WebCrypto (jose's SignJWT) also signs off-thread, but spent more time on the event
   * loop wrapping each call than the rest of an exchange (measured with --cpu-prof).
   */
  sign(payload: JWTPayload, typ = 'JWT'): Promise<string> {
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: this.active.kid, typ })).toString('base64url');
    const input = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return new Promise((resolve, reject) =>
      sign('sha256', Buffer.from(input), this.active.privateKey, (err, signature) =>
        err ? reject(err) : resolve(`${input}.${signature.toString('base64url')}`),
      ),
    );
  }
}
