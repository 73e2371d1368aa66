import { ManagementError } from 'auth0';
import { ClientsClient } from 'auth0/clients';
import { DeviceCredentialsClient } from 'auth0/deviceCredentials';
import { RefreshTokensClient } from 'auth0/refreshTokens';
import { ResourceServersClient } from 'auth0/resourceServers';
import { SessionsClient } from 'auth0/sessions';
import { SettingsClient } from 'auth0/tenants/settings';
import { UserGrantsClient } from 'auth0/userGrants';
import { UsersClient } from 'auth0/users';
import { LogsClient as UserLogsClient } from 'auth0/users/logs';
import { RefreshTokenClient as UserRefreshTokensClient } from 'auth0/users/refreshToken';
import { SessionsClient as UserSessionsClient } from 'auth0/users/sessions';
import { BffError } from '../errors.ts';
import { toBffError } from './management-error.ts';
import { ManagementHttp } from './management-http.ts';
import type { ManagementTokenProvider } from './token-provider.ts';

/** Wire types of the Management API, as the SDK types them. */
export type MgmtRefreshToken = Awaited<ReturnType<RefreshTokensClient['get']>>;
export type MgmtDeviceCredential = Awaited<ReturnType<DeviceCredentialsClient['list']>>['data'][number];
export type MgmtGrant = Awaited<ReturnType<UserGrantsClient['list']>>['data'][number];
export type MgmtSession = Awaited<ReturnType<UserSessionsClient['list']>>['data'][number];
export type MgmtUser = Awaited<ReturnType<UsersClient['get']>>;
export type MgmtLog = Awaited<ReturnType<UserLogsClient['list']>>['data'][number];
/** A device credential with the id of the refresh token it stands for, where the tenant tells (see tokenIdOfCredential). */
export type DeviceCredential = MgmtDeviceCredential & { token_id: string | null };

/**
 * The refresh token a device credential stands for, and the one place that knows how: the
 * embedded tenant names each credential `dcr_` + its token's id. A real Auth0 tenant's ids are
 * `dcr_...` too but name no token: the id read from one matches no loaded token, so there a
 * token's device name is unknown and its credential is previewed and deleted by its own id.
 */
export function tokenIdOfCredential(credentialId: string | undefined): string | null {
  return credentialId?.startsWith('dcr_') ? credentialId.slice('dcr_'.length) : null;
}

/** The binding preview of an unlink, as the embedded tenant's own route checks it. */
export type DeviceUnlinkExpected = { token_ids: string[]; grant_ids: string[]; revoke_refresh_token_grant: boolean };

/**
 * What the tenant's unlink route did: the ids revoked (the device's, and those of the grants
 * deleted with them); `changed` when the device is not as previewed (nothing was revoked);
 * `unsupported` on a tenant without the route (a real Auth0).
 */
export type DeviceUnlinkOutcome =
  | { revoked_tokens: string[]; revoked_with_grants: string[]; deleted_grants: string[] }
  | 'changed'
  | 'unsupported';

/** How many of one user's tokens the console loads at once (the Auth0 entity limit is 200 per application). */
export const MAX_TOKENS_LOADED = 10_000;

/** POST /api/v2/refresh-tokens/revoke takes at most this many ids per call. */
export const REVOKE_BATCH = 100;

/**
 * Every call the console makes to the Management API, through the official SDK's resource
 * clients, so the same code serves a real Auth0 tenant and the embedded one. SDK errors
 * become BffErrors a support person can act on.
 */
export class ManagementGateway {
  private readonly c;
  private nameCache: { at: number; clients: Map<string, string>; apis: Map<string, string> } | undefined;
  /** False once the tenant showed it has no bulk revocation endpoint (an older Management API). */
  private bulkRevoke = true;
  /** False once the tenant showed it has no device unlink route of its own (a real Auth0 tenant). */
  private deviceUnlinkRoute = true;
  private readonly http: ManagementHttp;

