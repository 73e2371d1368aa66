import type {
  ClientRecord,
  DeviceInfo,
  NewRefreshToken,
  RefreshTokenPolicy,
  RefreshTokenRecord,
  ResourceServerGrant,
  RotationOutcome,
  RotationPlan,
  RotationPlanner,
  RotationState,
  TenantEvent,
} from './model.ts';
import { ids } from './ids.ts';
import { isExpired } from './liveness.ts';
import { firstExchangeOfHour } from './tenant-log.ts';
import { newRefreshSecret } from './refresh-secrets.ts';
import { bindingVerdict, refreshTokenBinding } from './dpop-proof.ts';

/** Absolute and idle expiry of a new token from the client's policy (lifetimes in seconds). */
export function expiryOf(policy: RefreshTokenPolicy, now: number) {
  const expiring = policy.expiration_type === 'expiring';
  const expiresAt = expiring && !policy.infinite_token_lifetime ? now + policy.token_lifetime * 1000 : null;
  const idleLifetime = expiring && !policy.infinite_idle_token_lifetime ? policy.idle_token_lifetime : null;
  const idleExpiresAt = idleLifetime === null ? null : capAt(now + idleLifetime * 1000, expiresAt);
  return { expires_at: expiresAt, idle_expires_at: idleExpiresAt, idle_lifetime: idleLifetime };
}

const capAt = (value: number, cap: number | null) => (cap === null ? value : Math.min(value, cap));

/** A new refresh token: the secret to hand out once, and the record that stores only its hash. */
export function mintRefreshToken(input: {
  client: ClientRecord;
  user_id: string;
  grant_id: string | null;
  session_id: string | null;
  device_name: string | null;
  audience: string;
  scope: string[];
  resource_servers: ResourceServerGrant[];
  device: DeviceInfo;
  now: number;
  /** The thumbprint of the request's verified DPoP proof, or null: a public client's token is bound to it. */
  dpop_jkt?: string | null;
}): { value: string; record: NewRefreshToken } {
  const policy = input.client.refresh_token;
  const secret = newRefreshSecret();
  return {
    value: secret.value,
    record: {
      id: ids.refreshToken(input.now),
      secretHash: secret.hash,
      user_id: input.user_id,
      client_id: input.client.client_id,
      grant_id: input.grant_id,
      session_id: input.session_id,
      device_name: input.device_name,
      audience: input.audience,
      scope: input.scope,
      resource_servers: input.resource_servers,
      rotating: policy.rotation_type === 'rotating',
      created_at: input.now,
      leeway: policy.leeway,
      device: input.device,
      dpop_jkt: refreshTokenBinding(input.client, input.dpop_jkt ?? null),
      ...expiryOf(policy, input.now),
    },
  };
}

/**
 * What to do with a presented refresh token, decided under the family's lock. Pure and
 * synchronous, so every store runs the same rules inside its own transaction.
 *
 * - The current secret: exchange it; a rotating token gets a new secret, and the one used
 *   stays exchangeable for `leeway` seconds (Auth0's reuse interval).
 * - The previous secret within leeway: accepted; its new secret replaces the current one,
 *   so there is still only one live successor.
 * - Any older secret of a rotating token: reuse. Auth0 treats it as a breach and revokes
 *   the family (every token issued since the reused one), answering invalid_grant.
 *
 * Every other reason to refuse (another client, a blocked user, a scope the token was not
 * granted) is decided here too, before anything is written: a refused exchange leaves the
 * token exactly as it was, so a client that retries with it is not taken for a thief.
 *
 * A DPoP-bound token (RFC 9449 section 5) is refused to a request without a proof by its key
 * before any other verdict, reuse detection included: whoever cannot prove the key changes
 * nothing, so a stolen old secret cannot even revoke the family of the device that holds it.
 */
