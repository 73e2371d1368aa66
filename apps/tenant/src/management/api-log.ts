import type { Context } from 'hono';
import type { TenantDeps } from '../deps.ts';
import { LOG_TYPES, tenantEvent } from '../domain/tenant-log.ts';
import { clientIp } from '@rtc/http-edge';
import type { ManagementEnv } from './authorize-request.ts';

/**
 * Logs a Management API request that revoked a user's tokens or ended their sessions, as
 * Auth0 logs API operations (`sapi`, the caller's client id), so the user's log says what
 * ended and when. The caller is the console's machine client: who on the staff asked is the
 * console's own audit log.
 */
export async function logApiOperation(
  deps: TenantDeps,
  c: Context<ManagementEnv>,
  operation: {
    description: string;
    user_id: string;
    refresh_token_id?: string | null;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  const principal = c.get('principal');
  const now = deps.clock.now();
  await deps.store.events.addEvent(
    tenantEvent(
      {
        type: LOG_TYPES.api,
        description: operation.description,
        user_id: operation.user_id,
        client_id: principal.kind === 'machine' ? principal.clientId : null,
        refresh_token_id: operation.refresh_token_id ?? null,
        ip: clientIp(c, deps.options.trustProxy),
        details: { request: { method: c.req.method, path: new URL(c.req.url).pathname }, ...operation.details },
      },
      now,
    ),
  );
}
