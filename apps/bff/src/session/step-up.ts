import type { Context, MiddlewareHandler } from 'hono';
import type { BffDeps } from '../deps.ts';
import type { BffEnv } from '../env.ts';
import { BffError, unauthenticated } from '../errors.ts';

/** How recent a staff sign-in must be for the biggest actions, unless STEP_UP_MAX_AGE_MINUTES says otherwise. */
export const DEFAULT_STEP_UP_SECONDS = 10 * 60;

/** A search revocation of more than this many tokens is one of the biggest actions, unless STEP_UP_SEARCH_TOKENS says otherwise. */
export const DEFAULT_STEP_UP_SEARCH_TOKENS = 1_000;

/**
 * How far an identity provider's clock may run ahead of ours: an `auth_time` further in the
 * future than this is not a time anyone signed in, and is refused.
 */
const CLOCK_SKEW_SECONDS = 60;

export const stepUpSeconds = (deps: Pick<BffDeps, 'config'>) =>
  deps.config.stepUp?.maxAgeSeconds ?? DEFAULT_STEP_UP_SECONDS;
export const stepUpSearchTokens = (deps: Pick<BffDeps, 'config'>) =>
  deps.config.stepUp?.searchTokens ?? DEFAULT_STEP_UP_SEARCH_TOKENS;

const minutes = (seconds: number) =>
  seconds % 60 === 0 ? `${seconds / 60} minute${seconds === 60 ? '' : 's'}` : `${seconds} seconds`;

/**
 * The ID token's `auth_time` (OIDC Core 2: seconds since the epoch when the person last
 * authenticated at the provider), in milliseconds; undefined when it is missing or is not a
 * time anyone could have signed in (not a whole number, or in the future).
 */
export function authTimeOf(claims: Record<string, unknown>, nowMs: number): number | undefined {
  const value = claims.auth_time;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) return undefined;
  if (value * 1000 > nowMs + CLOCK_SKEW_SECONDS * 1000) return undefined;
  return value * 1000;
}

/** Whether a sign-in at `authTime` (ms) is recent enough for the biggest actions. */
export function isRecent(authTime: number | undefined, nowMs: number, maxAgeSeconds: number): boolean {
  return authTime !== undefined && nowMs - authTime <= maxAgeSeconds * 1000;
}

/**
 * 403 `step_up_required`: the action needs a sign-in within the window. Nothing was changed;
 * the dashboard sends the person to /auth/login?step_up=1 and back to the same dialog.
 */
export const stepUpRequired = (maxAgeSeconds: number, what: string) =>
  new BffError(
    403,
    'step_up_required',
    `${what} needs a sign-in within the last ${minutes(maxAgeSeconds)}. Sign in again to continue; nothing was changed.`,
    { auditDetail: `refused: the staff sign-in is older than ${minutes(maxAgeSeconds)} (step-up required)` },
  );

/** Throws `step_up_required` unless the session's sign-in is recent; call before the first write. */
export function checkRecentSignIn(c: Context<BffEnv>, deps: Pick<BffDeps, 'config' | 'now'>, what: string): void {
  const session = c.get('session');
  if (!session) throw unauthenticated();
  const maxAge = stepUpSeconds(deps);
  if (!isRecent(session.authTime, deps.now(), maxAge)) throw stepUpRequired(maxAge, what);
}

/** The same, as middleware for routes that are always among the biggest actions. */
export function requireRecentSignIn(deps: Pick<BffDeps, 'config' | 'now'>, what: string): MiddlewareHandler<BffEnv> {
  return async function requireRecentSignIn(c, next) {
    checkRecentSignIn(c, deps, what);
    await next();
  };
}
