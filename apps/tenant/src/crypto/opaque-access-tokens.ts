import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Access tokens for `/userinfo` only (a token request without an API audience), opaque to
 * everyone but this tenant, as Auth0 issues them: Auth0's are JWE in compact form, direct
 * encryption with A256GCM (`{"alg":"dir","enc":"A256GCM"}`, an empty key segment), which no
 * client or API can read or verify, so none comes to depend on their contents. An access token
 * for an API is a signed JWT instead (`at+jwt`, `Keys.sign`): the API verifies it itself.
 *
 * Sealing costs an AES-GCM pass of a few hundred bytes (microseconds) where a JWT costs an
 * RS256 signature (about a quarter of a millisecond of CPU), which is why Auth0, and
 * oidc-provider by default, issue these for /userinfo.
 *
 * The key is the tenant's (`store.getOrCreateSecret`), shared by every worker and instance.
 * Compact JWE (RFC 7516 7.1) by hand over node:crypto: the whole format is five base64url
 * segments, and this keeps it synchronous and cheap. A test decrypts our tokens with jose.
 */
const HEADER = Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM' })).toString('base64url');

export class OpaqueAccessTokens {
  private readonly key: Buffer;

  /** `secret`: 32 bytes, base64url. */
  constructor(secret: string) {
    this.key = Buffer.from(secret, 'base64url');
    if (this.key.length !== 32) throw new Error('the opaque access token key must be 32 bytes');
  }

  /** Whether a bearer value has the shape of one of ours (five segments, the second empty). */
  static isOpaque(token: string): boolean {
    return token.startsWith(`${HEADER}..`);
  }

  seal(claims: Record<string, unknown>): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    // The protected header is the additional authenticated data (RFC 7516 5.1 step 14).
    cipher.setAAD(Buffer.from(HEADER, 'ascii'));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(claims), 'utf8'), cipher.final()]);
    return `${HEADER}..${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
  }

  /** The claims of a token this tenant sealed, or undefined for anything else (forged, altered, another key). */
  open(token: string): Record<string, unknown> | undefined {
    const parts = token.split('.');
    if (parts.length !== 5 || parts[0] !== HEADER || parts[1] !== '') return undefined;
    const [iv, ciphertext, tag] = [parts[2]!, parts[3]!, parts[4]!].map((part) => Buffer.from(part, 'base64url'));
    if (iv!.length !== 12 || tag!.length !== 16) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv!, { authTagLength: 16 });
      decipher.setAAD(Buffer.from(HEADER, 'ascii'));
      decipher.setAuthTag(tag!);
      const claims: unknown = JSON.parse(
        Buffer.concat([decipher.update(ciphertext!), decipher.final()]).toString('utf8'),
      );
      return claims && typeof claims === 'object' && !Array.isArray(claims)
        ? (claims as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  }
}
