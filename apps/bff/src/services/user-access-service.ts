import {
  DPOP_BOUND_TOKEN_REFUSED,
  type ActionResult,
  type AuthorizedApp,
  type Device,
  type ExpectedImpact,
  type Impact,
  type ImpactRequest,
  type Location,
  type RefreshTokenList,
  type RefreshTokenPage,
  type SecurityEvent,
  type Session,
  type SignOutExpected,
  type SignOutImpact,
} from '@rtc/contracts';
import { notFound } from '../errors.ts';
import type { ManagementGateway, MgmtUser } from '../management/gateway.ts';
import { computeImpact, type ImpactData } from '../domain/action-impact.ts';
import { userLocations } from '../domain/ip-places.ts';
import { toSecurityEvents } from '../domain/security-events.ts';
import { authorizedApps, groupDevices, refreshTokenCredentialsOf, toRefreshToken } from '../domain/user-view.ts';
import { DeviceNameCache } from './device-name-cache.ts';
import { refuseIfChanged, unlinkThroughTenant, UnlinkPreviews } from './device-unlink.ts';
import { signOutEverywhere, signOutPreview, type SignedOut } from './sign-out-everywhere-action.ts';
import { forScreen, loadUserAccess, noSuchUser, type Needs } from './user-access-loader.ts';

export { SignOutChanged, type SignedOut } from './sign-out-everywhere-action.ts';

/** Pages of a user's tokens of one application read to tell whether a theft signal's token is live. */
const LIVE_CHECK_PAGES = 3;

/** What an action did: its impact, as confirmed, and the ids it acted on. */
export type Executed = { impact: Impact; result: Omit<ActionResult, 'audit_id'>; userEmail: string | null };

/**
 * A user's access as the console's screens see it, and the destructive actions on it. Every
 * action first computes its impact from fresh data, checks that the target belongs to the
 * user, then calls the Management API.
 */
export class UserAccessService {
  private readonly deviceNames: DeviceNameCache;
  private readonly unlinkPreviews: UnlinkPreviews;

  constructor(
    private readonly mgmt: ManagementGateway,
    now: () => number = Date.now,
  ) {
    this.deviceNames = new DeviceNameCache((userId) => mgmt.listDeviceCredentials(userId), now);
    this.unlinkPreviews = new UnlinkPreviews(now);
  }

  private load(userId: string, needs: Needs) {
    return loadUserAccess(this.mgmt, userId, needs);
  }

  async devices(userId: string): Promise<Device[]> {
    const { credentials, tokens, names, logs } = await forScreen(
      "list the user's devices",
      this.load(userId, { tokens: true, credentials: true, logs: true }),
    );
    const events = toSecurityEvents(logs, names, credentials);
    const devices = groupDevices(credentials, tokens, names);
    // Reuse detection shown on the device it concerns.
    for (const device of devices)
      device.reuse = events.filter((e) => e.type === 'ferrt' && e.device_name === device.name);
    return devices;
  }

  async authorizedApps(userId: string): Promise<AuthorizedApp[]> {
    const { grants, tokens, names } = await forScreen(
      "list the user's authorized applications",
      this.load(userId, { tokens: true, credentials: true, grants: true }),
    );
    return authorizedApps(grants, tokens, names);
  }

  async refreshTokens(userId: string): Promise<RefreshTokenList> {
    const { tokens, truncated } = await forScreen(
      "list the user's refresh tokens",
      this.load(userId, { tokens: true, credentials: true }),
    );
    return { tokens, truncated };
  }

  /**
   * One page of the user's tokens: one Management API call, with application names from the
   * gateway's cache and device names from DeviceNameCache. For users with more tokens than a
   * screen lists: their table pages on the server instead of loading every token.
   */
  async refreshTokenPage(
    userId: string,
    page: { from?: string; take: number; clientId?: string },
  ): Promise<RefreshTokenPage> {
    const [names, { tokens, next }] = await Promise.all([
      this.mgmt.names(),
      this.mgmt.pageUserTokens(userId, page),
    ]).catch(noSuchUser);
    // An empty first page may be an unknown user: answered 404 as the other tabs do.
    if (tokens.length === 0 && !page.from) await this.mgmt.getUser(userId).catch(noSuchUser);
    const deviceNames =
      tokens.length > 0
        ? await this.deviceNames.namesFor(
            userId,
            tokens.map((t) => t.id!),
          )
        : new Map<string, string>();
    return { tokens: tokens.map((t) => toRefreshToken(t, deviceNames, names)), next };
  }

