import { ROLES, type Role } from '@rtc/contracts';
import * as oidc from 'openid-client';
import type { Logger } from '../logger.ts';
import type { IdentityProvider } from './identity-provider.ts';
import type { StaffSession } from './session-cookie.ts';

/** A role removed at the identity provider is gone from the console within this long. */
export const ROLE_RECHECK_MS = 15 * 60_000;

/** The highest console role among the claim's values (a string or an array). */
export function roleFromClaim(value: unknown): Role | undefined {
  const values = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return [...ROLES].reverse().find((role) => values.includes(role));
}

export type RecheckOutcome = { session: StaffSession; changed: boolean } | { ended: string };

/**
 * Re-checks a staff session's role every 15 minutes with the refresh token the sign-in got
 * (scope offline_access): the identity provider issues a new ID token with the role claim as
 * it is now. Against Auth0 the post-login Action that adds the claim runs on refresh-token
 * exchanges too, so a role removed there, a blocked user or a revoked refresh token ends the
 * console session at the next check. Without a refresh token the session ends at the check,
 * and signing in again (SSO at the provider) reads the role afresh.
 *
 * Requests of one session arriving together share one refresh (a rotating refresh token
 * presented twice would be taken for reuse).
 */
export class RoleRecheck {
  private readonly inFlight = new Map<string, Promise<RecheckOutcome>>();

  constructor(
    private readonly idp: IdentityProvider,
    private readonly rolesClaim: string,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  async check(session: StaffSession): Promise<RecheckOutcome> {
    const checkedAt = session.roleCheckedAt ?? session.createdAt;
    if (this.now() - checkedAt < ROLE_RECHECK_MS) return { session, changed: false };
    const key = `${session.sid}|${checkedAt}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.refresh(session).finally(() => setTimeout(() => this.inFlight.delete(key), 5_000).unref());
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async refresh(session: StaffSession): Promise<RecheckOutcome> {
    if (!session.refreshToken) return { ended: 'no refresh token to re-check the role with' };
    let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    try {
      tokens = await oidc.refreshTokenGrant(await this.idp.configuration(), session.refreshToken);
    } catch (err) {
      const error = (err as { error?: string }).error;
      if (error) return { ended: `the identity provider refused the refresh (${error})` };
      // The provider cannot be reached: keep the session one more interval, then end it.
      this.logger.warn('staff role re-check failed; will retry', { error: (err as Error).name });
      const checkedAt = session.roleCheckedAt ?? session.createdAt;
      return this.now() - checkedAt < 2 * ROLE_RECHECK_MS
        ? { session, changed: false }
        : { ended: 'the identity provider could not be reached' };
    }
    const claims = tokens.claims();
    const role = roleFromClaim(claims?.[this.rolesClaim]);
    if (!claims || claims.sub !== session.sub) return { ended: 'the refreshed identity does not match' };
    if (!role) return { ended: 'the staff member no longer has a console role' };
    return {
      changed: true,
      session: {
        ...session,
        role,
        refreshToken: tokens.refresh_token ?? session.refreshToken,
        roleCheckedAt: this.now(),
      },
    };
  }
}
