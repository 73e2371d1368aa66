import type { ActionResult, ExpectedImpact, Impact } from '@rtc/contracts';
import { impactChanges } from '../domain/action-impact.ts';
import { UNNAMED_DEVICE } from '../domain/user-view.ts';
import { BffError } from '../errors.ts';
import type { ManagementGateway, MgmtUser } from '../management/gateway.ts';

/** How long a preview stays usable for its confirmation: a dialog is read, then confirmed. */
const KEPT_MS = 10 * 60_000;
/** At most this many previews kept: one per open unlink dialog, across every support person. */
const MAX_KEPT = 500;

/**
 * The unlink previews this process showed, so the confirmation need not reload every token of
 * the user to know what it confirms: the dialog sends back the ids it showed, which must be
 * exactly the kept preview's (the tenant then checks them against its own rows, in the
 * unlink's transaction). Each preview is taken once. A confirmation that finds none (another
 * instance showed it, or it is older) computes the preview again, as before.
 */
export class UnlinkPreviews {
  private readonly kept = new Map<string, { impact: Impact; at: number }>();

  constructor(private readonly now: () => number) {}

  private static key(userId: string, deviceName: string): string {
    return JSON.stringify([userId, deviceName]);
  }

  keep(userId: string, deviceName: string, impact: Impact): void {
    const key = UnlinkPreviews.key(userId, deviceName);
    this.kept.delete(key);
    this.kept.set(key, { impact, at: this.now() });
    // Oldest first, in insertion order.
    for (const oldest of this.kept.keys()) {
      if (this.kept.size <= MAX_KEPT) break;
      this.kept.delete(oldest);
    }
  }

  /** The preview of that unlink this process showed, if it is exactly what was confirmed and recent. */
  take(userId: string, deviceName: string, expected: ExpectedImpact): Impact | undefined {
    const key = UnlinkPreviews.key(userId, deviceName);
    const found = this.kept.get(key);
    this.kept.delete(key);
    if (!found || this.now() - found.at > KEPT_MS) return undefined;
    return impactChanges(expected, found.impact).length === 0 ? found.impact : undefined;
  }
}

/**
 * 409 with the new preview and what changed, unless `impact` is exactly what was confirmed.
 * `shown` runs before the 409: the dialog shows that preview next (an unlink keeps it, so
 * confirming it reloads nothing).
 */
export function refuseIfChanged(
  expected: ExpectedImpact | undefined,
  impact: Impact,
  shown: () => void = () => {},
): void {
  const changes = impactChanges(expected, impact);
  if (changes.length === 0) return;
  shown();
  const message = expected
    ? `What this would revoke changed since the preview: ${changes.join('; ')}. Nothing was revoked; check the new preview and confirm again.`
    : 'Nothing was revoked: confirm the preview of this action first.';
  throw new BffError(409, 'impact_changed', message, { impact, changes });
}

/** What the unlink did, as the user access service's `execute` answers it. */
export type UnlinkedDevice = { impact: Impact; result: Omit<ActionResult, 'audit_id'>; userEmail: string | null };

/** What an unlink through the tenant needs of the user access service. */
export interface UnlinkContext {
  mgmt: ManagementGateway;
  previews: UnlinkPreviews;
  /** The unlink's preview computed afresh (with the user read when `user`). */
  preview(user: boolean): Promise<{ impact: Impact; data: { user: MgmtUser | undefined } }>;
  forgetDeviceNames(): void;
}

/**
 * A confirmed unlink through the tenant's own route (POST /users/{id}/devices/unlink): the
 * preview this process showed, when it is what was confirmed, is not computed again; the user
 * is read (who may act on them, and the audit's email) and the tenant unlinks the device in
 * one transaction, checking the confirmed ids against its own rows and applying "Refresh
 * Token Revocation Deletes Grant" itself: two Management API calls, however many tokens the
 * device holds. Null when the tenant has no such route (a real Auth0 tenant: the caller then
 * unlinks with Auth0's routes, one credential or 100 ids a call), or when the tenant refused
 * what the console's own fresh preview still finds unchanged (the two then read the device
 * differently, and Auth0's routes act on exactly the previewed ids).
 */
export async function unlinkThroughTenant(
  ctx: UnlinkContext,
  userId: string,
  deviceName: string,
  expected: ExpectedImpact,
  mayActOn: (user: MgmtUser | undefined) => void,
): Promise<UnlinkedDevice | null> {
  let impact = ctx.previews.take(userId, deviceName, expected);
  let user: MgmtUser | undefined;
  if (impact) {
    user = await ctx.mgmt.getUser(userId).catch((err: { code?: string }) => {
      throw err?.code === 'not_found' ? new BffError(404, 'not_found', 'There is no such user in this tenant.') : err;
    });
    mayActOn(user);
  } else {
    // Not previewed here (another instance showed it, or long ago): the preview once more, bound as before.
    const fresh = await ctx.preview(true);
    ({ impact } = fresh);
    user = fresh.data.user;
    mayActOn(user);
    refuseIfChanged(expected, impact, () => ctx.previews.keep(userId, deviceName, fresh.impact));
  }
  // The tenant's route unlinks the tokens of one device name. It has nothing to match a token by
  // whose name is unknown (a real Auth0 tenant's) or empty (the tab's "Unnamed device", a name
  // of the console's own): Auth0's routes then revoke the previewed ids.
  if (
    deviceName === UNNAMED_DEVICE ||
    impact.tokens.some((t) => t.via === 'target' && (t.device_name === null || t.device_name === UNNAMED_DEVICE))
  )
    return null;
  ctx.forgetDeviceNames();
  const outcome = await ctx.mgmt.unlinkDevice(userId, deviceName, {
    token_ids: expected.token_ids,
    grant_ids: expected.grant_ids,
    revoke_refresh_token_grant: expected.setting_deletes_grant,
  });
  if (outcome === 'unsupported') return null;
  if (outcome === 'changed') {
    const now = (await ctx.preview(false)).impact;
    refuseIfChanged(expected, now, () => ctx.previews.keep(userId, deviceName, now));
    return null;
  }
  const result = {
    revoked_token_ids: [...outcome.revoked_tokens, ...outcome.revoked_with_grants],
    deleted_grant_ids: outcome.deleted_grants,
    ended_session_ids: [],
    impact,
  };
  return { impact, result, userEmail: typeof user?.email === 'string' ? user.email : null };
}
