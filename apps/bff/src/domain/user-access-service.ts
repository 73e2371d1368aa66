import type { ActionResult, AuthorizedApp, Device, Impact, ImpactRequest, RefreshTokenList, SecurityEvent, Session } from '@rtc/contracts';
import { notFound } from '../errors.ts';
import type { ManagementGateway } from '../management/gateway.ts';
import { authorizedApps, computeImpact, deviceNamesByTokenId, groupDevices, toRefreshToken, toSession, UNNAMED_DEVICE } from './user-view.ts';

/**
 * A user's access as the console's screens see it, and the destructive actions on it. Every
 * action first computes its impact from fresh data, checks that the target belongs to the
 * user, then calls the Management API.
 */
export class UserAccessService {
  constructor(private readonly mgmt: ManagementGateway) {}

  /** Throws 404 for an unknown user before any other call. */
  private async load(userId: string, parts: { grants?: boolean; sessions?: boolean; settings?: boolean } = {}) {
    await this.mgmt.getUser(userId).catch((err) => {
      throw err?.code === 'not_found' ? notFound('There is no such user in this tenant.') : err;
    });
    const [names, { tokens, truncated }, credentials, grants, sessions, settings] = await Promise.all([
      this.mgmt.names(),
      this.mgmt.listUserTokens(userId),
      this.mgmt.listDeviceCredentials(userId),
      parts.grants ? this.mgmt.listGrants(userId) : Promise.resolve([]),
      parts.sessions ? this.mgmt.listSessions(userId) : Promise.resolve([]),
      parts.settings ? this.mgmt.getSettings() : Promise.resolve(undefined),
    ]);
    const deviceNames = deviceNamesByTokenId(credentials);
    return {
      names,
      credentials,
      grants,
      sessions,
      truncated,
      settingDeletesGrant: settings?.flags?.revoke_refresh_token_grant ?? false,
      tokens: tokens.map((t) => toRefreshToken(t, deviceNames, names)),
    };
  }

  async devices(userId: string): Promise<Device[]> {
    const { credentials, tokens, names } = await this.load(userId);
    return groupDevices(credentials, tokens, names);
  }

  async authorizedApps(userId: string): Promise<AuthorizedApp[]> {
    const { grants, tokens, names } = await this.load(userId, { grants: true });
    return authorizedApps(grants, tokens, names);
  }

  async refreshTokens(userId: string): Promise<RefreshTokenList> {
    const { tokens, truncated } = await this.load(userId);
    return { tokens, truncated };
  }

  async sessions(userId: string): Promise<Session[]> {
    const { sessions, tokens, names } = await this.load(userId, { sessions: true });
    return sessions.map((s) => toSession(s, tokens, names));
  }

  async securityEvents(userId: string): Promise<SecurityEvent[]> {
    const { names, credentials } = await this.load(userId);
    const deviceNames = deviceNamesByTokenId(credentials);
    const logs = await this.mgmt.userLogs(userId);
    return logs.map((log) => {
      const details = (log.details ?? {}) as Record<string, unknown>;
      const tokenId = typeof details.refresh_token_id === 'string' ? details.refresh_token_id : null;
      return {
        id: log.log_id ?? '',
        at: typeof log.date === 'string' ? log.date : null,
        type: log.type ?? 'unknown',
        description: log.description ?? '',
        client_id: log.client_id ?? null,
        client_name: log.client_id ? (names.clients.get(log.client_id) ?? log.client_id) : null,
        refresh_token_id: tokenId,
        device_name: (typeof details.device_name === 'string' ? details.device_name : null) ?? (tokenId ? (deviceNames.get(tokenId) ?? null) : null),
        ip: log.ip ?? null,
      };
    });
  }

  async impact(userId: string, request: ImpactRequest): Promise<Impact> {
    const data = await this.load(userId, { grants: true, sessions: request.action === 'session.revoke', settings: true });
    const impact = computeImpact(request, data);
    if (!impact) throw notFound(`This user has no such ${describeTarget(request)}; it may have been revoked already.`);
    return impact;
  }

  /** Runs the action; returns what it revoked (per the impact computed just before). */
  async execute(userId: string, request: ImpactRequest): Promise<{ impact: Impact; result: ActionResult }> {
    const impact = await this.impact(userId, request);
    const result: ActionResult = { revoked_token_ids: impact.tokens.map((t) => t.id), deleted_grant_ids: impact.grants.map((g) => g.grant_id) };
    switch (request.action) {
      case 'device.unlink': {
        // Every credential of the device (X then UNLINK in the Auth0 Dashboard does one at a time).
        const credentials = (await this.mgmt.listDeviceCredentials(userId)).filter((c) => (c.device_name || UNNAMED_DEVICE) === request.device_name);
        for (const credential of credentials) {
          await this.mgmt.deleteDeviceCredential(credential.id!).catch((err) => {
            // Already gone (revoked concurrently, or by its grant going): the goal holds.
            if (err?.code !== 'not_found') throw err;
          });
        }
        break;
      }
      case 'grant.revoke':
        await this.mgmt.deleteGrant(request.grant_id);
        break;
      case 'refresh_token.revoke':
        await this.mgmt.revokeRefreshToken(request.token_id);
        break;
      case 'refresh_tokens.revoke_all':
        await this.mgmt.revokeUserTokens(userId, request.client_id);
        break;
      case 'session.revoke':
        await this.mgmt.revokeSession(request.session_id);
        break;
    }
    return { impact, result };
  }
}

function describeTarget(request: ImpactRequest): string {
  switch (request.action) {
    case 'device.unlink':
      return 'device';
    case 'grant.revoke':
      return 'authorized application';
    case 'refresh_token.revoke':
      return 'refresh token';
    case 'refresh_tokens.revoke_all':
      return 'application';
    case 'session.revoke':
      return 'session';
  }
}
