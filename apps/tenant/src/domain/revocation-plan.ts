import { FLAG_GOVERNED_WAYS_IN, revocationDeletesGrant } from '@rtc/contracts/revocation-flag';
import type { GrantRecord, RefreshTokenRecord, SessionRecord, TenantFlags } from './model.ts';
import type { RevocationTarget, RevokeReason } from './revocation.ts';

/**
 * What goes when something is revoked, decided here and nowhere else: the routes ask
 * `planRevocation`, and the store applies the plan it returns in one transaction
 * (`RevocationStore.applyRevocationPlan`). Pure: no clock, no store, no HTTP.
 */

/** The ways in by which a revocation is asked for, each named for the request that asks. */
export type RevocationWayIn =
  /** POST /oauth/revoke, by the application that holds the token. */
  | 'oauth_revoke'
  /**
   * DELETE /api/v2/device-credentials/{id}: unlinking a device, from the Dashboard or the
   * Management API; and POST /api/v2/users/{id}/devices/unlink (the tenant's own): every live
   * token of the user on one device at once, under the same rule.
   */
  | 'device_unlinked'
  /** DELETE /api/v2/refresh-tokens/{id}. */
  | 'refresh_token_deleted'
  /** POST /api/v2/refresh-tokens/revoke with ids. */
  | 'refresh_tokens_revoked'
  /** POST /oauth/token: an authorization code presented again takes the refresh token its first use issued. */
  | 'code_reused'
  /** DELETE /api/v2/users/{id}/refresh-tokens and POST /api/v2/refresh-tokens/revoke with user_id. */
  | 'user_tokens_revoked'
  /** POST /api/v2/clients/{id}/refresh-tokens/revoke (the tenant's own): every user's tokens of one application. */
  | 'client_tokens_revoked'
  /** DELETE /api/v2/grants/{id}: the user's authorized application, revoked. */
  | 'grant_deleted'
  /** POST /api/v2/sessions/{id}/revoke: the session ends with the refresh tokens issued in it. */
  | 'session_revoked';

/** What a way in acts on. */
export type PlanTarget =
  /** One token, as read: its grant is what the flag may take with it. */
  | { kind: 'token'; token: Pick<RefreshTokenRecord, 'id' | 'grant_id'> }
  /** A user's device: its live tokens, as read, each taking its grant when the flag says so. */
  | { kind: 'device'; tokens: Pick<RefreshTokenRecord, 'id' | 'grant_id'>[] }
  /** Tokens by id, known or not. */
  | { kind: 'tokens'; ids: string[] }
  | { kind: 'grant'; grant: Pick<GrantRecord, 'id'> }
  | { kind: 'session'; session: Pick<SessionRecord, 'id'> }
  | { kind: 'user'; user_id: string; client_id?: string; audience?: string }
  /** With `issued_through`, no token issued after that point of the insertion order (what a preview counted). */
  | { kind: 'client'; client_id: string; audience?: string; issued_through?: number };

interface Rule {
  /** The rule, in the words Auth0's documentation ("Revoke Refresh Tokens") gives it. */
  auth0: string;
  /** Why the tokens it marks were revoked (their `revoked_reason`). */
  reason: RevokeReason;
  /** What it acts on. */
  targets: readonly PlanTarget['kind'][];
  /**
   * How tokens named by id go: marked revoked in the plan's transaction, or journaled (in
   * force and unlisted from that commit as well, the row marked by the background worker).
   */
  tokensBy: 'marking' | 'journal';
  /**
   * What the target must be for anything to be written: `live` (every token the plan names
   * not yet marked revoked), `found` (it exists, revoked or not), or null (the caller found it
   * already).
   */
  refusedUnless: 'live' | 'found' | null;
}

/**
 * The rules, one a way in. Which of them "Refresh Token Revocation Deletes Grant" governs is
 * stated once, in @rtc/contracts/revocation-flag (the console previews an unlink by it too):
 * /oauth/revoke and unlinking a device. Revoking by a refresh token's id through the
 * refresh-tokens API is neither: the flag does not apply.
 */
