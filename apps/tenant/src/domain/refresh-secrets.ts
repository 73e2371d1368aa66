import { randomSecret, sha256 } from '../crypto/secrets.ts';

/**
 * A new refresh token secret: the value handed to the client once, and the hash that is all
 * a store keeps. Used at issuance and at every rotation.
 */
export function newRefreshSecret(): { value: string; hash: Buffer } {
  const value = randomSecret(32);
  return { value, hash: sha256(value) };
}
