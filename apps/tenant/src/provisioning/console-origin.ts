import { DEMO } from '../demo/demo-data.ts';
import type { TenantStore } from '../store/types.ts';

/**
 * Lets a console served at `publicUrl` sign staff in with the demo tenant's dashboard client:
 * adds its callback and logout URLs (exact match is required) when they are missing.
 */
export async function allowConsoleOrigin(
  store: TenantStore,
  publicUrl: string,
  clientId: string = DEMO.clients.dashboard.client_id,
): Promise<void> {
  const client = await store.directory.getClient(clientId);
  if (!client) throw new Error(`The tenant has no client ${clientId}`);
  const callback = `${publicUrl}/auth/callback`;
  const logout = `${publicUrl}/`;
  if (client.callbacks.includes(callback) && client.allowed_logout_urls.includes(logout)) return;
  await store.directory.putClient({
    ...client,
    callbacks: [...new Set([...client.callbacks, callback])],
    allowed_logout_urls: [...new Set([...client.allowed_logout_urls, logout])],
  });
}
