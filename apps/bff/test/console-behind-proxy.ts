import { serve, type ServerType } from '@hono/node-server';
import { allowConsoleOrigin } from '@rtc/stack';
import { signIn, type StaffClient, type TestStack } from '@rtc/testkit';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createBff, type Bff } from '../src/bff.ts';
import type { BffConfig } from '../src/config.ts';

const listen = (fetch: (req: Request) => Response | Promise<Response>) =>
  new Promise<ServerType>((done) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => done(server));
  });
const close = (server: ServerType) => new Promise((done) => server.close(done));
const urlOf = (server: ServerType) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/**
 * A second BFF whose Management API goes through a real HTTP proxy in front of the test
 * stack's tenant. The proxy records every request (`METHOD /path`) in `seen`; `intercept` may
 * answer a request itself (a tenant without some route), otherwise it is forwarded.
 */
export async function consoleBehindProxy(
  stack: TestStack,
  name: string,
  intercept: (req: Request, url: URL) => Response | undefined | Promise<Response | undefined> = () => undefined,
  /** Configuration of this BFF beyond the stack's (a smaller search limit, say). */
  config: Partial<BffConfig> = {},
): Promise<{
  support: StaffClient;
  signIn(role: 'viewer' | 'admin'): Promise<StaffClient>;
  seen: string[];
  stop(): Promise<void>;
}> {
  const seen: string[] = [];
  const proxy = await listen(async (req) => {
    const url = new URL(req.url);
    seen.push(`${req.method} ${url.pathname}`);
    const answer = await intercept(req, url);
    if (answer) return answer;
    const headers = new Headers(req.headers);
    headers.delete('host');
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await req.arrayBuffer();
    const res = await fetch(new URL(url.pathname + url.search, stack.tenantUrl), {
      method: req.method,
      headers,
      ...(body ? { body } : {}),
      redirect: 'manual',
    });
    const out = new Headers(res.headers);
    out.delete('content-encoding');
    out.delete('content-length');
    return new Response(res.status === 204 ? null : await res.arrayBuffer(), { status: res.status, headers: out });
  });
  // The BFF listens first so its public URL (the sign-in callback) is known.
  let bff: Bff | undefined;
  const http = await listen((req) => (bff ? bff.app.fetch(req) : new Response('starting', { status: 503 })));
  const bffUrl = `http://localhost:${(http.address() as AddressInfo).port}`;
  await allowConsoleOrigin(stack.tenant.deps.store, bffUrl);
  const base = stack.bff.deps.config;
  bff = await createBff(
    {
      ...base,
      ...config,
      publicUrl: bffUrl,
      dataDir: join(stack.dataDir, `bff-${name}`),
      staticDir: null,
      management: { ...base.management, baseUrl: `${urlOf(proxy)}/api/v2` },
    },
    { logger: { info() {}, warn() {}, error() {} } },
  );
  const support = await signIn({ ...stack, bff, bffUrl }, 'support');
  return {
    support,
    signIn: (role) => signIn({ ...stack, bff: bff!, bffUrl }, role),
    seen,
    async stop() {
      await Promise.all([close(http), close(proxy)]);
      await bff!.close();
    },
  };
}
