import { UpdateTenantSettings, type TenantSettings } from '@rtc/contracts';
import { endpoints } from '@rtc/contracts/endpoints';
import { Hono } from 'hono';
import type { BffDeps } from '../deps.ts';
import type { BffEnv } from '../env.ts';
import { requirePermission } from '../middleware/session.ts';
import { checkRecentSignIn } from '../session/step-up.ts';
import { audited } from './audited.ts';
import { reply } from './contract.ts';
import { body } from './validate.ts';

/** /api/settings: "Refresh Token Revocation Deletes Grant" (Tenant Settings > Advanced). */
export function settingsRoutes(deps: BffDeps) {
  return new Hono<BffEnv>()
    .on(endpoints.settings.method, endpoints.settings.path, requirePermission('read'), async (c) => {
      const settings = await deps.mgmt.getSettings();
      const result: TenantSettings = {
        revoke_refresh_token_grant: settings.flags?.revoke_refresh_token_grant ?? false,
      };
      return reply(c, endpoints.settings, result);
    })
    .on(
      endpoints.updateSettings.method,
      endpoints.updateSettings.path,
      requirePermission('changeSettings'),
      body(UpdateTenantSettings),
      async (c) => {
        const { revoke_refresh_token_grant } = c.req.valid('json');
        const result = await audited<TenantSettings>(
          c,
          deps,
          { action: 'settings.update', target: 'Refresh Token Revocation Deletes Grant', target_user_id: null },
          async () => {
            checkRecentSignIn(c, deps, 'Changing a tenant setting');
            const before = (await deps.mgmt.getSettings()).flags?.revoke_refresh_token_grant ?? false;
            const updated = await deps.mgmt.setRevokeDeletesGrant(revoke_refresh_token_grant);
            const now = updated.flags?.revoke_refresh_token_grant ?? false;
            return {
              value: { revoke_refresh_token_grant: now },
              detail: `Refresh Token Revocation Deletes Grant: ${before ? 'on' : 'off'} -> ${now ? 'on' : 'off'}`,
            };
          },
        );
        return reply(c, endpoints.updateSettings, result);
      },
    );
}
