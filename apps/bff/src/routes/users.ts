import {
  can,
  DeviceLostBody,
  ImpactRequest,
  RefreshTokenPageQuery,
  RevokeAllTokensBody,
  UnlinkDeviceBody,
  UserSearchQuery,
  type ActionResult,
  type ExpectedImpact,
  type LocationList,
  type AuthorizedAppList,
  type DeviceList,
  type Impact,
  type RefreshTokenList,
  type RefreshTokenPage,
  type SecurityEventList,
  type SessionList,
  SignOutEverywhereBody,
  type SignOutEverywhereResult,
  type UserDetail,
  type UserSearchResult,
  type UserSummary,
  staffTargetReason,
} from '@rtc/contracts';
import { endpoints } from '@rtc/contracts/endpoints';
import { Hono } from 'hono';
import type { BffDeps } from '../deps.ts';
import type { BffEnv } from '../env.ts';
import type { MgmtUser } from '../management/gateway.ts';
import { placeOf } from '../domain/ip-places.ts';
import { consoleRoleOf } from '../domain/staff-role.ts';
import { requirePermission } from '../middleware/session.ts';
import { forbidden } from '../errors.ts';
import { SignOutChanged } from '../services/user-access-service.ts';
import { signOutDetail } from '../domain/sign-out-everywhere.ts';
import { auditedWithId, recordRead } from './audited.ts';
import { reply } from './contract.ts';
import { detailOf, namedTarget } from './user-action-words.ts';
import { body, confirmation, pathId, query } from './validate.ts';

const text = (v: unknown) => (typeof v === 'string' ? v : null);

function summary(u: MgmtUser, rolesClaim: string): UserSummary {
  return {
    user_id: u.user_id!,
    email: text(u.email),
    name: text(u.name),
    picture: text(u.picture),
    created_at: text(u.created_at),
    last_login: text(u.last_login),
    logins_count: u.logins_count ?? 0,
    blocked: u.blocked ?? false,
    console_role: consoleRoleOf(u, rolesClaim),
  };
}

