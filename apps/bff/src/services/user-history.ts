import {
  AUDIT_ACTION_LABELS,
  LOG_TYPE_WORDS,
  type AuditAction,
  type AuditEntry,
  type EndedSession,
  type HistoryEntry,
  type RevokedHistory,
  type RevokedToken,
  type UserHistory,
} from '@rtc/contracts';
import { attributeToStaff, CROSS_USER_REVOCATIONS, NEAR_MS } from '../domain/staff-attribution.ts';
import type { BffStore } from '../store/bff-store.ts';
import type { ManagementGateway, MgmtLog } from '../management/gateway.ts';
import type { ManagementHttp } from '../management/management-http.ts';

/** How far back the console looks in its own audit log when the tenant keeps no revocation history. */
export const AUDIT_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;
/** The tenant's revocation reasons (its `revoked_reason`), as the way in. */
const WAYS: Record<string, string> = {
  management_api: 'revoked one refresh token (Management API)',
  oauth_revoke: 'revoked by the application (/oauth/revoke)',
  grant_deleted: 'its authorized application (grant) was revoked',
  session_revoked: 'its session was revoked',
  user_tokens_revoked: "all of the user's refresh tokens were revoked",
  client_tokens_revoked: "all of the application's refresh tokens were revoked",
  reuse_detected: 'a rotated token was reused: the family was revoked',
  entity_limit: 'the oldest beyond the per-user limit',
  device_unlinked: 'its device was unlinked',
  code_reused: 'its authorization code was used twice',
};

type TenantRevocationHistory = {
  retention_days: number;
  refresh_tokens: {
    id: string;
    client_id: string;
    device_name: string | null;
    revoked_at: string | null;
    revoked_reason: string | null;
  }[];
  sessions: {
    id: string;
    ended_at: string | null;
    clients: { client_id: string }[];
    device?: { last_ip?: string | null };
  }[];
};

const text = (v: unknown) => (typeof v === 'string' ? v : null);
const dateOf = (log: MgmtLog) => (typeof log.date === 'string' ? log.date : null);

export class UserHistoryService {
  constructor(
    private readonly mgmt: ManagementGateway,
    private readonly http: ManagementHttp,
    private readonly store: BffStore,
    private readonly now: () => number,
  ) {}

  /** The changes the console made to this user since `since`, and its revocations across users then. */
  private async audits(userId: string, since: number): Promise<AuditEntry[]> {
    const from = new Date(since).toISOString();
    const base = { page: 0, per_page: 200, result: 'success' as const, from };
    const pages = await Promise.all([
      this.store.listAudit({ ...base, user_id: userId, kind: 'change' }),
      ...CROSS_USER_REVOCATIONS.map((action) => this.store.listAudit({ ...base, action })),
    ]);
    const byId = new Map(pages.flatMap((p) => p.entries).map((e) => [e.id, e]));
    return [...byId.values()];
  }

  async history(userId: string, page: number, perPage: number): Promise<UserHistory> {
    const [{ logs, total }, { clients }] = await Promise.all([
      this.mgmt.userLogsPage(userId, page, perPage),
      this.mgmt.names(),
    ]);
    const dates = logs
      .map(dateOf)
      .filter((d): d is string => d !== null)
      .map(Date.parse);
    const audits =
      dates.length && logs.some((l) => l.type === 'sapi')
        ? await this.audits(userId, Math.min(...dates) - NEAR_MS)
        : [];
    const entries = logs.map((log): HistoryEntry => {
      const details = (log.details ?? {}) as Record<string, unknown>;
      const words = LOG_TYPE_WORDS[log.type ?? ''] ?? { kind: 'other' as const, label: log.type ?? 'Event' };
      const tokenIds = Array.isArray(details.refresh_token_ids)
        ? details.refresh_token_ids.filter((id): id is string => typeof id === 'string')
        : [];
      const refreshTokenId = text(details.refresh_token_id) ?? (tokenIds.length === 1 ? tokenIds[0]! : null);
      const sessionId = text(details.session_id);
      const grantId = text(details.grant_id);
      const clientId = text(log.client_id);
      // The tenant logs a Management API call under the console's own client: the
      // application it touched is in the details.
      const appId = log.type === 'sapi' ? text(details.client_id) : clientId;
      return {
        id: log.log_id ?? `${log.date}-${log.type}`,
        at: dateOf(log),
        type: log.type ?? 'unknown',
        kind: words.kind,
        label: log.type === 'sapi' && log.description ? log.description : words.label,
        description: log.description ?? '',
        client_id: appId,
        client_name: appId ? (clients.get(appId) ?? text(log.client_name) ?? appId) : null,
        ip: text(log.ip),
        device_name: text(details.device_name),
        refresh_token_id: refreshTokenId,
        session_id: sessionId,
        staff:
          log.type === 'sapi'
            ? attributeToStaff(audits, {
                ids: [refreshTokenId, sessionId, grantId, ...tokenIds],
                at: dateOf(log),
                userId,
              })
            : null,
      };
    });
    return { entries, total, page, per_page: perPage };
  }

