import type { Context } from 'hono';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify, type JWK } from 'jose';
import type { Clock } from '../clock.ts';
import {
  checkNonce,
  checkProofClaims,
  checkProofHeader,
  DPOP_SIGNING_ALGORITHMS,
  dpopNonce,
  jtiExpiry,
  jtiKey,
} from '../domain/dpop-proof.ts';
import type { Logger } from '../observability/logger.ts';
import type { TenantStore } from '../store/types.ts';

/** A proof that passed every check, its `jti` now remembered: the key it was signed with, by thumbprint. */
export interface VerifiedProof {
  /** JWK SHA-256 thumbprint (RFC 7638) of the proof's key: what tokens are bound to (`cnf.jkt`). */
  jkt: string;
}

/** Why a proof was refused; the caller answers it in its own way (400 at /oauth/token, 401 at /userinfo). */
export class ProofRefused extends Error {
  constructor(
    readonly reason: string,
    /** Set when the refusal is only the missing server nonce: the client retries with this one. */
    readonly nonce?: string,
  ) {
    super(reason);
  }
}

/** How often a process sweeps expired proofs out of the store, at most (ms). */
const SWEEP_EVERY = 60_000;
const SWEEP_BATCH = 5_000;

/**
 * DPoP proofs at the auth edge (RFC 9449 section 4.3): the signature with jose (the key is the
 * proof's own `jwk`, EmbeddedJWK), the rules in domain/dpop-proof.ts, and the `jti` remembered
 * in the store so a replay is refused by every worker and instance. Checked in that order:
 * a proof refused for any reason is not remembered, so only an accepted proof uses its `jti`.
 */
export class DpopProofs {
  private nextSweep = 0;

  constructor(
    private readonly store: TenantStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly nonceKey: Buffer,
  ) {}

  /** A fresh server nonce (`DPoP-Nonce`). */
  nonce(): string {
    return dpopNonce(this.nonceKey, Math.floor(this.clock.now() / 1000));
  }

  /**
   * The request's proof, verified, or null when it carries none. Throws ProofRefused.
   * `htu`: the endpoint as the issuer names it, never the Host header's idea of it.
   */
  async verify(
    c: Context,
    expected: { htm: string; htu: string; accessToken?: string; requireNonce?: () => Promise<boolean> },
  ): Promise<VerifiedProof | null> {
    const value = c.req.raw.headers.get('dpop');
    if (value === null) return null;
    // Headers of one name arrive joined with ", "; a compact JWS holds neither character.
    if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(value)) throw new ProofRefused('DPoP header must be exactly one compact JWT');
    let header: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(value) as Record<string, unknown>;
    } catch {
      throw new ProofRefused('DPoP proof is not a JWT');
    }
    const headerProblem = checkProofHeader(header);
    if (headerProblem) throw new ProofRefused(`DPoP proof ${headerProblem}`);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(value, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: [...DPOP_SIGNING_ALGORITHMS],
        currentDate: new Date(this.clock.now()),
      }));
    } catch {
      throw new ProofRefused('DPoP proof signature is invalid');
    }
    const nowMs = this.clock.now();
    const now = Math.floor(nowMs / 1000);
    const claimsProblem = checkProofClaims(payload, {
      htm: expected.htm,
      htu: expected.htu,
      now,
      ...(expected.accessToken !== undefined ? { accessToken: expected.accessToken } : {}),
    });
    if (claimsProblem) throw new ProofRefused(`DPoP proof ${claimsProblem}`);
    if (expected.requireNonce && (await expected.requireNonce()) && !checkNonce(this.nonceKey, payload.nonce, now)) {
      throw new ProofRefused('DPoP proof nonce missing or stale', this.nonce());
    }
    const jkt = await calculateJwkThumbprint(header.jwk as JWK, 'sha256');
    const fresh = await this.store.dpopProofs.rememberDpopProof(
      jtiKey(jkt, payload.jti as string),
      jtiExpiry(payload.iat as number),
      nowMs,
    );
    if (!fresh) throw new ProofRefused('DPoP proof jti was already used');
    this.sweepNow(nowMs);
    return { jkt };
  }

  /** Expired proofs go in the background, once a minute at most per process. */
  private sweepNow(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + SWEEP_EVERY;
    this.store.dpopProofs
      .sweepDpopProofs(now, SWEEP_BATCH)
      .catch((err: unknown) => this.logger.warn('sweeping DPoP proofs failed', { error: String(err) }));
  }
}