/** Lucene-safe: a plain term searches email, name and id; quotes and operators are dropped. */
function searchQuery(q: string | undefined): string | undefined {
  const cleaned = q?.replace(/["\\()[\]{}^~:!]/g, ' ').trim();
  if (!cleaned) return undefined;
  return cleaned.includes('@') ? `email:${cleaned}*` : cleaned;
}

/** /api/users: search, one user, and everything about a user's access. */
export function userRoutes(deps: BffDeps) {
  const { mgmt, access } = deps;

  /** 403 when a staff member who may not act on staff aims at a user holding a console role. */
  const staffTargetCheck = (c: Parameters<typeof auditedWithId>[0]) => (user: MgmtUser | undefined) => {
    if (can(c.get('session')?.role, 'actOnStaff') || !user) return;
    const role = consoleRoleOf(user, deps.config.oidc.rolesClaim);
    if (role) throw forbidden(staffTargetReason(role));
  };

  const act = async (
    c: Parameters<typeof auditedWithId>[0],
    userId: string,
    request: ImpactRequest,
    expected: ExpectedImpact | undefined,
    target: string,
  ): Promise<ActionResult> => {
    const { value, auditId } = await auditedWithId(
      c,
      deps,
      { action: request.action, target, target_user_id: userId },
      async () => {
        const { impact, result, userEmail } = await access.execute(userId, request, expected, staffTargetCheck(c));
        // Names as they are now, since ids say nothing once the things are gone.
        const devices = [...new Set(impact.tokens.map((t) => t.device_name ?? 'Unnamed device'))].join(', ');
        return {
          value: result,
          target: namedTarget(request, impact) ?? target,
          detail: `user ${userEmail ?? userId}: ${detailOf(impact)}${devices ? `; devices: ${devices}` : ''}`,
        };
      },
    );
    return { ...value, audit_id: auditId };
  };

  return (
    new Hono<BffEnv>()
      .on(
        endpoints.searchUsers.method,
        endpoints.searchUsers.path,
        requirePermission('read'),
        query(UserSearchQuery),
        async (c) => {
          const q = c.req.valid('query');
          const { users, total } = await mgmt.searchUsers(searchQuery(q.q), q.page, q.per_page);
          const result: UserSearchResult = {
            users: users.map((u) => summary(u, deps.config.oidc.rolesClaim)),
            total,
            page: q.page,
            per_page: q.per_page,
          };
          return reply(c, endpoints.searchUsers, result);
        },
      )
      .on(endpoints.user.method, endpoints.user.path, requirePermission('read'), async (c) => {
        const user = await mgmt.getUser(pathId(c.req.param('userId')));
        const detail: UserDetail = {
          ...summary(user, deps.config.oidc.rolesClaim),
          email_verified: user.email_verified ?? false,
          updated_at: text(user.updated_at),
          last_ip: text(user.last_ip),
          last_place: placeOf(text(user.last_ip)),
          connection: text(user.identities?.[0]?.connection),
        };
        return reply(c, endpoints.user, detail);
      })
      .on(endpoints.devices.method, endpoints.devices.path, requirePermission('read'), async (c) => {
        const result: DeviceList = { devices: await access.devices(pathId(c.req.param('userId'))) };
        return reply(c, endpoints.devices, result);
      })
      .on(
        endpoints.unlinkDevice.method,
        endpoints.unlinkDevice.path,
        requirePermission('revoke'),
        body(UnlinkDeviceBody),
        async (c) => {
          const { device_name, expected } = c.req.valid('json');
          return reply(
            c,
            endpoints.unlinkDevice,
            await act(
              c,
              pathId(c.req.param('userId')),
              { action: 'device.unlink', device_name },
              expected,
              `device "${device_name}"`,
            ),
          );
        },
      )
      .on(
        endpoints.deviceLost.method,
        endpoints.deviceLost.path,
        requirePermission('revoke'),
        body(DeviceLostBody),
        async (c) => {
          const { device_name, expected } = c.req.valid('json');
          return reply(
            c,
            endpoints.deviceLost,
            await act(
              c,
              pathId(c.req.param('userId')),
              { action: 'device.lost', device_name },
              expected,
              `device "${device_name}"`,
            ),
          );
        },
      )
      .on(endpoints.authorizedApps.method, endpoints.authorizedApps.path, requirePermission('read'), async (c) => {
        const result: AuthorizedAppList = { apps: await access.authorizedApps(pathId(c.req.param('userId'))) };
        return reply(c, endpoints.authorizedApps, result);
      })
      .on(
        endpoints.revokeGrant.method,
        endpoints.revokeGrant.path,
        requirePermission('revoke'),
        confirmation,
        async (c) => {
          const grantId = pathId(c.req.param('grantId'));
          return reply(
            c,
            endpoints.revokeGrant,
            await act(
              c,
              pathId(c.req.param('userId')),
              { action: 'grant.revoke', grant_id: grantId },
              c.req.valid('json').expected,
              `grant ${grantId}`,
            ),
          );
        },
      )
      .on(endpoints.refreshTokens.method, endpoints.refreshTokens.path, requirePermission('read'), async (c) => {
        const result: RefreshTokenList = await access.refreshTokens(pathId(c.req.param('userId')));
        return reply(c, endpoints.refreshTokens, result);
      })
      // One page as the tenant pages it, for users with many tokens (the full list above is capped).
      .on(
        endpoints.refreshTokenPage.method,
        endpoints.refreshTokenPage.path,
        requirePermission('read'),
        query(RefreshTokenPageQuery),
        async (c) => {
          const { from, take, client_id } = c.req.valid('query');
          const result: RefreshTokenPage = await access.refreshTokenPage(pathId(c.req.param('userId')), {
            ...(from ? { from } : {}),
            take,
            ...(client_id ? { clientId: client_id } : {}),
          });
          return reply(c, endpoints.refreshTokenPage, result);
        },
      )
      .on(
        endpoints.revokeRefreshToken.method,
        endpoints.revokeRefreshToken.path,
        requirePermission('revoke'),
        confirmation,
        async (c) => {
          const tokenId = pathId(c.req.param('tokenId'));
          return reply(
            c,
            endpoints.revokeRefreshToken,
            await act(
              c,
              pathId(c.req.param('userId')),
              { action: 'refresh_token.revoke', token_id: tokenId },
              c.req.valid('json').expected,
              `refresh token ${tokenId}`,
            ),
          );
        },
      )
      .on(
        endpoints.revokeAllRefreshTokens.method,
        endpoints.revokeAllRefreshTokens.path,
        requirePermission('revoke'),
        body(RevokeAllTokensBody),
        async (c) => {
          const { client_id, device_name, expected } = c.req.valid('json');
          const request: ImpactRequest = {
            action: 'refresh_tokens.revoke_all',
            ...(client_id ? { client_id } : {}),
            ...(device_name ? { device_name } : {}),
          };
          const filters = [client_id ? `of ${client_id}` : '', device_name ? `on device "${device_name}"` : '']
            .filter(Boolean)
            .join(' ');
          return reply(
            c,
            endpoints.revokeAllRefreshTokens,
            await act(
              c,
              pathId(c.req.param('userId')),
              request,
              expected,
              filters ? `all refresh tokens ${filters}` : 'all refresh tokens',
            ),
          );
        },
      )
      .on(endpoints.sessions.method, endpoints.sessions.path, requirePermission('read'), async (c) => {
        const result: SessionList = { sessions: await access.sessions(pathId(c.req.param('userId'))) };
        return reply(c, endpoints.sessions, result);
      })
      .on(
        endpoints.revokeSession.method,
        endpoints.revokeSession.path,
        requirePermission('revoke'),
        confirmation,
        async (c) => {
          const sessionId = pathId(c.req.param('sessionId'));
          return reply(
            c,
            endpoints.revokeSession,
            await act(
              c,
              pathId(c.req.param('userId')),
              { action: 'session.revoke', session_id: sessionId },
              c.req.valid('json').expected,
              `session ${sessionId}`,
            ),
          );
        },
      )
      .on(endpoints.locations.method, endpoints.locations.path, requirePermission('read'), async (c) => {
        const result: LocationList = { locations: await access.locations(pathId(c.req.param('userId'))) };
        return reply(c, endpoints.locations, result);
      })
      .on(endpoints.securityEvents.method, endpoints.securityEvents.path, requirePermission('read'), async (c) => {
        const result: SecurityEventList = { events: await access.securityEvents(pathId(c.req.param('userId'))) };
        return reply(c, endpoints.securityEvents, result);
      })
      // "Sign out everywhere": every token and session, and optionally blocking, bound to its preview.
      .on(endpoints.signOutImpact.method, endpoints.signOutImpact.path, requirePermission('revoke'), async (c) => {
        const userId = pathId(c.req.param('userId'));
        const impact = await access.signOutImpact(userId);
        await recordRead(c, deps, {
          action: 'user.preview_action',
          target: `preview of user.sign_out_everywhere: ${impact.user_name}`,
          target_user_id: userId,
          detail:
            `user.sign_out_everywhere would revoke ${impact.tokens} refresh ` +
            `token${impact.tokens === 1 ? '' : 's'} on ${impact.devices.length} ` +
            `device${impact.devices.length === 1 ? '' : 's'} and end ${impact.sessions.length} ` +
            `session${impact.sessions.length === 1 ? '' : 's'}`,
        });
        return reply(c, endpoints.signOutImpact, impact);
      })
      .on(
        endpoints.signOutEverywhere.method,
        endpoints.signOutEverywhere.path,
        requirePermission('revoke'),
        body(SignOutEverywhereBody),
        async (c) => {
          const userId = pathId(c.req.param('userId'));
          const { block, expected } = c.req.valid('json');
          try {
            const { value, auditId } = await auditedWithId(
              c,
              deps,
              {
                action: 'user.sign_out_everywhere',
                target: block ? 'every refresh token and session, and block' : 'every refresh token and session',
                target_user_id: userId,
              },
              async () => {
                if (block && !can(c.get('session')?.role, 'blockUsers'))
                  throw forbidden('Your role may not block users. Ask a support person or an admin.');
                const done = await access.signOutEverywhere(userId, expected, block, staffTargetCheck(c));
                return {
                  value: done,
                  target: `every refresh token and session of ${done.impact.user_name}${block ? ', and block' : ''}`,
                  detail: signOutDetail(done.userEmail, userId, done.impact, done.tokenIds, done.sessionIds, {
                    asked: block,
                    already: block && !done.blocked,
                  }),
                };
              },
            );
            const result: SignOutEverywhereResult = {
              impact: value.impact,
              blocked: value.blocked,
              is_blocked: value.blocked || value.impact.blocked,
              audit_id: auditId,
            };
            return reply(c, endpoints.signOutEverywhere, result);
          } catch (err) {
            if (!(err instanceof SignOutChanged)) throw err;
            return c.json(
              {
                error: {
                  code: err.code,
                  message: err.message,
                  request_id: c.get('requestId'),
                  sign_out_impact: err.impact,
                },
              },
              409,
            );
          }
        },
      )
      .on(
        endpoints.userImpact.method,
        endpoints.userImpact.path,
        requirePermission('revoke'),
        body(ImpactRequest),
        async (c) => {
          const userId = pathId(c.req.param('userId'));
          const request = c.req.valid('json');
          const impact: Impact = await access.impact(userId, request);
          await recordRead(c, deps, {
            action: 'user.preview_action',
            target: `preview of ${request.action}: ${impact.target_name}`,
            target_user_id: userId,
            detail: `${request.action} would ${detailOf(impact).replace(/^revoked/, 'revoke')}`,
          });
          return reply(c, endpoints.userImpact, impact);
        },
      )
  );
}
