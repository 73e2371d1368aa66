import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The rules of a DPoP proof (RFC 9449 section 4.3), as pure checks on a proof whose signature
 * the auth edge has verified (auth/dpop.ts, with jose's EmbeddedJWK). Each answers the reason
 * a proof is refused, or null; the edge turns a reason into `invalid_dpop_proof`.
 */

/**
 * Asymmetric algorithms accepted for proofs (discovery's `dpop_signing_alg_values_supported`).
 * RFC 9449 4.3 item 5: never `none` nor a MAC.
 */
export const DPOP_SIGNING_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'EdDSA', 'Ed25519'] as const;

/** How old a proof's `iat` may be (s): its `jti` is remembered exactly that long after `iat`. */
export const DPOP_PROOF_MAX_AGE = 300;
/** How far in the future a proof's `iat` may be (s): the client's clock may run ahead. */
export const DPOP_PROOF_MAX_SKEW = 60;
/** A `jti` longer than this is refused: it is hashed and kept for the window. */
const MAX_JTI_LENGTH = 512;

/** JWK members that only a private (or symmetric) key has: a proof carrying one is refused (RFC 9449 4.3 item 7). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** The protected header, as the proof carries it. */
export function checkProofHeader(header: Record<string, unknown>): string | null {
  if (header.typ !== 'dpop+jwt') return 'typ must be dpop+jwt';
  if (typeof header.alg !== 'string' || !(DPOP_SIGNING_ALGORITHMS as readonly string[]).includes(header.alg))
    return 'unsupported alg';
  const jwk = header.jwk;
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) return 'jwk must be a public JSON Web Key';
  if (PRIVATE_MEMBERS.some((member) => member in jwk)) return 'jwk must not contain private key material';
  if ((jwk as { kty?: unknown }).kty === 'oct') return 'jwk must be an asymmetric key';
  return null;
}

/**
 * RFC 9449 4.3 item 9: `htu` is compared without query and fragment, after syntax- and
 * scheme-based normalisation (RFC 3986 6.2.2, 6.2.3): WHATWG URL parsing lowercases scheme and
 * host, drops a default port and normalises percent-encoding and dot segments.
 */
export function normalizeHtu(value: string): string | null {
  try {
    const url = new URL(value);
    url.search = '';
    url.hash = '';
    return url.href;
  } catch {
    return null;
  }
}

/** base64url(SHA-256(access token)): the proof's `ath` at a resource (RFC 9449 4.2). */
export const accessTokenHash = (accessToken: string) =>
  createHash('sha256').update(accessToken, 'ascii').digest('base64url');

export interface ProofExpectations {
  /** The request's method, upper case. */
  htm: string;
  /** The endpoint's URL as the issuer names it, e.g. `https://tenant.example.com/oauth/token`. */
  htu: string;
  /** Seconds since the epoch. */
  now: number;
  /** At a resource: the access token presented with the proof, whose hash `ath` must be. */
  accessToken?: string;
}

/** The payload's rules, except `nonce` (checkNonce) and `jti`'s uniqueness (the store's). */
export function checkProofClaims(claims: Record<string, unknown>, expected: ProofExpectations): string | null {
  if (typeof claims.jti !== 'string' || claims.jti.length === 0 || claims.jti.length > MAX_JTI_LENGTH)
    return 'jti missing or invalid';
  if (claims.htm !== expected.htm) return 'htm mismatch';
  if (typeof claims.htu !== 'string' || normalizeHtu(claims.htu) !== normalizeHtu(expected.htu)) return 'htu mismatch';
  if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) return 'iat missing or invalid';
  if (claims.iat < expected.now - DPOP_PROOF_MAX_AGE || claims.iat > expected.now + DPOP_PROOF_MAX_SKEW)
    return 'iat outside the acceptable window';
  if (expected.accessToken !== undefined) {
    if (typeof claims.ath !== 'string') return 'ath missing';
    if (!safeEqual(claims.ath, accessTokenHash(expected.accessToken))) return 'ath mismatch';
  }
  return null;
}

/** Until when (ms) a proof's `jti` must be remembered: as long as its `iat` keeps it acceptable. */
export const jtiExpiry = (iat: number) => (iat + DPOP_PROOF_MAX_AGE) * 1000;

/** What the store keeps of a proof: the hash of its key's thumbprint and its `jti`, never the proof. */
export const jtiKey = (jkt: string, jti: string) => createHash('sha256').update(`${jkt}\n${jti}`, 'utf8').digest();

/**
 * Stateless server nonces (RFC 9449 section 8): the number of a time window and an HMAC of it
 * under the tenant's secret, so every worker and instance issues and accepts the same nonces
 * with nothing stored. A nonce is good in its window and the next.
 */
export const DPOP_NONCE_WINDOW = 300;

export function dpopNonce(secret: Buffer, now: number): string {
  const window = Math.floor(now / DPOP_NONCE_WINDOW);
  return `${window.toString(36)}.${nonceMac(secret, window)}`;
}

export function checkNonce(secret: Buffer, nonce: unknown, now: number): boolean {
  if (typeof nonce !== 'string') return false;
  const match = /^([0-9a-z]{1,12})\.([\w-]{43})$/.exec(nonce);
  if (!match) return false;
  const window = parseInt(match[1]!, 36);
  const current = Math.floor(now / DPOP_NONCE_WINDOW);
  if (window !== current && window !== current - 1) return false;
  return safeEqual(match[2]!, nonceMac(secret, window));
}

const nonceMac = (secret: Buffer, window: number) =>
  createHmac('sha256', secret).update(`dpop-nonce:${window}`).digest('base64url');

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * RFC 9449 section 5: a refresh token issued to a public client with a proof is bound to the
 * proof's key for its whole life; a confidential client's is not (its client authentication
 * already binds it), though its access tokens are.
 */
export function refreshTokenBinding(
  client: { token_endpoint_auth_method: string },
  proofJkt: string | null,
): string | null {
  return client.token_endpoint_auth_method === 'none' ? proofJkt : null;
}

/**
 * Whether a refresh token's binding lets the presented proof exchange it: an unbound token
 * takes any proof or none; a bound one only a proof by its key.
 */
export function bindingVerdict(boundJkt: string | null, proofJkt: string | null): 'ok' | 'missing-proof' | 'other-key' {
  if (boundJkt === null || boundJkt === proofJkt) return 'ok';
  return proofJkt === null ? 'missing-proof' : 'other-key';
}