  constructor(
    baseUrl: string,
    private readonly tokens: ManagementTokenProvider,
    fetchImpl: typeof fetch,
    private readonly now: () => number = Date.now,
  ) {
    // The SDK's own retries are off: rateLimitedFetch owns the 429 policy, and a failed
    // DELETE is not retried behind the support person's back.
    const options = { baseUrl, token: () => tokens.get(), fetch: fetchImpl, maxRetries: 0, timeoutInSeconds: 30 };
    this.http = new ManagementHttp(baseUrl, tokens, fetchImpl);
    this.c = {
      users: new UsersClient(options),
      userLogs: new UserLogsClient(options),
      userRefreshTokens: new UserRefreshTokensClient(options),
      userSessions: new UserSessionsClient(options),
      refreshTokens: new RefreshTokensClient(options),
      deviceCredentials: new DeviceCredentialsClient(options),
      grants: new UserGrantsClient(options),
      sessions: new SessionsClient(options),
      clients: new ClientsClient(options),
      resourceServers: new ResourceServersClient(options),
      settings: new SettingsClient(options),
    };
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toBffError(what, err, () => this.tokens.invalidate());
    }
  }

  // ---------------------------------------------------------------- users

  searchUsers(q: string | undefined, page: number, perPage: number) {
    return this.call('search users', async () => {
      const result = await this.c.users.list({
        ...(q ? { q } : {}),
        page,
        per_page: perPage,
        include_totals: true,
        sort: 'email:1',
      });
      return { users: result.data, total: (result.response as { total?: number }).total ?? result.data.length };
    });
  }

  getUser(userId: string) {
    return this.call('read the user', () => this.c.users.get(userId));
  }

  /** PATCH /users/{id} {blocked: true}: the tenant refuses the user's sign-ins and refresh tokens from then on (needs update:users). */
  blockUser(userId: string) {
    return this.call('block the user', () => this.c.users.update(userId, { blocked: true }));
  }

  userLogs(userId: string) {
    return this.call(
      "read the user's logs",
      async () => (await this.c.userLogs.list(userId, { per_page: 100, page: 0, sort: 'date:-1' })).data,
    );
  }

  /** One page of the user's logs, newest first, with the total (Auth0 pages through the first 1,000). */
  userLogsPage(userId: string, page: number, perPage: number) {
    return this.call("read the user's history", async () => {
      const result = await this.c.userLogs.list(userId, {
        page,
        per_page: perPage,
        include_totals: true,
        sort: 'date:-1',
      });
      return { logs: result.data, total: (result.response as { total?: number }).total ?? result.data.length };
    });
  }

  // ---------------------------------------------------------------- refresh tokens and devices

  /** Every live refresh token of the user, up to MAX_TOKENS_LOADED. */
  listUserTokens(userId: string) {
    return this.call("list the user's refresh tokens", async () => {
      const tokens: MgmtRefreshToken[] = [];
      let truncated = false;
      for await (const token of await this.c.refreshTokens.list({ user_id: userId, take: 100 })) {
        if (tokens.length >= MAX_TOKENS_LOADED) {
          truncated = true;
          break;
        }
        tokens.push(token);
      }
      return { tokens, truncated };
    });
  }

  /**
   * One page of the user's live refresh tokens, as the tenant pages them (by id; `next` is the
   * tenant's opaque cursor), optionally of one application: one Management API call.
   */
  pageUserTokens(userId: string, page: { from?: string; take: number; clientId?: string }) {
    return this.call("list the user's refresh tokens", async () => {
      const result = await this.c.refreshTokens.list({
        user_id: userId,
        take: page.take,
        ...(page.from ? { from: page.from } : {}),
        ...(page.clientId ? { client_id: page.clientId } : {}),
      });
      const next = (result.response as { next?: unknown }).next;
      return {
        tokens: result.data,
        next: typeof next === 'string' && next !== '' && result.data.length > 0 ? next : null,
      };
    });
  }

  getRefreshToken(id: string) {
    return this.call('read the refresh token', () => this.c.refreshTokens.get(id));
  }

  revokeRefreshToken(id: string) {
    return this.call('revoke the refresh token', () => this.c.refreshTokens.delete(id));
  }

  revokeUserTokens(userId: string, clientId?: string) {
    return this.call("revoke the user's refresh tokens", () =>
      clientId
        ? this.c.refreshTokens.revoke({ user_id: userId, client_id: clientId })
        : this.c.userRefreshTokens.delete(userId),
    );
  }

  /**
   * Revokes exactly these refresh tokens: POST /refresh-tokens/revoke, REVOKE_BATCH ids a call.
   * A tenant without that endpoint (404 or 405 on the route itself) is remembered, and the
   * remaining ids go through `fallback` one by one; an id already gone counts as revoked.
   */
  async revokeTokensByIds(
    ids: string[],
    fallback: (id: string) => Promise<unknown> = (id) => this.revokeRefreshToken(id),
  ): Promise<void> {
    let rest = [...new Set(ids)];
    while (rest.length > 0 && this.bulkRevoke) {
      const batch = rest.slice(0, REVOKE_BATCH);
      try {
        await this.c.refreshTokens.revoke({ ids: batch });
      } catch (err) {
        if (
          err instanceof ManagementError &&
          (err.statusCode === 404 || err.statusCode === 405 || err.statusCode === 501)
        ) {
          this.bulkRevoke = false;
          break;
        }
        throw toBffError('revoke the refresh tokens', err, () => this.tokens.invalidate());
      }
      rest = rest.slice(REVOKE_BATCH);
    }
    for (const id of rest) {
      await fallback(id).catch((err) => {
        if (err?.code !== 'not_found') throw err;
      });
    }
  }

  /**
   * The user's refresh-token credentials, of both kinds, asked for by type: without a type,
   * Auth0 answers refresh tokens and public keys but no `rotating_refresh_token` (the SDK's
   * `ListDeviceCredentialsRequestParameters.type`; with paging, its API reference says the type
   * defaults to `refresh_token`), so a device's rotating tokens would be missing from the Devices
   * tab and from what an unlink revokes. Public keys are not refresh tokens: never asked for.
   */
  listDeviceCredentials(userId: string) {
    return this.call("list the user's devices", async () => {
      const ofType = async (type: 'refresh_token' | 'rotating_refresh_token') => {
        const credentials: DeviceCredential[] = [];
        for await (const credential of await this.c.deviceCredentials.list({
          user_id: userId,
          type,
          per_page: 100,
          include_totals: true,
        })) {
          credentials.push({ ...credential, token_id: tokenIdOfCredential(credential.id) });
          if (credentials.length >= MAX_TOKENS_LOADED) break;
        }
        return credentials;
      };
      const [rotating, other] = await Promise.all([ofType('rotating_refresh_token'), ofType('refresh_token')]);
      return [...rotating, ...other].slice(0, MAX_TOKENS_LOADED);
    });
  }

  /** Whether the tenant may have POST /users/{id}/devices/unlink (not yet refused with 404). */
  get unlinksThroughTenant(): boolean {
    return this.deviceUnlinkRoute;
  }

  /**
   * POST /users/{id}/devices/unlink, the embedded tenant's own route (not Auth0's): every live
   * token of the user on the device, in one call and one transaction, the tenant applying
   * "Refresh Token Revocation Deletes Grant" as for DELETE /device-credentials/{id}, and
   * refusing (`changed`) unless `expected` still holds. A tenant without it (a real Auth0
   * answers 404, or 405) is remembered: the caller then unlinks with Auth0's routes.
   */
  async unlinkDevice(userId: string, deviceName: string, expected: DeviceUnlinkExpected): Promise<DeviceUnlinkOutcome> {
    const res = await this.http.request(
      'unlink the device',
      `/users/${encodeURIComponent(userId)}/devices/unlink`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ device_name: deviceName, expected }),
      },
      [404, 405, 409, 501],
    );
    if (res.ok) return (await res.json()) as Exclude<DeviceUnlinkOutcome, string>;
    const { errorCode } = (await res.json().catch(() => ({}))) as { errorCode?: string };
    if (res.status === 409 || errorCode === 'inexistent_device') return 'changed';
    if (errorCode === 'inexistent_user')
      throw new BffError(404, 'not_found', 'There is no such user in this tenant.', { task: 'unlink the device' });
    this.deviceUnlinkRoute = false;
    return 'unsupported';
  }

  deleteDeviceCredential(id: string) {
    return this.call('unlink the device', () => this.c.deviceCredentials.delete(id));
  }

  // ---------------------------------------------------------------- grants

  listGrants(userId: string) {
    return this.call("list the user's authorized applications", async () => {
      const grants: MgmtGrant[] = [];
      for await (const grant of await this.c.grants.list({ user_id: userId, per_page: 100, include_totals: true }))
        grants.push(grant);
      return grants;
    });
  }

  deleteGrant(id: string) {
    return this.call('revoke the authorized application', () => this.c.grants.delete(id));
  }

  // ---------------------------------------------------------------- sessions

  listSessions(userId: string) {
    return this.call("list the user's sessions", async () => {
      const sessions: MgmtSession[] = [];
      for await (const session of await this.c.userSessions.list(userId, { take: 100 })) sessions.push(session);
      return sessions;
    });
  }

  /** DELETE /sessions/{id} (Auth0's): ends the session; its refresh tokens stay (revoke those apart). */
  endSession(id: string) {
    return this.call('end the session', () => this.c.sessions.delete(id));
  }

  getSession(id: string) {
    return this.call('read the session', () => this.c.sessions.get(id));
  }

  /** Ends the session and revokes the refresh tokens issued in it. */
  revokeSession(id: string) {
    return this.call('revoke the session', () => this.c.sessions.revoke(id));
  }

  // ---------------------------------------------------------------- tenant

  getSettings() {
    return this.call('read the tenant settings', () => this.c.settings.get({ fields: 'flags' }));
  }

  setRevokeDeletesGrant(value: boolean) {
    return this.call('change the tenant setting', () =>
      this.c.settings.update({ flags: { revoke_refresh_token_grant: value } }),
    );
  }

  /** Whether the application authenticates with a secret (a public client, `none`, has none to leak). */
  async hasClientSecret(clientId: string): Promise<boolean> {
    const client = await this.call('read the application', () =>
      this.c.clients.get(clientId, { fields: 'client_id,token_endpoint_auth_method', include_fields: true }),
    );
    return client.token_endpoint_auth_method !== 'none';
  }

  /**
   * Auth0's POST /api/v2/clients/{id}/rotate-secret: the old secret is refused from now on.
   * Answers the new secret, which the caller shows once and never logs.
   */
  async rotateClientSecret(clientId: string): Promise<string> {
    const client = await this.call("rotate the application's secret", () => this.c.clients.rotateSecret(clientId));
    if (!client.client_secret)
      throw new BffError(
        502,
        'tenant_error',
        "The tenant rotated the application's secret but did not answer the new one: rotate it again at the tenant.",
      );
    return client.client_secret;
  }

  /** Application and API names, cached for a minute: they change rarely and every screen needs them. */
  async names(options: { fresh?: boolean } = {}): Promise<{ clients: Map<string, string>; apis: Map<string, string> }> {
    // `fresh`: read again now, for a screen that lists the applications themselves (one created a moment ago belongs there).
    if (!options.fresh && this.nameCache && this.now() - this.nameCache.at < 60_000) return this.nameCache;
    const [clients, apis] = await Promise.all([
      this.call('list applications', async () => {
        const map = new Map<string, string>();
        for await (const client of await this.c.clients.list({
          per_page: 100,
          fields: 'client_id,name',
          include_totals: true,
        }))
          map.set(client.client_id!, client.name ?? client.client_id!);
        return map;
      }),
      this.call('list APIs', async () => {
        const map = new Map<string, string>();
        for await (const api of await this.c.resourceServers.list({ per_page: 100, include_totals: true }))
          map.set(api.identifier!, api.name ?? api.identifier!);
        return map;
      }),
    ]);
    this.nameCache = { at: this.now(), clients, apis };
    return this.nameCache;
  }
}