  /**
   * The applications whose every token was revoked while this user held some (the tenant's
   * `client_tokens_revoked`): their application-wide audit entries touched the user. None
   * where the tenant keeps no revocation history, or knows no such user.
   */
  async applicationsRevokedFor(userId: string): Promise<string[]> {
    const res = await this.http.request(
      'read the revoked tokens',
      `/users/${encodeURIComponent(userId)}/revocation-history`,
    );
    if (res.status === 404) {
      await res.body?.cancel();
      return [];
    }
    const body = (await res.json()) as TenantRevocationHistory;
    return [
      ...new Set(
        body.refresh_tokens.filter((t) => t.revoked_reason === 'client_tokens_revoked').map((t) => t.client_id),
      ),
    ];
  }

  async revoked(userId: string): Promise<RevokedHistory> {
    const res = await this.http.request(
      'read the revoked tokens and ended sessions',
      `/users/${encodeURIComponent(userId)}/revocation-history`,
    );
    if (res.status === 404) {
      const body = (await res.json().catch(() => ({}))) as { errorCode?: string };
      // The embedded tenant's own 404 names the user; any other 404 means the route is not there.
      if (body.errorCode === 'inexistent_user') return this.mgmt.getUser(userId).then(() => this.fromAudit(userId));
      return this.fromAudit(userId);
    }
    const body = (await res.json()) as TenantRevocationHistory;
    const { clients } = await this.mgmt.names();
    const audits = await this.audits(userId, this.now() - body.retention_days * DAY_MS - NEAR_MS);
    const refresh_tokens = body.refresh_tokens.map((t): RevokedToken => {
      // Reuse, the per-user limit and the app's own revocation are not the console's doing.
      const notStaff =
        t.revoked_reason === 'reuse_detected' ||
        t.revoked_reason === 'entity_limit' ||
        t.revoked_reason === 'oauth_revoke';
      const staff = notStaff
        ? null
        : attributeToStaff(audits, {
            ids: [t.id],
            at: t.revoked_at,
            reason: t.revoked_reason,
            userId,
            clientId: t.client_id,
          });
      return {
        id: t.id,
        client_id: t.client_id,
        client_name: clients.get(t.client_id) ?? t.client_id,
        device_name: t.device_name,
        revoked_at: t.revoked_at,
        // The console's action says more than the tenant's reason (an unlinked device is a Management API revocation to it).
        way: staff
          ? `${AUDIT_ACTION_LABELS[staff.action as AuditAction] ?? staff.action} (console)`
          : (WAYS[t.revoked_reason ?? ''] ?? t.revoked_reason ?? 'revoked'),
        staff,
      };
    });
    const sessions = body.sessions.map(
      (s): EndedSession => ({
        id: s.id,
        ended_at: s.ended_at,
        applications: s.clients.map((c) => clients.get(c.client_id) ?? c.client_id),
        last_ip: s.device?.last_ip ?? null,
        staff: attributeToStaff(audits, { ids: [s.id], at: s.ended_at, userId }),
      }),
    );
    return { source: 'tenant', retention_days: body.retention_days, note: null, refresh_tokens, sessions, actions: [] };
  }

  /** A tenant that keeps no revocation history (a real Auth0 tenant): the console's own audit of this user. */
  private async fromAudit(userId: string): Promise<RevokedHistory> {
    const audits = await this.audits(userId, this.now() - AUDIT_RETENTION_DAYS * DAY_MS);
    return {
      source: 'audit',
      retention_days: AUDIT_RETENTION_DAYS,
      note:
        `This tenant keeps no history of revoked tokens or ended sessions (Auth0 lists only live ones). Shown ` +
        `instead: what was revoked through this console in the last ${AUDIT_RETENTION_DAYS} days, from its ` +
        `audit log; what the user, the application or another tool revoked is not here.`,
      refresh_tokens: [],
      sessions: [],
      actions: audits
        .filter((a) => a.target_user_id === userId)
        .map((a) => ({
          audit_id: a.id,
          at: a.at,
          action: a.action,
          actor: a.actor.name,
          target: a.target,
          detail: a.detail,
        })),
    };
  }
}
