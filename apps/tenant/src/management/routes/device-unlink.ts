import { Hono } from 'hono';
import { z } from 'zod';
import type { TenantDeps } from '../../deps.ts';
import { refreshTokenIdOfDeviceCredential } from '../../domain/ids.ts';
import type { RefreshTokenRecord } from '../../domain/model.ts';
import { planRevocation } from '../../domain/revocation-plan.ts';
import { ManagementError, notFound } from '../../errors/management-error.ts';
import type { RefreshTokenFilter } from '../../store/contract/refresh-tokens.ts';
import { logApiOperation } from '../api-log.ts';
import { requireScope, type ManagementEnv } from '../authorize-request.ts';
import { json, pathId, schemas } from '../validation.ts';

/**
 * At most this many ids in a binding preview, as the console's own preview caps them: about
 * what the request body limit (64 KB) holds, and ten times Auth0's 200 tokens per user and application.
 */
const MAX_EXPECTED_TOKENS = 2_000;

const body = z
  .object({
    device_name: z.string().min(1).max(255),
    /**
     * The preview the request is bound to: exactly the live tokens that go (the device's, and
     * with the flag on those of the grants they hold), the grants deleted, and the flag's value.
     * Anything else live or gone since refuses the unlink with 409 and writes nothing.
     */
    expected: z
      .object({
        token_ids: z.array(schemas.id).max(MAX_EXPECTED_TOKENS),
        grant_ids: z.array(schemas.id).max(MAX_EXPECTED_TOKENS),
        revoke_refresh_token_grant: z.boolean(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Reads every page of a live-token listing: a device holds at most a few thousand. */
async function allLive(deps: TenantDeps, filter: RefreshTokenFilter, now: number): Promise<RefreshTokenRecord[]> {
  const tokens: RefreshTokenRecord[] = [];
  let from: string | undefined;
  do {
    const page = await deps.store.refreshTokens.listRefreshTokens(filter, now, from, 1000);
    tokens.push(...page.items);
    from = page.next;
  } while (from !== undefined);
  return tokens;
}

const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((id) => b.has(id));

/**
 * POST /api/v2/users/{id}/devices/unlink: NOT an Auth0 endpoint. An extension of this embedded
 * tenant, under `delete:device_credentials`: every live refresh token of the user on one
 * device, unlinked in one request and one transaction, under the same rule as Auth0's DELETE
 * /device-credentials/{id} ("Refresh Token Revocation Deletes Grant" decides whether their
 * grants go). Auth0 deletes one credential a call and revokes at most 100 ids a call, so a
 * device of 1,000 tokens would take ten or more calls there; the console uses this route
 * when the tenant has it, and Auth0's routes otherwise.
 *
 * The device's tokens are marked revoked in the transaction rather than journaled: a device
 * holds at most a few thousand, the answer names each one anyway, and a marked row costs
 * /oauth/revoke and the token exchange nothing, where a journal entry stays in the
 * pending-revocation check every exchange makes until the worker has applied it. Their grants,
 * when the flag says so, are deleted in the same transaction and journal the revocation of
 * the tokens issued under them, as every grant deletion does.
 *
 * Answers 200 `{ user_id, device_name, revoked_tokens, revoked_with_grants, deleted_grants }`
 * (ids); 404 `inexistent_user`, 404 `inexistent_device` (no live token on that device); 409
 * `device_changed` when `expected` no longer holds (nothing is written).
 */
export function deviceUnlinkRoutes(deps: TenantDeps) {
  const { store, clock } = deps;
  return new Hono<ManagementEnv>().post(
    '/:id/devices/unlink',
    requireScope('delete:device_credentials'),
    json(body),
    async (c) => {
      const userId = pathId(c.req.param('id'));
      const { device_name, expected } = c.req.valid('json');
      if (!(await store.directory.getUser(userId))) throw notFound('The user does not exist.', 'inexistent_user');
      const now = clock.now();
      const settings = await store.settings.getSettings();
      const tokens = await allLive(deps, { user_id: userId, device_name }, now);
      if (tokens.length === 0)
        throw notFound('The user has no live refresh token on this device.', 'inexistent_device');
      const plan = planRevocation({ kind: 'device', tokens }, 'device_unlinked', settings);
      // The tokens that go with the grants: read for the binding check and the answer, revoked by the grants' journal entries.
      const onDevice = new Set(plan.tokenIds);
      const underGrants = await Promise.all(
        plan.grantIds.map((grant_id) => allLive(deps, { user_id: userId, grant_id }, now)),
      );
      const withGrants = underGrants.flat().filter((t) => !onDevice.has(t.id));
      const withGrantIds = [...new Set(withGrants.map((t) => t.id))];
      const changed = () =>
        new ManagementError(
          409,
          'The device changed since the preview: a token was issued or revoked, a grant went, or the revocation setting changed. Nothing was revoked.',
          'device_changed',
        );
      if (expected) {
        const expectedTokens = new Set(expected.token_ids.map((id) => refreshTokenIdOfDeviceCredential(id) ?? id));
        if (expected.revoke_refresh_token_grant !== settings.flags.revoke_refresh_token_grant) throw changed();
        if (!sameSet(expectedTokens, new Set([...plan.tokenIds, ...withGrantIds]))) throw changed();
        if (!sameSet(new Set(expected.grant_ids), new Set(plan.grantIds))) throw changed();
      }
      // One transaction, refused whole if any of the device's tokens was revoked since it was read.
      const applied = await store.revocations.applyRevocationPlan(plan, now);
      if (!applied.applied) throw changed();
      if (applied.deletedGrantIds.length > 0) deps.revocations.kick();
      // Logged as the bulk revocation by ids logs (the History joins it to the staff's audit entry by these ids).
      const revoked = applied.revokedTokenIds;
      const revokedSet = new Set(revoked);
      const clients = new Set(tokens.filter((t) => revokedSet.has(t.id)).map((t) => t.client_id));
      await logApiOperation(deps, c, {
        description: revoked.length === 1 ? 'Revoke a refresh token' : `Revoke ${revoked.length} refresh tokens`,
        user_id: userId,
        refresh_token_id: revoked.length === 1 ? revoked[0]! : null,
        details: {
          refresh_token_ids: revoked,
          device_name,
          ...(clients.size === 1 ? { client_id: [...clients][0] } : {}),
          deleted_grants: applied.deletedGrantIds,
        },
      });
      return c.json({
        user_id: userId,
        device_name,
        revoked_tokens: applied.revokedTokenIds,
        revoked_with_grants: withGrantIds,
        deleted_grants: applied.deletedGrantIds,
      });
    },
  );
}
