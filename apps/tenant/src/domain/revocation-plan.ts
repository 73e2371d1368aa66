import type { GrantRecord, RefreshTokenRecord, SessionRecord, TenantFlags } from './model.ts';
import type { RevokeReason } from './revocation.ts';

/**
 * What goes when something is revoked, decided here and nowhere else: the routes ask
 * `planRevocation`, and the store applies the plan it returns in one transaction
 * (`RevocationStore.applyRevocationPlan`). Pure: no clock, no store, no HTTP.
 */

/** The ways in by which a revocation is asked for, each named for the request that asks. */
export type RevocationWayIn =
  /** POST /oauth/revoke, by the application that holds the token. */
  | 'oauth_revoke'
  /** DELETE /api/v2/device-credentials/{id}: unlinking a device, from the Dashboard or the Management API. */
  | 'device_unlinked'
  /** DELETE /api/v2/refresh-tokens/{id} and POST /api/v2/refresh-tokens/revoke with ids. */
  | 'refresh_token_deleted'
  /** DELETE /api/v2/grants/{id}: the user's authorized application, revoked. */
  | 'grant_deleted'
  /** POST /api/v2/sessions/{id}/revoke: the session ends with the refresh tokens issued in it. */
  | 'session_revoked';

/** What a way in acts on. */
export type PlanTarget =
  | { kind: 'token'; token: Pick<RefreshTokenRecord, 'id' | 'grant_id'> }
  | { kind: 'grant'; grant: Pick<GrantRecord, 'id'> }
  | { kind: 'session'; session: Pick<SessionRecord, 'id'> };

interface Rule {
  /** The rule, in the words Auth0's documentation ("Revoke Refresh Tokens") gives it. */
  auth0: string;
  /** Why the tokens it marks were revoked (their `revoked_reason`). */
  reason: RevokeReason;
  /** What it acts on. */
  target: PlanTarget['kind'];
  /** Whether "Refresh Token Revocation Deletes Grant" deletes the token's grant too. */
  flagDeletesGrant: boolean;
  /**
   * What the target must be for anything to be written: `live` (not yet marked revoked),
   * `found` (it exists, revoked or not), or null (the caller found it already).
   */
  refusedUnless: 'live' | 'found' | null;
}

/**
 * The rules, one a way in. The flag's two ways in are the two Auth0 names: "Enable the toggle
 * to delete the underlying grant when you revoke the refresh token" (the Authentication API's
 * /oauth/revoke, whose own page says the toggle changes it), and "when a device is unlinked
 * from a user in Auth0, using either the Dashboard or the Management API". Revoking by a
 * refresh token's id through the refresh-tokens API is neither: the flag does not apply.
 */
export const REVOCATION_RULES: Record<RevocationWayIn, Rule> = {
  oauth_revoke: {
    auth0: 'Use the Authentication API /oauth/revoke endpoint to revoke a refresh token. This endpoint does not delete the underlying grant. You can change this behavior to also delete the underlying grant',
    reason: 'oauth_revoke',
    target: 'token',
    flagDeletesGrant: true,
    // The route found the token by its secret; one revoked already still takes its grant with the flag on.
    refusedUnless: null,
  },
  device_unlinked: {
    auth0: 'You can choose the revocation behavior in the Dashboard tenant settings when a device is unlinked from a user in Auth0, using either the Dashboard or the Management API',
    reason: 'device_unlinked',
    target: 'token',
    flagDeletesGrant: true,
    refusedUnless: 'live',
  },
  refresh_token_deleted: {
    auth0: 'Revoke a refresh token by its id through the Management API refresh-tokens endpoints',
    reason: 'management_api',
    target: 'token',
    flagDeletesGrant: false,
    refusedUnless: null,
  },
  grant_deleted: {
    auth0: 'When a grant is revoked, so are all tokens issued in the context of that grant',
    reason: 'grant_deleted',
    target: 'grant',
    flagDeletesGrant: false,
    refusedUnless: 'found',
  },
  session_revoked: {
    auth0: 'Revoke a session and the refresh tokens issued in it',
    reason: 'session_revoked',
    target: 'session',
    flagDeletesGrant: false,
    refusedUnless: 'found',
  },
};

/**
 * Exactly what one revocation takes. Tokens named here are marked revoked in the plan's
 * transaction; grants and sessions named here go in it too, each journaling the revocation of
 * every token issued under it (in force from that commit, marked by the background worker).
 */
export interface RevocationPlan {
  wayIn: RevocationWayIn;
  reason: RevokeReason;
  tokenIds: string[];
  grantIds: string[];
  sessionIds: string[];
  /** Nothing is written unless the target (the first id of its kind) is live or found, as its rule says; the route then answers 404. */
  refusedUnless: Rule['refusedUnless'];
}

/** What the tenant settings say, as far as revocation cares. */
export type RevocationSettings = { flags: Pick<TenantFlags, 'revoke_refresh_token_grant'> };

/**
 * The plan for `target`, asked for by `wayIn`. `settings` may be null for a way in the flag
 * does not govern (the caller need not read them); a way in it governs without them throws.
 */
export function planRevocation(target: PlanTarget, wayIn: RevocationWayIn, settings: RevocationSettings | null): RevocationPlan {
  const rule = REVOCATION_RULES[wayIn];
  if (rule.target !== target.kind) throw new Error(`${wayIn} acts on a ${rule.target}, not a ${target.kind}`);
  if (rule.flagDeletesGrant && settings === null) throw new Error(`${wayIn} depends on the tenant flag: pass the settings`);
  const plan: RevocationPlan = { wayIn, reason: rule.reason, tokenIds: [], grantIds: [], sessionIds: [], refusedUnless: rule.refusedUnless };
  switch (target.kind) {
    case 'token':
      plan.tokenIds.push(target.token.id);
      if (rule.flagDeletesGrant && settings!.flags.revoke_refresh_token_grant && target.token.grant_id !== null) plan.grantIds.push(target.token.grant_id);
      break;
    case 'grant':
      plan.grantIds.push(target.grant.id);
      break;
    case 'session':
      plan.sessionIds.push(target.session.id);
      break;
  }
  return plan;
}

/**
 * What applying a plan did: the tokens that were live and are now revoked, the grants that
 * existed and are deleted, the sessions that existed and are ended. `applied` false: the
 * target was not as its rule requires, and nothing was written.
 */
export interface AppliedRevocation {
  applied: boolean;
  revokedTokenIds: string[];
  deletedGrantIds: string[];
  endedSessionIds: string[];
}
