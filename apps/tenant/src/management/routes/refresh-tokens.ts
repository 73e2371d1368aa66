import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { TenantDeps } from '../../deps.ts';
import { isLive } from '../../domain/liveness.ts';
import { planRevocation } from '../../domain/revocation-plan.ts';
import { badRequest, notFound } from '../../errors/management-error.ts';
import { logApiOperation } from '../api-log.ts';
import { requireScope, type ManagementEnv } from '../authorize-request.ts';
import { refreshTokenBody } from '../serializers.ts';
import { checkpointPaging, fieldSelection, json, pathId, query, schemas, selectFields } from '../validation.ts';

/** Metadata: string values of at most 255 characters, at most 25 keys (Auth0's Management API reference). */
export const refreshTokenMetadata = z
  .record(z.string().min(1).max(255), z.string().max(255, 'Metadata values must be at most 255 characters'))
  .refine((m) => Object.keys(m).length <= 25, 'At most 25 metadata properties are allowed');

/**
 * Auth0's RevokeRefreshTokensRequestContent (SDK v7): `ids`, or `user_id` optionally narrowed by
 * `client_id`, then by `audience`. `client_id` "must be paired with user_id": an integration
 * that sends it alone gets Auth0's 400 here too, never an application-wide revocation (that is
 * the tenant's own route, POST /clients/{id}/refresh-tokens/revoke).
 */
const revokeBody = z
  .object({
    ids: z.array(schemas.id).min(1).max(100).optional(),
    user_id: schemas.id.optional(),
    client_id: schemas.id.optional(),
    audience: z.string().min(1).max(600).optional(),
  })
  .strict()
  .refine((b) => (b.ids !== undefined) !== (b.user_id !== undefined), 'Provide either ids or user_id')
  .refine(
    (b) => b.ids === undefined || (b.client_id === undefined && b.audience === undefined),
    'client_id and audience go with user_id, not ids',
  )
  .refine((b) => b.client_id === undefined || b.user_id !== undefined, 'client_id must be paired with user_id')
  .refine(
    (b) => b.audience === undefined || (b.user_id !== undefined && b.client_id !== undefined),
    'audience must be used with both user_id and client_id',
  );

/** /api/v2/refresh-tokens */
export function refreshTokenRoutes(deps: TenantDeps) {
  const { store, clock } = deps;
  const find = async (id: string) => {
    const token = await store.refreshTokens.getRefreshToken(pathId(id));
    // A revoked or expired token no longer exists as far as the API is concerned.
    if (!token || !isLive(token, clock.now())) {
      throw notFound('The refresh token does not exist.', 'refresh_token_not_found');
    }
    return token;
  };

  /** One `sapi` entry per user whose tokens a request revoked, naming each token. */
  const logRevokedByUser = async (revokedIds: string[], c: Context<ManagementEnv>) => {
    const tokens = (await Promise.all(revokedIds.map((id) => store.refreshTokens.getRefreshToken(id)))).filter(
      (t) => t !== undefined,
    );
    const byUser = new Map<string, typeof tokens>();
    for (const t of tokens) byUser.set(t.user_id, [...(byUser.get(t.user_id) ?? []), t]);
    for (const [user_id, own] of byUser) {
      await logApiOperation(deps, c, {
        description: own.length === 1 ? 'Revoke a refresh token' : `Revoke ${own.length} refresh tokens`,
        user_id,
        refresh_token_id: own.length === 1 ? own[0]!.id : null,
        details: {
          refresh_token_ids: own.map((t) => t.id),
          client_id: own[0]!.client_id,
          ...(own.length === 1 ? { device_name: own[0]!.device_name } : {}),
        },
      });
    }
  };

  return new Hono<ManagementEnv>()
    .get(
      '/',
      requireScope('read:refresh_tokens'),
      query(
        z.object({ user_id: schemas.id, client_id: schemas.id.optional(), ...checkpointPaging, ...fieldSelection }),
      ),
      async (c) => {
        const q = c.req.valid('query');
        const page = await store.refreshTokens.listRefreshTokenSummaries(
          { user_id: q.user_id, client_id: q.client_id },
          clock.now(),
          q.from,
          q.take ?? 50,
        );
        return c.json({
          refresh_tokens: page.items.map((t) => selectFields(refreshTokenBody(t), q.fields, q.include_fields ?? true)),
          ...(page.next ? { next: page.next } : {}),
        });
      },
    )
    .post('/revoke', requireScope('delete:refresh_tokens'), json(revokeBody), async (c) => {
      const body = c.req.valid('json');
      // Known ids are marked revoked in one transaction (group-committed with concurrent
      // revocations): in force and off the listings at once, with nothing left for the
      // background worker. Auth0 answers 202 and converges later; we converge before it.
      // A user's tokens are journaled: in force at once, their rows marked in the background.
      const plan = body.ids
        ? planRevocation({ kind: 'tokens', ids: body.ids }, 'refresh_tokens_revoked', null)
        : planRevocation(
            {
              kind: 'user',
              user_id: body.user_id!,
              ...(body.client_id ? { client_id: body.client_id } : {}),
              ...(body.audience ? { audience: body.audience } : {}),
            },
            'user_tokens_revoked',
            null,
          );
      const applied = await store.revocations.applyRevocationPlan(plan, clock.now());
      if (plan.journal.length > 0) deps.revocations.kick();
      if (body.ids) await logRevokedByUser(applied.revokedTokenIds, c);
      return c.body(null, 202);
    })
    .get('/:id', requireScope('read:refresh_tokens'), async (c) =>
      c.json(refreshTokenBody(await find(c.req.param('id')))),
    )
    .delete('/:id', requireScope('delete:refresh_tokens'), async (c) => {
      // Auth0 answers 202 whether or not the token exists: revocation is asynchronous
      // (Auth0's 'Manage Refresh Tokens with Auth0 Management API' page). Journaled, it is refused
      // and unlisted at once; its row is marked after.
      const tokenId = pathId(c.req.param('id'));
      const token = await store.refreshTokens.getRefreshToken(tokenId);
      await store.revocations.applyRevocationPlan(
        planRevocation({ kind: 'tokens', ids: [tokenId] }, 'refresh_token_deleted', null),
        clock.now(),
      );
      deps.revocations.kick();
      if (token && token.revoked_at === null) {
        await logApiOperation(deps, c, {
          description: 'Delete a refresh token',
          user_id: token.user_id,
          refresh_token_id: token.id,
          details: { client_id: token.client_id, device_name: token.device_name },
        });
      }
      return c.body(null, 202);
    })
    .patch(
      '/:id',
      requireScope('update:refresh_tokens'),
      json(z.object({ refresh_token_metadata: refreshTokenMetadata.nullable().optional() }).strict()),
      async (c) => {
        const token = await find(c.req.param('id'));
        const { refresh_token_metadata } = c.req.valid('json');
        if (refresh_token_metadata === undefined) throw badRequest('Payload validation error: nothing to update.');
        const updated = await store.refreshTokens.updateRefreshTokenMetadata(token.id, refresh_token_metadata ?? {});
        return c.json(refreshTokenBody(updated!));
      },
    );
}
