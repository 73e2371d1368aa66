import type { SignOutExpected, SignOutImpact } from '@rtc/contracts';
import { BffError } from '../errors.ts';
import type { ManagementGateway, MgmtUser } from '../management/gateway.ts';
import { signOutChange, signOutImpact } from '../domain/sign-out-everywhere.ts';
import { loadUserAccess } from './user-access-loader.ts';

/** "Sign out everywhere" refused: what it would revoke changed since the preview (409 with the new preview). */
export class SignOutChanged extends BffError {
  constructor(
    message: string,
    readonly impact: SignOutImpact,
  ) {
    super(409, 'impact_changed', message);
  }
}

/** What "Sign out everywhere" did: the preview confirmed, the ids revoked, and blocking. */
export type SignedOut = {
  impact: SignOutImpact;
  tokenIds: string[];
  sessionIds: string[];
  blocked: boolean;
  userEmail: string | null;
};

/** "Sign out everywhere": every live token (counted by application and device) and session of the user, and the user. */
export async function signOutPreview(mgmt: ManagementGateway, userId: string) {
  const data = await loadUserAccess(mgmt, userId, { user: true, tokens: true, credentials: true, sessions: true });
  const user = data.user!;
  const name = [user.name, user.email].find((v): v is string => typeof v === 'string' && v !== '') ?? userId;
  const impact = signOutImpact(
    { user_id: userId, name, blocked: user.blocked ?? false },
    data.tokens,
    data.sessions,
    data.truncated,
  );
  return { impact, data };
}

/** What "Sign out everywhere" needs of the user access service. */
export interface SignOutContext {
  mgmt: ManagementGateway;
  forgetDeviceNames(): void;
}

/**
 * Revokes every refresh token and ends every session of the user, as previewed, and blocks
 * the user when asked. Everything that may refuse it (who may act on this user, a preview
 * that changed, nothing to do) is decided before the first write. Blocking goes first: from
 * then the tenant refuses the user's sign-ins and refresh tokens, so nothing issued in the
 * moments the writes take stays usable. Tokens go by the ids previewed (POST
 * /refresh-tokens/revoke, 100 a call), sessions in one DELETE /users/{id}/sessions (skipped
 * when the preview had none); a user with more tokens than the console loads loses every
 * token (POST /refresh-tokens/revoke {user_id}), which the preview says.
 */
export async function signOutEverywhere(
  ctx: SignOutContext,
  userId: string,
  expected: SignOutExpected | undefined,
  block: boolean,
  mayActOn: (user: MgmtUser | undefined) => void,
): Promise<SignedOut> {
  const { impact, data } = await signOutPreview(ctx.mgmt, userId);
  mayActOn(data.user);
  const change = signOutChange(expected, impact);
  if (change) throw new SignOutChanged(change, impact);
  const blocking = block && !impact.blocked;
  if (impact.tokens === 0 && impact.sessions.length === 0 && !blocking) {
    throw new BffError(
      400,
      'nothing_to_revoke',
      block
        ? 'This user has no refresh tokens or sessions, and is blocked already: there is nothing to do.'
        : 'This user has no refresh tokens or sessions: there is nothing to sign out of.',
    );
  }
  ctx.forgetDeviceNames();
  const tokenIds = data.tokens.map((t) => t.id);
  const sessionIds = data.sessions.map((s) => s.id);
  const done: string[] = [];
  try {
    if (blocking) {
      await ctx.mgmt.blockUser(userId);
      done.push('blocked the user');
    }
    if (impact.truncated) await ctx.mgmt.revokeUserTokens(userId);
    else if (tokenIds.length > 0) await ctx.mgmt.revokeTokensByIds(tokenIds);
    if (tokenIds.length > 0) done.push(`revoked ${tokenIds.length} refresh tokens (ids: ${tokenIds.join(' ')})`);
    // Each previewed session by its id: exactly what the preview showed, not a session begun
    // since (DELETE /users/{id}/sessions would end those too). One already gone is done.
    for (const id of sessionIds)
      await ctx.mgmt.endSession(id).catch((err: { code?: string }) => {
        if (err?.code !== 'not_found') throw err;
      });
  } catch (err) {
    // The audit entry of a failure part-way says what was done before it.
    if (err instanceof BffError)
      err.extra.auditDetail = `user ${data.userEmail ?? userId}: ${done.length ? done.join('; ') : 'nothing was done'}; then failed: ${err.message}`;
    throw err;
  }
  return { impact, tokenIds, sessionIds, blocked: blocking, userEmail: data.userEmail };
}
