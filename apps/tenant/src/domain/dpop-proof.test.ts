import { describe, expect, it } from 'vitest';
import {
  accessTokenHash,
  bindingVerdict,
  checkNonce,
  checkProofClaims,
  checkProofHeader,
  DPOP_NONCE_WINDOW,
  DPOP_PROOF_MAX_AGE,
  DPOP_PROOF_MAX_SKEW,
  dpopNonce,
  jtiExpiry,
  normalizeHtu,
  refreshTokenBinding,
} from './dpop-proof.ts';
import type { RefreshTokenRecord, RotationState } from './model.ts';
import { planExchange } from './refresh-tokens.ts';

const NOW = 1_800_000_000;
const HTU = 'https://tenant.example.com/oauth/token';
const jwk = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' };
const claims = (extra: Record<string, unknown> = {}) => ({ jti: 'j1', htm: 'POST', htu: HTU, iat: NOW, ...extra });
const check = (c: Record<string, unknown>, accessToken?: string) =>
  checkProofClaims(c, { htm: 'POST', htu: HTU, now: NOW, ...(accessToken ? { accessToken } : {}) });

describe('DPoP proof rules (RFC 9449 4.3)', () => {
  it('takes a dpop+jwt header with an asymmetric alg and a public jwk, nothing else', () => {
    expect(checkProofHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })).toBeNull();
    expect(checkProofHeader({ typ: 'dpop+jwt', alg: 'RS256', jwk: { kty: 'RSA', n: 'n', e: 'AQAB' } })).toBeNull();
    expect(checkProofHeader({ typ: 'dpop+jwt', alg: 'EdDSA', jwk: { kty: 'OKP', crv: 'Ed25519', x: 'x' } })).toBeNull();
    expect(checkProofHeader({ typ: 'JWT', alg: 'ES256', jwk })).toMatch(/typ/);
    for (const alg of ['none', 'HS256', undefined])
      expect(checkProofHeader({ typ: 'dpop+jwt', alg, jwk })).toMatch(/alg/);
    expect(checkProofHeader({ typ: 'dpop+jwt', alg: 'ES256' })).toMatch(/jwk/);
    expect(checkProofHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: { ...jwk, d: 'private' } })).toMatch(/private/);
    expect(checkProofHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'oct', k: 'secret' } })).toMatch(
      /private|asymmetric/,
    );
  });

  it('takes claims for this method and URL, issued within the window, with a jti', () => {
    expect(check(claims())).toBeNull();
    expect(check(claims({ htm: 'GET' }))).toMatch(/htm/);
    expect(check(claims({ htu: 'https://tenant.example.com/userinfo' }))).toMatch(/htu/);
    expect(check(claims({ htu: 'https://evil.example.com/oauth/token' }))).toMatch(/htu/);
    expect(check(claims({ jti: undefined }))).toMatch(/jti/);
    expect(check(claims({ jti: 'x'.repeat(513) }))).toMatch(/jti/);
    expect(check(claims({ iat: undefined }))).toMatch(/iat/);
    expect(check(claims({ iat: NOW - DPOP_PROOF_MAX_AGE }))).toBeNull();
    expect(check(claims({ iat: NOW - DPOP_PROOF_MAX_AGE - 1 }))).toMatch(/iat/);
    expect(check(claims({ iat: NOW + DPOP_PROOF_MAX_SKEW }))).toBeNull();
    expect(check(claims({ iat: NOW + DPOP_PROOF_MAX_SKEW + 1 }))).toMatch(/iat/);
  });

  it('compares htu without query and fragment, after normalisation', () => {
    expect(check(claims({ htu: 'HTTPS://Tenant.Example.com:443/oauth/token?x=1#f' }))).toBeNull();
    expect(check(claims({ htu: 'https://tenant.example.com/a/../oauth/token' }))).toBeNull();
    expect(check(claims({ htu: 'http://tenant.example.com/oauth/token' }))).toMatch(/htu/);
    expect(check(claims({ htu: 'https://tenant.example.com:8443/oauth/token' }))).toMatch(/htu/);
    expect(check(claims({ htu: 'not a url' }))).toMatch(/htu/);
    expect(normalizeHtu('https://a.example/x?y#z')).toBe('https://a.example/x');
  });

  it("asks a proof at a resource for the access token's hash", () => {
    expect(check(claims({ ath: accessTokenHash('tok') }), 'tok')).toBeNull();
    expect(check(claims(), 'tok')).toMatch(/ath/);
    expect(check(claims({ ath: accessTokenHash('other') }), 'tok')).toMatch(/ath/);
    // base64url SHA-256, no padding (RFC 9449 4.2).
    expect(accessTokenHash('tok')).toMatch(/^[\w-]{43}$/);
  });

  it('remembers a jti exactly as long as its iat keeps the proof acceptable', () => {
    expect(jtiExpiry(NOW)).toBe((NOW + DPOP_PROOF_MAX_AGE) * 1000);
  });

  it("issues stateless nonces good in their window and the next, under the tenant's key only", () => {
    const key = Buffer.from('k'.repeat(32));
    const nonce = dpopNonce(key, NOW);
    expect(checkNonce(key, nonce, NOW)).toBe(true);
    expect(checkNonce(key, nonce, NOW + DPOP_NONCE_WINDOW)).toBe(true);
    expect(checkNonce(key, nonce, NOW + 2 * DPOP_NONCE_WINDOW + 1)).toBe(false);
    expect(checkNonce(Buffer.from('o'.repeat(32)), nonce, NOW)).toBe(false);
    expect(checkNonce(key, undefined, NOW)).toBe(false);
    expect(checkNonce(key, `${nonce.slice(0, -1)}A`, NOW)).toBe(nonce.endsWith('A'));
  });
});

