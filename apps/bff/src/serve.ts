import { serve as listen } from '@hono/node-server';
import { createBff } from './bff.ts';
import { readConfig } from './config.ts';
import { DASHBOARD_DIST } from './dashboard-dist.ts';

/**
 * The BFF alone, against the tenant its environment names (a real Auth0 tenant, or
 * `npm run tenant`): the variables of "Pointing it at a real Auth0 tenant" in the README.
 */
export async function serveBff(env: Record<string, string | undefined>): Promise<{ close(): Promise<void> }> {
  const port = Number(env.BFF_PORT ?? 4000);
  const config = readConfig(env, { staticDir: env.BFF_STATIC_DIR ?? DASHBOARD_DIST });
  const bff = await createBff(config);
  const server = listen({ fetch: bff.app.fetch, port, hostname: env.BFF_HOST ?? '127.0.0.1' }, () =>
    console.error(`Refresh Token Console: ${config.publicUrl}  (tenant ${config.management.baseUrl})`),
  );
  return {
    async close() {
      server.close();
      await bff.close();
    },
  };
}
