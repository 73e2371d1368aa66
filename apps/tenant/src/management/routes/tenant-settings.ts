import { Hono } from 'hono';
import { z } from 'zod';
import type { TenantDeps } from '../../deps.ts';
import { requireScope, type ManagementEnv } from '../authorize-request.ts';
import { tenantSettingsBody } from '../serializers.ts';
import { fieldSelection, json, query, selectFields } from '../validation.ts';

const settingsPatch = z
  .object({
    friendly_name: z.string().min(1).max(255).optional(),
    support_email: z.email().max(255).optional(),
    session_lifetime: z.number().min(1).max(8760).optional(),
    idle_session_lifetime: z.number().min(1).max(8760).optional(),
    flags: z
      .object({
        revoke_refresh_token_grant: z.boolean().optional(),
        allow_legacy_delegation_grant_types: z.boolean().optional(),
        // Not Auth0's: /oauth/token asks DPoP proofs for a server nonce.
        dpop_require_nonce: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** /api/v2/tenants/settings, including `flags.revoke_refresh_token_grant`. */
export function tenantSettingsRoutes(deps: TenantDeps) {
  return new Hono<ManagementEnv>()
    .get('/settings', requireScope('read:tenant_settings'), query(z.object(fieldSelection)), async (c) => {
      const q = c.req.valid('query');
      return c.json(
        selectFields(tenantSettingsBody(await deps.store.settings.getSettings()), q.fields, q.include_fields ?? true),
      );
    })
    .patch('/settings', requireScope('update:tenant_settings'), json(settingsPatch), async (c) => {
      const patch = c.req.valid('json');
      const updated = await deps.store.settings.updateSettings((current) => ({
        ...current,
        ...(patch.friendly_name !== undefined ? { friendly_name: patch.friendly_name } : {}),
        ...(patch.support_email !== undefined ? { support_email: patch.support_email } : {}),
        ...(patch.session_lifetime !== undefined ? { session_lifetime: patch.session_lifetime } : {}),
        ...(patch.idle_session_lifetime !== undefined ? { idle_session_lifetime: patch.idle_session_lifetime } : {}),
        flags: { ...current.flags, ...patch.flags },
      }));
      deps.logger.info('tenant settings updated', { caller: c.get('caller'), fields: Object.keys(patch) });
      return c.json(tenantSettingsBody(updated));
    });
}