describe('DPoP binding of refresh tokens (RFC 9449 5)', () => {
  it("binds a public client's token to the proof key, never a confidential client's", () => {
    expect(refreshTokenBinding({ token_endpoint_auth_method: 'none' }, 'jkt')).toBe('jkt');
    expect(refreshTokenBinding({ token_endpoint_auth_method: 'none' }, null)).toBeNull();
    expect(refreshTokenBinding({ token_endpoint_auth_method: 'client_secret_post' }, 'jkt')).toBeNull();
    expect(refreshTokenBinding({ token_endpoint_auth_method: 'client_secret_basic' }, 'jkt')).toBeNull();
  });

  it('lets a bound token be exchanged only with a proof by its key', () => {
    expect(bindingVerdict(null, null)).toBe('ok');
    expect(bindingVerdict(null, 'a')).toBe('ok');
    expect(bindingVerdict('a', 'a')).toBe('ok');
    expect(bindingVerdict('a', null)).toBe('missing-proof');
    expect(bindingVerdict('a', 'b')).toBe('other-key');
  });

  const NOW_MS = NOW * 1000;
  const token = (overrides: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord => ({
    id: 'rt_1',
    user_id: 'auth0|jane',
    client_id: 'app',
    grant_id: null,
    session_id: null,
    device_name: null,
    audience: 'https://api.test/',
    scope: ['offline_access'],
    resource_servers: [],
    rotating: true,
    created_at: NOW_MS - 60_000,
    expires_at: null,
    idle_expires_at: null,
    last_exchanged_at: null,
    device: {
      initial_ip: null,
      initial_asn: null,
      initial_user_agent: null,
      last_ip: null,
      last_asn: null,
      last_user_agent: null,
    },
    metadata: {},
    revoked_at: null,
    revoked_reason: null,
    leeway: 0,
    idle_lifetime: null,
    dpop_jkt: 'bound',
    ...overrides,
  });
  const plan = (dpopJkt: string | null, state: Partial<RotationState> = {}) =>
    planExchange({
      clientId: 'app',
      now: NOW_MS,
      newSecretHash: Buffer.alloc(32),
      ip: null,
      asn: null,
      userAgent: null,
      dpopJkt,
    })({
      token: token(),
      presented: 'current',
      previous_valid_until: null,
      revoked_by_job: false,
      user: 'active',
      ...state,
    });

  it('planExchange refuses a bound token without its key before any other verdict, reuse detection included', () => {
    expect(plan('bound').kind).toBe('exchange');
    expect(plan(null)).toEqual({ kind: 'reject', dpop: 'missing-proof' });
    expect(plan('other')).toEqual({ kind: 'reject', dpop: 'other-key' });
    // A stale secret without the key: refused, the family is not revoked (whoever lacks the key changes nothing).
    expect(plan(null, { presented: 'stale' })).toEqual({ kind: 'reject', dpop: 'missing-proof' });
    expect(plan('bound', { presented: 'stale' })).toEqual({ kind: 'revoke-family', reason: 'reuse_detected' });
  });
});
