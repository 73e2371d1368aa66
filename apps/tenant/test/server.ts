import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createTenant, type TenantConfig, type Tenant } from '../src/tenant.ts';

/**
 * Starts a tenant on a free port of 127.0.0.1; the issuer is known only after listening.
 * `issuerHost: 'localhost'` names it `http://localhost:<port>/` (a browser treats localhost as
 * a secure context, and auth0-spa-js takes its domain's origin as the issuer); it still listens
 * on 127.0.0.1, where localhost resolves.
 */
export async function listeningTenant(
  config: Omit<TenantConfig, 'issuer'>,
  { issuerHost = '127.0.0.1' }: { issuerHost?: '127.0.0.1' | 'localhost' } = {},
): Promise<{ tenant: Tenant; url: string; close(): Promise<void> }> {
  // Bind first to learn the port, then create the tenant with the matching issuer.
  const probe = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: () => new Response(null), port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const url = `http://${issuerHost}:${port}/`;
  const tenant = await createTenant({ ...config, issuer: url });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: tenant.app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return {
    tenant,
    url,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await tenant.close();
    },
  };
}

/** Serves an app (in-process tenant) on a free port of 127.0.0.1 over real HTTP. */
export async function serveApp(
  fetch: (req: Request) => Response | Promise<Response>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
