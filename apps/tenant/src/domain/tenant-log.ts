import { ids } from './ids.ts';
import type { TenantEvent } from './model.ts';

/**
 * The tenant's log (`GET /api/v2/users/{id}/logs`): Auth0's log event type codes for what
 * Auth0 logs the same way, so a console reading a real tenant's logs reads ours alike.
 */
export const LOG_TYPES = {
  /** Success Login. */
  login: 's',
  /** Failed Login: wrong password. */
  wrongPassword: 'fp',
  /** Failed Login: no such user. */
  unknownUser: 'fu',
  /** Failed Login (a blocked user). */
  failedLogin: 'f',
  /** Success Exchange: refresh token for access token. */
  exchange: 'sertft',
  /** Failed Exchange: refresh token for access token. */
  failedExchange: 'fertft',
  /** Failed Exchange: a rotated refresh token was reused; its family is revoked. */
  reuse: 'ferrt',
  /** Success Logout: the SSO session ended. */
  logout: 'slo',
  /** Success Revocation: a refresh token revoked at /oauth/revoke. */
  revocation: 'srrt',
  /** Success API Operation: a Management API request that revoked tokens or ended sessions. */
  api: 'sapi',
} as const;

/** One hour: exchanges of a token are logged at most once per hour of the clock. */
const EXCHANGE_LOG_BUCKET_MS = 3_600_000;

/**
 * Whether this exchange is the token's first in its hour. Exchanges are the hot path: logging
 * each would add a write to every refresh, so the log keeps one `sertft` per token per clock
 * hour (decided from the token's previous exchange time, which the rotation already read:
 * no extra query), enough to say "used from this app and address around then".
 */
export function firstExchangeOfHour(exchangedBefore: number | null, now: number): boolean {
  return (
    exchangedBefore === null ||
    Math.floor(exchangedBefore / EXCHANGE_LOG_BUCKET_MS) !== Math.floor(now / EXCHANGE_LOG_BUCKET_MS)
  );
}

export type NewTenantEvent = Omit<
  TenantEvent,
  'id' | 'created_at' | 'client_id' | 'refresh_token_id' | 'ip' | 'details'
> &
  Partial<Pick<TenantEvent, 'client_id' | 'refresh_token_id' | 'ip' | 'details'>>;

/** A log entry stamped now, the fields not given left empty. */
export function tenantEvent(event: NewTenantEvent, now: number): TenantEvent {
  return {
    client_id: null,
    refresh_token_id: null,
    ip: null,
    details: {},
    ...event,
    id: ids.event(now),
    created_at: now,
  };
}

/** A failed sign-in: `fu` when no user has that email, `fp` when the password is wrong. */
export function signInFailure(
  user: { user_id: string } | undefined,
  where: { client_id: string; ip: string | null; details: Record<string, unknown> },
  now: number,
): TenantEvent {
  return user
    ? tenantEvent(
        { type: LOG_TYPES.wrongPassword, description: 'Wrong email or password.', user_id: user.user_id, ...where },
        now,
      )
    : tenantEvent(
        { type: LOG_TYPES.unknownUser, description: 'Wrong email or password.', user_id: null, ...where },
        now,
      );
}