export function planExchange(input: {
  clientId: string;
  now: number;
  /** The `scope` parameter, parsed: RFC 6749 section 6 lets a refresh narrow the scope, never widen it. */
  requestedScope?: string[] | undefined;
  newSecretHash: Buffer;
  ip: string | null;
  asn: string | null;
  userAgent: string | null;
  /** The thumbprint of the request's DPoP proof (verified at the edge before the rotation), or null without one. */
  dpopJkt: string | null;
  /**
   * The log entry of this exchange, when exchanges are logged: written with the rotation, in
   * its transaction, for the token's first exchange of each clock hour (see tenant-log.ts).
   */
  exchangeEvent?: ((token: RefreshTokenRecord) => TenantEvent) | undefined;
}): RotationPlanner {
  return ({ token, presented, previous_valid_until, revoked_by_job, user }) => {
    if (token.client_id !== input.clientId) return { kind: 'reject' };
    const binding = bindingVerdict(token.dpop_jkt, input.dpopJkt);
    if (binding !== 'ok') return { kind: 'reject', dpop: binding };
    if (token.revoked_at !== null || revoked_by_job || isExpired(token, input.now)) return { kind: 'reject' };

    const withinLeeway = previous_valid_until !== null && input.now <= previous_valid_until;
    if (presented === 'stale' || (presented === 'previous' && !withinLeeway)) {
      return token.rotating ? { kind: 'revoke-family', reason: 'reuse_detected' } : { kind: 'reject' };
    }
    // Refused without rotating: an unblocked user's client still holds the current secret.
    if (user !== 'active') return { kind: 'reject' };
    const notGranted = input.requestedScope?.filter((s) => !token.scope.includes(s)) ?? [];
    if (notGranted.length > 0) return { kind: 'reject', notGranted };

    const idleExpiresAt =
      token.idle_lifetime === null ? null : capAt(input.now + token.idle_lifetime * 1000, token.expires_at);
    const logged = input.exchangeEvent && firstExchangeOfHour(token.last_exchanged_at, input.now);
    const common = {
      idleExpiresAt,
      lastExchangedAt: input.now,
      lastIp: input.ip,
      lastAsn: input.asn,
      lastUserAgent: input.userAgent,
      ...(logged ? { event: input.exchangeEvent!(token) } : {}),
    };
    if (!token.rotating) {
      return { kind: 'exchange', newSecretHash: null, replacesCurrent: false, previousValidUntil: null, ...common };
    }
    return {
      kind: 'exchange',
      newSecretHash: input.newSecretHash,
      replacesCurrent: presented === 'previous',
      previousValidUntil: token.leeway > 0 ? input.now + token.leeway * 1000 : null,
      ...common,
    };
  };
}

/** Which of a family's secrets `hash` is (every store reads the family's two hashes, then asks). */
export function whichSecret(
  hash: Buffer,
  currentHash: Buffer,
  previousHash: Buffer | null,
): RotationState['presented'] {
  if (hash.equals(currentHash)) return 'current';
  return previousHash !== null && hash.equals(previousHash) ? 'previous' : 'stale';
}

/**
 * Whether a secret found by lookup could be exchanged now, changing nothing (/oauth/revoke and
 * the Management API ask): the current secret, or the previous one within leeway, of a live
 * token no journaled revocation covers. The exchange itself decides under lock (planExchange).
 */
export function isUsableSecret(
  state: Pick<RotationState, 'token' | 'presented' | 'previous_valid_until' | 'revoked_by_job'>,
  now: number,
): boolean {
  const { token, presented, previous_valid_until, revoked_by_job } = state;
  const presentable = presented === 'current' || (presented === 'previous' && (previous_valid_until ?? 0) >= now);
  return presentable && token.revoked_at === null && !isExpired(token, now) && !revoked_by_job;
}

/** What a store answers for a refused plan: the token as it read it, and why, if the plan says. */
export function rejectedOutcome(
  token: RefreshTokenRecord,
  plan: Extract<RotationPlan, { kind: 'reject' }>,
): Extract<RotationOutcome, { kind: 'rejected' }> {
  return {
    kind: 'rejected',
    token,
    ...(plan.notGranted ? { notGranted: plan.notGranted } : {}),
    ...(plan.dpop ? { dpop: plan.dpop } : {}),
  };
}

/** The token as an applied plan leaves it: what the exchange answers, without reading it again. */
export function afterPlan(
  token: RefreshTokenRecord,
  plan: Exclude<RotationPlan, { kind: 'reject' }>,
  now: number,
): RefreshTokenRecord {
  if (plan.kind === 'revoke-family') return { ...token, revoked_at: now, revoked_reason: plan.reason };
  return {
    ...token,
    idle_expires_at: plan.idleExpiresAt,
    last_exchanged_at: plan.lastExchangedAt,
    device: { ...token.device, last_ip: plan.lastIp, last_asn: plan.lastAsn, last_user_agent: plan.lastUserAgent },
  };
}
