import {
  LeakedSecretBody,
  type ApplicationImpact,
  type LeakedSecretImpact,
  type LeakedSecretResult,
} from '@rtc/contracts';
import { endpoints } from '@rtc/contracts/endpoints';
import { Hono } from 'hono';
import type { BffDeps } from '../deps.ts';
import type { BffEnv } from '../env.ts';
import { BffError, badRequest } from '../errors.ts';
import type { ApplicationsGateway } from '../management/applications.ts';
import { requirePermission } from '../middleware/session.ts';
import { ApplicationImpactChanged, describe, refuseChanged } from './application-binding.ts';
import { auditedWithId, recordRead } from './audited.ts';
import { reply } from './contract.ts';
import { body, pathId } from './validate.ts';
import { checkRecentSignIn } from '../session/step-up.ts';

/** Said when the console's own Management API client is the one leaked: the console cannot rotate the key it runs on. */
export const MANAGEMENT_CLIENT_ROTATION =
  "This is the console's own Management API application: rotating its secret from here would " +
  'cut the console off from the tenant at once. Rotate it at the tenant (Auth0 Dashboard, or ' +
  'POST /api/v2/clients/{id}/rotate-secret), then set MANAGEMENT_CLIENT_SECRET and restart ' +
  'the console.';

/**
 * Whether the console's Management API token carries `update:client_keys`, read from its own
 * token's `scope` claim (Auth0's and the embedded tenant's are JWTs that list it): false only
 * when the claim is there and lacks it, so a token that does not say is not refused.
 */
async function tokenMayRotate(deps: BffDeps): Promise<boolean> {
  const payload = (await deps.tokens.get()).split('.')[1];
  if (!payload) return true;
  try {
    const { scope } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { scope?: unknown };
    return typeof scope !== 'string' || scope.split(' ').includes('update:client_keys');
  } catch {
    return true;
  }
}

/**
 * A leaked application secret, one guided flow for admins: every refresh token of
 * the application revoked (the tenant's POST /api/v2/clients/{id}/refresh-tokens/revoke, bound
 * to the preview as "Revoke all tokens" is) and its secret rotated (Auth0's POST
 * /api/v2/clients/{id}/rotate-secret), in that order, every refusal before the first write.
 * The new secret is in the answer only (the BFF answers /api with no-store): never audited,
 * never logged. A public client has no secret: only the revocation is offered.
 */
