import { asnOf } from '@rtc/ip-intel';
import { ManagementError } from 'auth0';
import { ClientGrantsClient } from 'auth0/clientGrants';
import { ClientsClient } from 'auth0/clients';
import { DeviceCredentialsClient } from 'auth0/deviceCredentials';
import { RefreshTokensClient } from 'auth0/refreshTokens';
import { ResourceServersClient } from 'auth0/resourceServers';
import { SessionsClient } from 'auth0/sessions';
import { SettingsClient } from 'auth0/tenants/settings';
import { UserGrantsClient } from 'auth0/userGrants';
import { UsersClient } from 'auth0/users';
import { RefreshTokenClient as UserRefreshTokensClient } from 'auth0/users/refreshToken';
import { SessionsClient as UserSessionsClient } from 'auth0/users/sessions';
import { mintRefreshToken } from '../../src/domain/refresh-tokens.ts';
import type { NewRefreshToken } from '../../src/domain/model.ts';
import { API, testTenant, type TestTenant } from '../fixtures.ts';
import { serveApp } from '../server.ts';

/** The official SDK's resource clients, pointed at the tenant over HTTP with `token`. */
export function sdk(baseUrl: string, token: string) {
  const options = { baseUrl, token, maxRetries: 0 };
  return {
    refreshTokens: new RefreshTokensClient(options),
    userRefreshTokens: new UserRefreshTokensClient(options),
    deviceCredentials: new DeviceCredentialsClient(options),
    grants: new UserGrantsClient(options),
    sessions: new SessionsClient(options),
    userSessions: new UserSessionsClient(options),
    users: new UsersClient(options),
    clients: new ClientsClient(options),
    clientGrants: new ClientGrantsClient(options),
    resourceServers: new ResourceServersClient(options),
    settings: new SettingsClient(options),
  };
}

export interface ManagementHarness extends TestTenant {
  baseUrl: string;
  token: string;
  api: ReturnType<typeof sdk>;
  /** Raw HTTP to the Management API, for wire-level assertions. */
  raw(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  /** Issues `count` live tokens directly in the store (fast), returning their ids. */
  seedTokens(
    count: number,
    opts?: { user_id?: string; client_id?: string; device_name?: string; audience?: string },
  ): Promise<string[]>;
  stop(): Promise<void>;
}

export async function managementHarness(config: Parameters<typeof testTenant>[0] = {}): Promise<ManagementHarness> {
  const t = await testTenant(config);
  const server = await serveApp(t.tenant.app.fetch);
  const baseUrl = `${server.url}/api/v2`;
  const token = await t.managementToken();
  return {
    ...t,
    baseUrl,
    token,
    api: sdk(baseUrl, token),
    raw: (path, init = {}) => {
      const { token: override, ...rest } = init;
      const auth: Record<string, string> = override === null ? {} : { authorization: `Bearer ${override ?? token}` };
      return fetch(`${baseUrl}${path}`, { ...rest, headers: { ...auth, ...(rest.headers as Record<string, string>) } });
    },
    async seedTokens(count, opts = {}) {
      const client = (await t.store.directory.getClient(opts.client_id ?? 'mobile'))!;
      const records: NewRefreshToken[] = [];
      for (let i = 0; i < count; i++) {
        const audience = opts.audience ?? API;
        records.push(
          mintRefreshToken({
            client,
            user_id: opts.user_id ?? t.alice.user_id,
            grant_id: null,
            session_id: null,
            device_name: opts.device_name ?? `device ${i % 3}`,
            audience,
            scope: ['openid', 'offline_access'],
            resource_servers: [{ audience, scopes: 'openid offline_access' }],
            device: {
              initial_ip: '9.9.9.9',
              initial_asn: asnOf('9.9.9.9'),
              initial_user_agent: 'test',
              last_ip: '9.9.9.9',
              last_asn: asnOf('9.9.9.9'),
              last_user_agent: 'test',
            },
            now: t.clock.now() + i,
          }).record,
        );
      }
      await t.store.bulkImport({ users: [], grants: [], tokens: records });
      return records.map((r) => r.id);
    },
    async stop() {
      await server.close();
      await t.close();
    },
  };
}

/** The HTTP status an SDK call failed with, or 'ok'. */
export const status = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (err: unknown) => (err instanceof ManagementError ? err.statusCode : err),
  );

/** client_credentials at the token endpoint, with the secret in the body. */
export const clientCredentials = (
  h: ManagementHarness,
  clientId: string,
  secret: string,
  audience = API,
  scope?: string,
) =>
  h.post('/oauth/token', {
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: secret,
    audience,
    ...(scope ? { scope } : {}),
  });
