import { createLocalJWKSet, errors as joseErrors, type JWK, type JWTPayload, jwtVerify } from 'jose';
import type { Clock } from '../clock.ts';
import { sha256 } from '../crypto/secrets.ts';
import { unauthorized } from '../errors/management-error.ts';

/** Past this many verified tokens the oldest is forgotten (verified again on its next use). */
const MAX_ENTRIES = 1_000;

const EXPIRED = 'Expired token received for JSON Web Token validation';

/**
 * The Management API's access tokens (RS256, this tenant's issuer and `<issuer>api/v2/`),
 * each verified by its signature once. A caller (the BFF, a script) sends the same token with
 * every request for its 24 hours, and the signature's check through jose was the largest part
 * of a listing's CPU after the statement itself (a sixth of it, from the profile).
 *
 * What a signature proves does not change while the keys do not, and they are fixed for the
 * process's life (`deps.keys`). What time changes is checked on every use, as jose checks it:
 * `exp` (expired at or before now) and `nbf` (after now), against the tenant's clock. Tokens are
 * kept by their SHA-256, never by value; a token that fails is not kept, so only tokens this
 * tenant signed can take a place. Who the token speaks for (its client grant, the client's
 * credentials) is decided afresh on every request by the caller of `verify`.
 */
export class VerifiedBearerTokens {
  private readonly jwks: ReturnType<typeof createLocalJWKSet>;
  private readonly verified = new Map<string, Readonly<JWTPayload>>();

  constructor(
    keys: { keys: JWK[] },
    private readonly expected: { issuer: string; audience: string },
    private readonly clock: Clock,
  ) {
    this.jwks = createLocalJWKSet(keys);
  }

  /** The token's payload, or a 401 `ManagementError` with Auth0's message. */
  async verify(token: string): Promise<Readonly<JWTPayload>> {
    const now = this.clock.now();
    const key = sha256(token).toString('base64');
    const known = this.verified.get(key);
    if (known) return checkTimes(known, now);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        ...this.expected,
        algorithms: ['RS256'],
        currentDate: new Date(now),
      }));
    } catch (err) {
      throw unauthorized(err instanceof joseErrors.JWTExpired ? EXPIRED : 'Invalid token');
    }
    if (this.verified.size >= MAX_ENTRIES) this.verified.delete(this.verified.keys().next().value as string);
    const frozen = Object.freeze(payload);
    this.verified.set(key, frozen);
    return frozen;
  }
}

/** jose's time checks (no tolerance): `exp` at or before now is expired, `nbf` after now is not yet valid. */
function checkTimes(payload: Readonly<JWTPayload>, nowMs: number): Readonly<JWTPayload> {
  const now = Math.floor(nowMs / 1000);
  if (typeof payload.exp === 'number' && payload.exp <= now) throw unauthorized(EXPIRED);
  if (typeof payload.nbf === 'number' && payload.nbf > now) throw unauthorized('Invalid token');
  return payload;
}