export function leakedSecretRoutes(
  deps: BffDeps,
  apps: ApplicationsGateway,
  preview: (clientId: string) => Promise<ApplicationImpact>,
) {
  const consoleClient = (clientId: string): LeakedSecretImpact['console_client'] =>
    clientId === deps.config.oidc.clientId
      ? 'sign_in'
      : clientId === deps.config.management.clientId
        ? 'management'
        : null;
  const leakPreview = async (clientId: string): Promise<LeakedSecretImpact> => {
    const impact = await preview(clientId);
    return {
      ...impact,
      has_secret: await deps.mgmt.hasClientSecret(clientId),
      console_client: consoleClient(clientId),
    };
  };

  return new Hono<BffEnv>()
    .on(
      endpoints.leakedSecretImpact.method,
      endpoints.leakedSecretImpact.path,
      requirePermission('manageApplications'),
      async (c) => {
        const impact = await leakPreview(pathId(c.req.param('clientId')));
        await recordRead(c, deps, {
          action: 'application.preview_revoke',
          target: `all refresh tokens of application "${impact.name}" (${impact.client_id}), and its secret`,
          target_user_id: null,
          detail: `leaked secret: would revoke ${describe(impact.counts)}${
            impact.has_secret ? ' and rotate the secret' : ' (a public client: no secret to rotate)'
          }`,
        });
        return reply(c, endpoints.leakedSecretImpact, impact);
      },
    )
    .on(
      endpoints.leakedSecret.method,
      endpoints.leakedSecret.path,
      requirePermission('manageApplications'),
      body(LeakedSecretBody),
      async (c) => {
        const clientId = pathId(c.req.param('clientId'));
        const { confirm_name, expected, rotate } = c.req.valid('json');
        let secret: string | null = null;
        try {
          const { value, auditId } = await auditedWithId(
            c,
            deps,
            { action: 'application.leaked_secret', target: `application ${clientId}`, target_user_id: null },
            async () => {
              // Revoking every token of an application is one of the biggest actions, however it is asked for.
              checkRecentSignIn(c, deps, 'Revoking every token of an application');
              const impact = await leakPreview(clientId);
              const target = `application "${impact.name}" (${clientId}): its refresh tokens${rotate ? ' and its secret' : ''}`;
              // Every refusal before the first write: the name typed, what may be rotated, the binding.
              if (confirm_name.trim() !== impact.name)
                throw badRequest(`Type the application's name, "${impact.name}", to confirm.`, {
                  confirm_name: 'does not match the application name',
                });
              if (rotate && !impact.has_secret)
                throw badRequest(
                  `${impact.name} is a public client: it has no secret to rotate. Revoke its tokens only.`,
                  { rotate: 'the application has no secret' },
                );
              if (rotate && impact.console_client === 'management')
                throw badRequest(MANAGEMENT_CLIENT_ROTATION, {
                  rotate: "the console's own Management API application",
                });
              // Checked before the revocation: a rotation the tenant would refuse must not leave the tokens revoked and the secret as it was.
              if (rotate && !(await tokenMayRotate(deps))) {
                throw new BffError(
                  502,
                  'management_forbidden',
                  "The console's machine-to-machine application lacks update:client_keys, needed to rotate a " +
                    "secret. Grant it in the tenant's APIs settings; nothing was revoked or rotated.",
                );
              }
              if (!rotate && impact.counts.tokens === 0)
                throw new BffError(
                  400,
                  'nothing_to_revoke',
                  `${impact.name} holds no live refresh token now, and rotating its secret was not asked: there is nothing to do.`,
                );
              refuseChanged(expected, impact);
              // Bound to the preview: the tenant covers no token issued after its newest (none previewed: none to revoke).
              if (impact.counts.tokens > 0) await apps.revokeAll(clientId, impact.issued_through);
              if (rotate) {
                try {
                  secret = await deps.mgmt.rotateClientSecret(clientId);
                } catch (err) {
                  const message =
                    `Revoked ${describe(impact.counts)}, but the secret was not rotated: ` +
                    `${(err as Error).message} Rotate it again from here (the tokens are gone already) or at ` +
                    `the tenant.`;
                  throw new BffError(
                    err instanceof BffError && err.status === 503 ? 503 : 502,
                    'partially_done',
                    message,
                    {
                      ...(err instanceof BffError && err.extra.retryAfter !== undefined
                        ? { retryAfter: err.extra.retryAfter }
                        : {}),
                      auditDetail:
                        `leaked secret: revoked ${describe(impact.counts)} (application-wide); rotating the secret ` +
                        `failed: ${(err as Error).message}`,
                    },
                  );
                }
              }
              const users = impact.first_users.map((u) => u.email ?? u.user_id).join(', ');
              // The secret itself never: the entry says that it was rotated, not to what.
              const secretWords = rotate
                ? 'rotated the secret (the old one is refused from now on; the new one was shown once to the admin)'
                : impact.has_secret
                  ? 'did not rotate the secret'
                  : 'a public client: no secret to rotate';
              const signInWords =
                impact.console_client === 'sign_in'
                  ? "; the console's own sign-in application: every staff member is signed out at their session's " +
                    'next check'
                  : '';
              return {
                value: impact,
                target,
                detail:
                  `leaked secret: matched ${describe(impact.counts)}; revoked all of them (application-wide, ` +
                  `in force at once); ${secretWords}${signInWords}${users ? `; first users affected: ${users}` : ''}`,
              };
            },
          );
          const result: LeakedSecretResult = {
            client_id: clientId,
            name: value.name,
            revoked: value.counts,
            rotated: secret !== null,
            client_secret: secret,
            audit_id: auditId,
          };
          return reply(c, endpoints.leakedSecret, result, { 'Cache-Control': 'no-store' });
        } catch (err) {
          if (!(err instanceof ApplicationImpactChanged)) throw err;
          return c.json(
            {
              error: {
                code: err.code,
                message: err.message,
                request_id: c.get('requestId'),
                application_impact: err.impact,
                changes: err.changes,
              },
            },
            409,
          );
        }
      },
    );
}
