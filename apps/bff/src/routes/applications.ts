import {
  RevokeApplicationTokensBody,
  type ApplicationImpact,
  type ApplicationList,
  type ApplicationRevokeResult,
  type TokenCounts,
} from '@rtc/contracts';
import { endpoints } from '@rtc/contracts/endpoints';
import { Hono } from 'hono';
import type { BffDeps } from '../deps.ts';
import type { BffEnv } from '../env.ts';
import { BffError, badRequest, notFound } from '../errors.ts';
import { ApplicationsGateway, COUNTS_UNAVAILABLE } from '../management/applications.ts';
import { rateLimitedFetch } from '../management/rate-limited-fetch.ts';
import { requirePermission } from '../middleware/session.ts';
import { ApplicationImpactChanged, describe, refuseChanged } from './application-binding.ts';
import { checkRecentSignIn } from '../session/step-up.ts';
import { auditedWithId, recordRead } from './audited.ts';
import { leakedSecretRoutes } from './leaked-secret.ts';
import { reply } from './contract.ts';
import { body, pathId } from './validate.ts';

const ZERO: TokenCounts = { tokens: 0, users: 0, devices: 0 };

/**
 * /api/applications (admin only): each application with its live refresh-token,
 * user and device counts, and "Revoke all tokens of this application" behind a binding
 * preview (the counts previewed must still hold, else 409 with the new preview) and the
 * application's name typed in. Counts come from the embedded tenant's summary extension; a
 * tenant without it (a real Auth0 tenant) gets the list with `counts_unavailable` instead.
 */
export function applicationRoutes(deps: BffDeps) {
  const fetchImpl = rateLimitedFetch({ ...deps.config.rateLimit });
  const apps = new ApplicationsGateway(deps.config.management.baseUrl, deps.tokens, fetchImpl);

  const preview = async (clientId: string): Promise<ApplicationImpact> => {
    // An application unknown to the cached names may be a minute old: read them again before a 404.
    const name =
      (await deps.mgmt.names()).clients.get(clientId) ?? (await deps.mgmt.names({ fresh: true })).clients.get(clientId);
    if (name === undefined) throw notFound('There is no such application in this tenant.');
    const summary = await apps.summary(clientId);
    if (!summary) throw new BffError(501, 'counts_unavailable', COUNTS_UNAVAILABLE);
    const counts = summary.applications.find((a) => a.client_id === clientId);
    const first_users = await Promise.all(
      summary.users.map(async (u) => {
        const user = await deps.mgmt.getUser(u.user_id).catch(() => undefined);
        return { user_id: u.user_id, email: typeof user?.email === 'string' ? user.email : null, tokens: u.tokens };
      }),
    );
    return {
      client_id: clientId,
      name,
      counts: counts ? { tokens: counts.tokens, users: counts.users, devices: counts.devices } : ZERO,
      first_users,
      issued_through: counts?.issued_through ?? null,
    };
  };

  return new Hono<BffEnv>()
    .on(
      endpoints.applications.method,
      endpoints.applications.path,
      requirePermission('manageApplications'),
      async (c) => {
        const [{ clients }, summary] = await Promise.all([deps.mgmt.names({ fresh: true }), apps.summary()]);
        const countsOf = new Map(
          summary?.applications.map((a) => [a.client_id, { tokens: a.tokens, users: a.users, devices: a.devices }]),
        );
        // A tenant whose summary has no `bound` (it does not count DPoP bindings) does not say: null, not 0.
        const boundOf = new Map(
          summary?.applications.map((a) => [a.client_id, typeof a.bound === 'number' ? a.bound : null]),
        );
        const saysBound = summary?.applications.every((a) => typeof a.bound === 'number') ?? false;
        const result: ApplicationList = {
          applications: [...clients]
            .map(([client_id, name]) => ({
              client_id,
              name,
              counts: summary ? (countsOf.get(client_id) ?? ZERO) : null,
              bound: saysBound ? (boundOf.get(client_id) ?? 0) : null,
            }))
            .sort((a, b) => a.name.localeCompare(b.name) || a.client_id.localeCompare(b.client_id)),
          counts_unavailable: summary ? null : COUNTS_UNAVAILABLE,
        };
        return reply(c, endpoints.applications, result);
      },
    )
    .on(
      endpoints.applicationImpact.method,
      endpoints.applicationImpact.path,
      requirePermission('manageApplications'),
      async (c) => {
        const impact = await preview(pathId(c.req.param('clientId')));
        await recordRead(c, deps, {
          action: 'application.preview_revoke',
          target: `all refresh tokens of application "${impact.name}" (${impact.client_id})`,
          target_user_id: null,
          detail: `would revoke ${describe(impact.counts)}`,
        });
        return reply(c, endpoints.applicationImpact, impact);
      },
    )
    .on(
      endpoints.revokeApplicationTokens.method,
      endpoints.revokeApplicationTokens.path,
      requirePermission('manageApplications'),
      body(RevokeApplicationTokensBody),
      async (c) => {
        const clientId = pathId(c.req.param('clientId'));
        const { confirm_name, expected } = c.req.valid('json');
        try {
          const { value, auditId } = await auditedWithId(
            c,
            deps,
            {
              action: 'application.revoke_all_tokens',
              target: `all refresh tokens of application ${clientId}`,
              target_user_id: null,
            },
            async () => {
              checkRecentSignIn(c, deps, 'Revoking every token of an application');
              const impact = await preview(clientId);
              const target = `all refresh tokens of application "${impact.name}" (${clientId})`;
              if (confirm_name.trim() !== impact.name)
                throw badRequest(`Type the application's name, "${impact.name}", to confirm.`, {
                  confirm_name: 'does not match the application name',
                });
              refuseChanged(expected, impact);
              // Bound to the preview: the tenant covers no token issued after its newest.
              await apps.revokeAll(clientId, impact.issued_through);
              const users = impact.first_users.map((u) => u.email ?? u.user_id).join(', ');
              return {
                value: impact,
                target,
                detail:
                  `matched ${describe(impact.counts)}; revoked all of them (application-wide, in force at ` +
                  `once)${users ? `; first users affected: ${users}` : ''}`,
              };
            },
          );
          const result: ApplicationRevokeResult = {
            client_id: clientId,
            name: value.name,
            revoked: value.counts,
            audit_id: auditId,
          };
          return reply(c, endpoints.revokeApplicationTokens, result);
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
    )
    .route('/', leakedSecretRoutes(deps, apps, preview));
}