  async sessions(userId: string): Promise<Session[]> {
    return (
      await forScreen(
        "list the user's sessions",
        this.load(userId, { tokens: true, credentials: true, sessions: true }),
      )
    ).sessions;
  }

  /** Where the user's tokens and sessions were issued and used (the Locations view). */
  async locations(userId: string): Promise<Location[]> {
    const { tokens, sessions } = await forScreen(
      "list where the user's tokens and sessions were used",
      this.load(userId, { tokens: true, credentials: true, sessions: true }),
    );
    return userLocations(tokens, sessions);
  }

  async securityEvents(userId: string): Promise<SecurityEvent[]> {
    const { names, credentials, logs } = await this.load(userId, { credentials: true, logs: true });
    return this.withLiveTokens(userId, toSecurityEvents(logs, names, credentials));
  }

  /**
   * A theft signal (DPoP-bound token presented without its key) offers to revoke its token
   * while that token is live. Asked of the user's listing of the token's application (which
   * agrees with a revocation the moment it answered; GET /refresh-tokens/{id} may lag behind a
   * journaled one), in id order: at most LIVE_CHECK_PAGES pages per token named (Auth0's entity
   * limit is 200 per user and application), usually one token; past that, null (unknown).
   */
  private async withLiveTokens(userId: string, events: SecurityEvent[]): Promise<SecurityEvent[]> {
    const named = new Map(
      events
        .filter((e) => e.type === DPOP_BOUND_TOKEN_REFUSED && e.refresh_token_id && e.client_id)
        .map((e) => [e.refresh_token_id!, e.client_id!]),
    );
    const isLive = async (id: string, clientId: string): Promise<boolean | null> => {
      let from: string | undefined;
      for (let page = 0; page < LIVE_CHECK_PAGES; page++) {
        const { tokens, next } = await this.mgmt.pageUserTokens(userId, {
          take: 100,
          clientId,
          ...(from ? { from } : {}),
        });
        if (tokens.some((t) => t.id === id)) return true;
        if (!next) return false;
        from = next;
      }
      return null;
    };
    const live = new Map(
      await Promise.all([...named].map(async ([id, clientId]) => [id, await isLive(id, clientId)] as const)),
    );
    return events.map((e) =>
      e.type === DPOP_BOUND_TOKEN_REFUSED && e.refresh_token_id
        ? { ...e, token_live: live.get(e.refresh_token_id) ?? null }
        : e,
    );
  }

  async impact(userId: string, request: ImpactRequest): Promise<Impact> {
    const { impact } = await this.preview(userId, request);
    // Kept for its confirmation, which then reloads nothing (unlinkThroughTenant).
    if (request.action === 'device.unlink') this.unlinkPreviews.keep(userId, request.device_name, impact);
    return impact;
  }

  /** The impact from the lists this action's preview reads, each loaded once; `user` also reads the user (for the audit log). */
  private async preview(
    userId: string,
    request: ImpactRequest,
    user = false,
  ): Promise<{ impact: Impact; data: ImpactData & { user: MgmtUser | undefined; userEmail: string | null } }> {
    const device = request.action === 'device.unlink' || request.action === 'device.lost';
    const data = await this.load(userId, {
      user,
      tokens: true,
      credentials: true,
      settings: true,
      grants: request.action === 'grant.revoke' ? true : device ? 'if-setting' : false,
      sessions: request.action === 'session.revoke' || request.action === 'device.lost',
    });
    const impact = computeImpact(request, data);
    if (!impact) throw notFound(`This user has no such ${describeTarget(request)}; it may have been revoked already.`);
    return { impact, data };
  }