export const REVOCATION_RULES: Record<RevocationWayIn, Rule> = {
  oauth_revoke: {
    auth0:
      'Use the Authentication API /oauth/revoke endpoint to revoke a refresh token. ' +
      'This endpoint does not delete the underlying grant. You can change this behavior to also delete the underlying grant',
    reason: 'oauth_revoke',
    targets: ['token'],
    tokensBy: 'marking',
    // The route found the token by its secret; one revoked already still takes its grant with the flag on.
    refusedUnless: null,
  },
  device_unlinked: {
    auth0:
      'You can choose the revocation behavior in the Dashboard tenant settings when a device is unlinked ' +
      'from a user in Auth0, using either the Dashboard or the Management API',
    reason: 'device_unlinked',
    targets: ['token', 'device'],
    tokensBy: 'marking',
    refusedUnless: 'live',
  },
  refresh_token_deleted: {
    auth0: 'Revoke a refresh token by its id: revocation is asynchronous',
    reason: 'management_api',
    targets: ['tokens'],
    tokensBy: 'journal',
    refusedUnless: null,
  },
  refresh_tokens_revoked: {
    auth0: 'Revoke refresh tokens by their ids, up to 100 at a time',
    reason: 'management_api',
    targets: ['tokens'],
    // Auth0 answers 202 and converges later; marked in the answer's commit, nothing is left for the worker.
    tokensBy: 'marking',
    refusedUnless: null,
  },
  code_reused: {
    auth0: 'An authorization code used twice revokes the tokens its first use issued (RFC 6749 section 4.1.2)',
    reason: 'code_reused',
    targets: ['tokens'],
    tokensBy: 'marking',
    refusedUnless: null,
  },
  user_tokens_revoked: {
    auth0: 'Revoke all refresh tokens of a user (of one application and API when given)',
    reason: 'user_tokens_revoked',
    targets: ['user'],
    tokensBy: 'marking',
    refusedUnless: null,
  },
  client_tokens_revoked: {
    auth0: "Not Auth0's: every refresh token of one application across its users (of one API when given)",
    reason: 'client_tokens_revoked',
    targets: ['client'],
    tokensBy: 'marking',
    refusedUnless: null,
  },
  grant_deleted: {
    auth0: 'When a grant is revoked, so are all tokens issued in the context of that grant',
    reason: 'grant_deleted',
    targets: ['grant'],
    tokensBy: 'marking',
    refusedUnless: 'found',
  },
  session_revoked: {
    auth0: 'Revoke a session and the refresh tokens issued in it',
    reason: 'session_revoked',
    targets: ['session'],
    tokensBy: 'marking',
    refusedUnless: 'found',
  },
};

/**
 * Exactly what one revocation takes. Tokens named here are marked revoked in the plan's
 * transaction; grants and sessions named here go in it too, each journaling the revocation of
 * every token issued under it; `journal` holds the bulk revocations journaled as they are
 * (a user's or an application's tokens). Journaled, a revocation is in force from that commit,
 * its rows marked by the background worker.
 */
export interface RevocationPlan {
  wayIn: RevocationWayIn;
  reason: RevokeReason;
  tokenIds: string[];
  grantIds: string[];
  sessionIds: string[];
  journal: { target: RevocationTarget; issuedThrough?: number }[];
  /** Nothing is written unless the target (the first id of its kind) is live or found, as its rule says; the route then answers 404. */
  refusedUnless: Rule['refusedUnless'];
}

/** What the tenant settings say, as far as revocation cares. */
export type RevocationSettings = { flags: Pick<TenantFlags, 'revoke_refresh_token_grant'> };

/**
 * The plan for `target`, asked for by `wayIn`. `settings` may be null for a way in the flag
 * does not govern (the caller need not read them); a way in it governs without them throws.
 */
export function planRevocation(
  target: PlanTarget,
  wayIn: RevocationWayIn,
  settings: RevocationSettings | null,
): RevocationPlan {
  const rule = REVOCATION_RULES[wayIn];
  if (!rule.targets.includes(target.kind))
    throw new Error(`${wayIn} acts on a ${rule.targets.join(' or ')}, not a ${target.kind}`);
  if (Object.hasOwn(FLAG_GOVERNED_WAYS_IN, wayIn) && settings === null)
    throw new Error(`${wayIn} depends on the tenant flag: pass the settings`);
  const plan: RevocationPlan = {
    wayIn,
    reason: rule.reason,
    tokenIds: [],
    grantIds: [],
    sessionIds: [],
    journal: [],
    refusedUnless: rule.refusedUnless,
  };
  switch (target.kind) {
    case 'token':
      plan.tokenIds.push(target.token.id);
      if (settings !== null && revocationDeletesGrant(wayIn, settings.flags) && target.token.grant_id !== null)
        plan.grantIds.push(target.token.grant_id);
      break;
    case 'device': {
      const deletesGrant = settings !== null && revocationDeletesGrant(wayIn, settings.flags);
      for (const token of target.tokens) {
        plan.tokenIds.push(token.id);
        if (deletesGrant && token.grant_id !== null && !plan.grantIds.includes(token.grant_id))
          plan.grantIds.push(token.grant_id);
      }
      break;
    }
    case 'tokens':
      for (const id of new Set(target.ids)) {
        if (rule.tokensBy === 'marking') plan.tokenIds.push(id);
        else plan.journal.push({ target: { kind: 'token', token_id: id } });
      }
      break;
    case 'grant':
      plan.grantIds.push(target.grant.id);
      break;
    case 'session':
      plan.sessionIds.push(target.session.id);
      break;
    case 'user': {
      const { kind, user_id, client_id, audience } = target;
      plan.journal.push({
        target: { kind, user_id, ...(client_id ? { client_id } : {}), ...(audience ? { audience } : {}) },
      });
      break;
    }
    case 'client': {
      const { kind, client_id, audience, issued_through } = target;
      plan.journal.push({
        target: { kind, client_id, ...(audience ? { audience } : {}) },
        ...(issued_through !== undefined ? { issuedThrough: issued_through } : {}),
      });
      break;
    }
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
