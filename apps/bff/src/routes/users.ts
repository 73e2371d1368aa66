import {
  can,
  ConfirmedActionBody,
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
import { Hono } from 'hono';
import { validator } from 'hono/validator';
import type { BffDeps } from '../deps.ts';
import type { BffEnv } from '../env.ts';
import type { MgmtUser } from '../management/gateway.ts';
import { placeOf } from '../domain/ip-places.ts';
import { bindingsInWords } from '../domain/token-binding.ts';
import { consoleRoleOf } from '../domain/staff-role.ts';
import { requirePermission } from '../middleware/session.ts';
import { badRequest, forbidden } from '../errors.ts';
import { SignOutChanged } from '../services/user-access-service.ts';
import { signOutDetail } from '../domain/sign-out-everywhere.ts';
import { auditedWithId, recordRead } from './audited.ts';
import { body, pathId, query } from './validate.ts';

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

/** How a destructive action is described in the audit log. */
function detailOf(impact: Impact): string {
  const onDevice = impact.tokens.filter((t) => t.via === 'target').length;
  const viaGrant = impact.tokens.filter((t) => t.via === 'grant').length;
  const viaSession = impact.tokens.filter((t) => t.via === 'session').length;
  const grants = impact.grants.map((g) => `${g.client_name} / ${g.api_name}`).join(', ');
  const sessions = impact.sessions.map((s) => s.description).join('; ');
  return [
    `revoked ${onDevice} refresh token${onDevice === 1 ? '' : 's'}`,
    viaGrant ? `and ${viaGrant} more through the deleted grant` : '',
    viaSession ? `and ${viaSession} more issued in the ended sessions` : '',
    grants ? `; grants deleted: ${grants}` : '',
    sessions ? `; ended ${impact.sessions.length} session${impact.sessions.length === 1 ? '' : 's'}: ${sessions}` : '',
    `; Refresh Token Revocation Deletes Grant was ${impact.setting_deletes_grant ? 'on' : 'off'}`,
    ...bindingsInWords(impact.tokens).map((words) => `; ${words}`),
    // Every id with its application, so the entry says exactly what went (the History and
    // Revoked views find a token's or session's staff member by its id here).
    ...idsInWords(impact).map((words) => `; ${words}`),
  ]
    .join(' ')
    .replace(/\s+;/g, ';');
}

/** The ids an action revoked, deleted or ended, each with its application. */
function idsInWords(impact: Impact): string[] {
  const tokens = impact.tokens.map(
    (t) => `${t.id} (${t.client_name}${t.device_name ? `, device "${t.device_name}"` : ''})`,
  );
  const grants = impact.grants.map((g) => `${g.grant_id} (${g.client_name} / ${g.api_name})`);
  const sessions = impact.sessions.map((s) => s.session_id);
  return [
    tokens.length ? `refresh token ids: ${tokens.join(', ')}` : '',
    grants.length ? `grant ids: ${grants.join(', ')}` : '',
    sessions.length ? `session ids: ${sessions.join(', ')}` : '',
  ].filter(Boolean);
}

/** An action's target by name, for the audit log; undefined where the request already names it. */
function namedTarget(request: ImpactRequest, impact: Impact): string | undefined {
  switch (request.action) {
    case 'grant.revoke':
      return `grant of ${impact.target_name}`;
    case 'refresh_token.revoke':
      return `refresh token of ${impact.target_name}`;
    case 'refresh_tokens.revoke_all':
      return `all refresh tokens${request.client_id ? ` of ${impact.target_name}` : ''}${request.device_name ? ` on device "${request.device_name}"` : ''}`;
    case 'session.revoke':
      return impact.target_name;
    default:
      return undefined;
  }
}

/**
 * The confirmed preview of a DELETE action, in an optional JSON body: a DELETE sent without
 * one is still answered, with 409 and the preview to confirm.
 */
const confirmation = validator('json', async (_value, c): Promise<ConfirmedActionBody> => {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json'))
    throw badRequest('Send a JSON body (Content-Type: application/json).');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('The request body is not valid JSON.');
  }
  const result = ConfirmedActionBody.safeParse(parsed);
  if (!result.success)
    throw badRequest(
      'The request body is not valid.',
      Object.fromEntries(result.error.issues.map((i) => [i.path.join('.') || 'body', i.message])),
    );
  return result.data;
});

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
      .get('/', requirePermission('read'), query(UserSearchQuery), async (c) => {
        const q = c.req.valid('query');
        const { users, total } = await mgmt.searchUsers(searchQuery(q.q), q.page, q.per_page);
        const result: UserSearchResult = {
          users: users.map((u) => summary(u, deps.config.oidc.rolesClaim)),
          total,
          page: q.page,
          per_page: q.per_page,
        };
        return c.json(result);
      })
      .get('/:userId', requirePermission('read'), async (c) => {
        const user = await mgmt.getUser(pathId(c.req.param('userId')));
        const detail: UserDetail = {
          ...summary(user, deps.config.oidc.rolesClaim),
          email_verified: user.email_verified ?? false,
          updated_at: text(user.updated_at),
          last_ip: text(user.last_ip),
          last_place: placeOf(text(user.last_ip)),
          connection: text(user.identities?.[0]?.connection),
        };
        return c.json(detail);
      })
      .get('/:userId/devices', requirePermission('read'), async (c) => {
        const result: DeviceList = { devices: await access.devices(pathId(c.req.param('userId'))) };
        return c.json(result);
      })
      .post('/:userId/devices/unlink', requirePermission('revoke'), body(UnlinkDeviceBody), async (c) => {
        const { device_name, expected } = c.req.valid('json');
        return c.json(
          await act(
            c,
            pathId(c.req.param('userId')),
            { action: 'device.unlink', device_name },
            expected,
            `device "${device_name}"`,
          ),
        );
      })
      .post('/:userId/devices/lost', requirePermission('revoke'), body(DeviceLostBody), async (c) => {
        const { device_name, expected } = c.req.valid('json');
        return c.json(
          await act(
            c,
            pathId(c.req.param('userId')),
            { action: 'device.lost', device_name },
            expected,
            `device "${device_name}"`,
          ),
        );
      })
      .get('/:userId/authorized-apps', requirePermission('read'), async (c) => {
        const result: AuthorizedAppList = { apps: await access.authorizedApps(pathId(c.req.param('userId'))) };
        return c.json(result);
      })
      .delete('/:userId/authorized-apps/:grantId', requirePermission('revoke'), confirmation, async (c) => {
        const grantId = pathId(c.req.param('grantId'));
        return c.json(
          await act(
            c,
            pathId(c.req.param('userId')),
            { action: 'grant.revoke', grant_id: grantId },
            c.req.valid('json').expected,
            `grant ${grantId}`,
          ),
        );
      })
      .get('/:userId/refresh-tokens', requirePermission('read'), async (c) => {
        const result: RefreshTokenList = await access.refreshTokens(pathId(c.req.param('userId')));
        return c.json(result);
      })
      // One page as the tenant pages it, for users with many tokens (the full list above is capped).
      .get('/:userId/refresh-tokens/page', requirePermission('read'), query(RefreshTokenPageQuery), async (c) => {
        const { from, take, client_id } = c.req.valid('query');
        const result: RefreshTokenPage = await access.refreshTokenPage(pathId(c.req.param('userId')), {
          ...(from ? { from } : {}),
          take,
          ...(client_id ? { clientId: client_id } : {}),
        });
        return c.json(result);
      })
      .delete('/:userId/refresh-tokens/:tokenId', requirePermission('revoke'), confirmation, async (c) => {
        const tokenId = pathId(c.req.param('tokenId'));
        return c.json(
          await act(
            c,
            pathId(c.req.param('userId')),
            { action: 'refresh_token.revoke', token_id: tokenId },
            c.req.valid('json').expected,
            `refresh token ${tokenId}`,
          ),
        );
      })
      .post('/:userId/refresh-tokens/revoke-all', requirePermission('revoke'), body(RevokeAllTokensBody), async (c) => {
        const { client_id, device_name, expected } = c.req.valid('json');
        const request: ImpactRequest = {
          action: 'refresh_tokens.revoke_all',
          ...(client_id ? { client_id } : {}),
          ...(device_name ? { device_name } : {}),
        };
        const filters = [client_id ? `of ${client_id}` : '', device_name ? `on device "${device_name}"` : '']
          .filter(Boolean)
          .join(' ');
        return c.json(
          await act(
            c,
            pathId(c.req.param('userId')),
            request,
            expected,
            filters ? `all refresh tokens ${filters}` : 'all refresh tokens',
          ),
        );
      })
      .get('/:userId/sessions', requirePermission('read'), async (c) => {
        const result: SessionList = { sessions: await access.sessions(pathId(c.req.param('userId'))) };
        return c.json(result);
      })
      .delete('/:userId/sessions/:sessionId', requirePermission('revoke'), confirmation, async (c) => {
        const sessionId = pathId(c.req.param('sessionId'));
        return c.json(
          await act(
            c,
            pathId(c.req.param('userId')),
            { action: 'session.revoke', session_id: sessionId },
            c.req.valid('json').expected,
            `session ${sessionId}`,
          ),
        );
      })
      .get('/:userId/locations', requirePermission('read'), async (c) => {
        const result: LocationList = { locations: await access.locations(pathId(c.req.param('userId'))) };
        return c.json(result);
      })
      .get('/:userId/security-events', requirePermission('read'), async (c) => {
        const result: SecurityEventList = { events: await access.securityEvents(pathId(c.req.param('userId'))) };
        return c.json(result);
      })
      // "Sign out everywhere" (issue 29): every token and session, and optionally blocking, bound to its preview.
      .post('/:userId/sign-out-everywhere/impact', requirePermission('revoke'), async (c) => {
        const userId = pathId(c.req.param('userId'));
        const impact = await access.signOutImpact(userId);
        await recordRead(c, deps, {
          action: 'user.preview_action',
          target: `preview of user.sign_out_everywhere: ${impact.user_name}`,
          target_user_id: userId,
          detail: `user.sign_out_everywhere would revoke ${impact.tokens} refresh token${impact.tokens === 1 ? '' : 's'} on ${impact.devices.length} device${impact.devices.length === 1 ? '' : 's'} and end ${impact.sessions.length} session${impact.sessions.length === 1 ? '' : 's'}`,
        });
        return c.json(impact);
      })
      .post('/:userId/sign-out-everywhere', requirePermission('revoke'), body(SignOutEverywhereBody), async (c) => {
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
          return c.json(result);
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
      })
      .post('/:userId/impact', requirePermission('revoke'), body(ImpactRequest), async (c) => {
        const userId = pathId(c.req.param('userId'));
        const request = c.req.valid('json');
        const impact: Impact = await access.impact(userId, request);
        await recordRead(c, deps, {
          action: 'user.preview_action',
          target: `preview of ${request.action}: ${impact.target_name}`,
          target_user_id: userId,
          detail: `${request.action} would ${detailOf(impact).replace(/^revoked/, 'revoke')}`,
        });
        return c.json(impact);
      })
  );
}