  /**
   * Runs the action if a fresh preview is exactly what the person confirmed (`expected`);
   * otherwise nothing is revoked and a 409 carries the new preview and what changed. The
   * Management API calls then act on the previewed ids only: refresh tokens through the
   * bulk revocation endpoint, grants and sessions by id. `mayActOn` throws to refuse the
   * action on the user as read (a staff member, say), before anything is revoked.
   */
  async execute(
    userId: string,
    request: ImpactRequest,
    expected: ExpectedImpact | undefined,
    mayActOn: (user: MgmtUser | undefined) => void = () => {},
  ): Promise<Executed> {
    if (request.action === 'device.unlink' && expected && this.mgmt.unlinksThroughTenant) {
      const done = await unlinkThroughTenant(
        {
          mgmt: this.mgmt,
          previews: this.unlinkPreviews,
          preview: (user) => this.preview(userId, request, user),
          forgetDeviceNames: () => this.deviceNames.forget(userId),
        },
        userId,
        request.device_name,
        expected,
        mayActOn,
      );
      if (done) return done;
    }
    const { impact, data } = await this.preview(userId, request, true);
    // Who may act on this user is decided on the user the preview read, before anything is revoked.
    mayActOn(data.user);
    this.deviceNames.forget(userId);
    refuseIfChanged(expected, impact, () => {
      if (request.action === 'device.unlink') this.unlinkPreviews.keep(userId, request.device_name, impact);
    });
    const result = {
      revoked_token_ids: impact.tokens.map((t) => t.id),
      deleted_grant_ids: impact.grants.map((g) => g.grant_id),
      ended_session_ids: impact.sessions.map((s) => s.session_id),
      impact,
    };
    const gone = (err: { code?: string }) => {
      // Already gone (revoked concurrently, or by its grant going): the goal holds.
      if (err?.code !== 'not_found') throw err;
    };
    switch (request.action) {
      case 'device.unlink':
      case 'device.lost': {
        const credentials = refreshTokenCredentialsOf(data.credentials, request.device_name);
        // Credentials joined to a token the preview loaded go in bulk, by token id (one by one,
        // by credential, on a tenant without bulk revocation). Every other credential of the
        // device is deleted by its own id: a real Auth0 tenant's (its ids are `dcr_...` too, but
        // name no token of ours), or one whose token was not in the loaded list. The preview
        // lists those by credential id (computeImpact's `unseen`).
        const loaded = new Set(data.tokens.map((t) => t.id));
        const joined = credentials.filter((c) => c.token_id !== null && loaded.has(c.token_id));
        const credentialOf = new Map(joined.map((c) => [c.token_id!, c.id!]));
        const tokenIds = impact.tokens
          .filter((t) => t.via !== 'grant' && (credentialOf.has(t.id) || t.via === 'session'))
          .map((t) => t.id);
        await this.mgmt.revokeTokensByIds(tokenIds, (id) => {
          const credential = credentialOf.get(id);
          return credential ? this.mgmt.deleteDeviceCredential(credential) : this.mgmt.revokeRefreshToken(id);
        });
        for (const credential of credentials.filter((c) => !joined.includes(c)))
          await this.mgmt.deleteDeviceCredential(credential.id!).catch(gone);
        for (const grant of impact.grants) await this.mgmt.deleteGrant(grant.grant_id).catch(gone);
        for (const session of impact.sessions) await this.mgmt.revokeSession(session.session_id).catch(gone);
        break;
      }
      case 'grant.revoke':
        await this.mgmt.deleteGrant(request.grant_id);
        break;
      case 'refresh_token.revoke':
        await this.mgmt.revokeRefreshToken(request.token_id);
        break;
      case 'refresh_tokens.revoke_all':
        await this.mgmt.revokeTokensByIds(result.revoked_token_ids);
        break;
      case 'session.revoke':
        await this.mgmt.revokeSession(request.session_id);
        break;
    }
    return { impact, result, userEmail: data.userEmail };
  }

  async signOutImpact(userId: string): Promise<SignOutImpact> {
    return (await signOutPreview(this.mgmt, userId)).impact;
  }

  /** "Sign out everywhere", as previewed; see signOutEverywhere. */
  signOutEverywhere(
    userId: string,
    expected: SignOutExpected | undefined,
    block: boolean,
    mayActOn: (user: MgmtUser | undefined) => void,
  ): Promise<SignedOut> {
    return signOutEverywhere(
      { mgmt: this.mgmt, forgetDeviceNames: () => this.deviceNames.forget(userId) },
      userId,
      expected,
      block,
      mayActOn,
    );
  }
}

function describeTarget(request: ImpactRequest): string {
  switch (request.action) {
    case 'device.unlink':
    case 'device.lost':
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
