import {
  bindingOf,
  type AuthorizedApp,
  type Device,
  type ExpectedImpact,
  type Impact,
  type ImpactRequest,
  type ImpactSession,
  type ImpactToken,
  type RefreshToken,
  type Session,
} from '@rtc/contracts';
import { revocationDeletesGrant } from '@rtc/contracts/revocation-flag';
import type { DeviceCredential, MgmtGrant, MgmtRefreshToken, MgmtSession } from '../management/gateway.ts';
import { describeAddress, placeChange, placeOf } from './ip-places.ts';
import { describeAgent, parseAgent } from './user-agent.ts';

/**
 * What the console shows of one user, joined from the Management API's separate lists:
 * refresh tokens (full detail, no device name), device credentials (device names), grants,
 * sessions. Pure functions, no I/O: the routes fetch, these join.
 */

export const UNNAMED_DEVICE = 'Unnamed device';
const USERINFO_API = 'User profile (OpenID Connect)';

export interface Names {
  clients: Map<string, string>;
  apis: Map<string, string>;
}

const iso = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/**
 * Device names by refresh token id, from the credentials the gateway could join to their
 * token. Where it could not (a real Auth0 tenant), a token's device name is unknown (null) and
 * the console describes it by its user agent instead.
 */
export function deviceNamesByTokenId(credentials: DeviceCredential[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const credential of credentials) {
    if (credential.token_id) names.set(credential.token_id, credential.device_name || UNNAMED_DEVICE);
  }
  return names;
}

/** The Management API's device fields (optional strings) as the console's (null when unknown). */
function deviceInfo(device: Record<string, unknown> | undefined): RefreshToken['device'] {
  const d = device ?? {};
  return {
    initial_ip: str(d.initial_ip),
    initial_asn: str(d.initial_asn),
    initial_user_agent: str(d.initial_user_agent),
    last_ip: str(d.last_ip),
    last_asn: str(d.last_asn),
    last_user_agent: str(d.last_user_agent),
    initial_agent: describeAgent(str(d.initial_user_agent)),
    last_agent: describeAgent(str(d.last_user_agent)),
    initial_place: placeOf(str(d.initial_ip), str(d.initial_asn)),
    last_place: placeOf(str(d.last_ip), str(d.last_asn)),
  };
}

/**
 * How a token's last use differs from its issue, in sentences for a support person: another
 * agent family (an app's token replayed by curl), or another network. Networks are compared by
 * ASN when the tenant knows it; by address only when it knows no ASN for either, since a phone
 * changes address within its carrier all day.
 */
export function theftSignals(d: RefreshToken['device']): string[] {
  const signals: string[] = [];
  const first = parseAgent(d.initial_user_agent);
  const last = parseAgent(d.last_user_agent);
  if (first && last && first.family !== last.family)
    signals.push(`Last used by ${last.description}, but issued to ${first.description}.`);
  const moved = placeChange(d);
  if (moved !== undefined) {
    if (moved) signals.push(moved);
  } else if (d.initial_asn && d.last_asn) {
    if (d.initial_asn !== d.last_asn)
      signals.push(
        `Last used from network ${d.last_asn}${d.last_ip ? ` (${d.last_ip})` : ''}, but issued on ${d.initial_asn}.`,
      );
  } else if (!d.initial_asn && !d.last_asn && d.initial_ip && d.last_ip && d.initial_ip !== d.last_ip) {
    signals.push(
      `Last used from ${describeAddress(d.last_ip, d.last_place)}, but issued at ${describeAddress(d.initial_ip, d.initial_place)}.`,
    );
  }
  return signals;
}

export function apiName(audience: string, names: Names): string {
  return names.apis.get(audience) ?? (audience.endsWith('/userinfo') ? USERINFO_API : audience);
}

export function toRefreshToken(token: MgmtRefreshToken, deviceNames: Map<string, string>, names: Names): RefreshToken {
  const view = toRefreshTokenView(token, deviceNames, names);
  return { ...view, signals: theftSignals(view.device) };
}

function toRefreshTokenView(token: MgmtRefreshToken, deviceNames: Map<string, string>, names: Names): RefreshToken {
  return {
    id: token.id!,
    client_id: token.client_id!,
    client_name: names.clients.get(token.client_id!) ?? token.client_id!,
    device_name: deviceNames.get(token.id!) ?? null,
    session_id: str(token.session_id),
    rotating: token.rotating ?? false,
    created_at: iso(token.created_at),
    last_exchanged_at: iso(token.last_exchanged_at),
    expires_at: iso(token.expires_at),
    idle_expires_at: iso(token.idle_expires_at),
    device: deviceInfo(token.device),
    resource_servers: (token.resource_servers ?? []).map((rs) => ({
      audience: rs.audience ?? '',
      api_name: apiName(rs.audience ?? '', names),
      scopes: (rs.scopes ?? '').split(' ').filter(Boolean),
    })),
    metadata: (token.refresh_token_metadata ?? {}) as Record<string, unknown>,
    // The embedded tenant's `dpop_jkt` (issue 30); Auth0's bodies have none: unknown, not bearer.
    binding: bindingOf((token as { dpop_jkt?: unknown }).dpop_jkt),
    signals: [],
  };
}

/** Devices as the Auth0 Dashboard lists them: by name, with their number of refresh tokens. */
export function groupDevices(credentials: DeviceCredential[], tokens: RefreshToken[], names: Names): Device[] {
  const tokenById = new Map(tokens.map((t) => [t.id, t]));
  const devices = new Map<string, Device>();
  const lastActivity = new Map<string, string>();
  for (const credential of credentials) {
    if (credential.type === 'public_key') continue;
    const name = credential.device_name || UNNAMED_DEVICE;
    const device = devices.get(name) ?? {
      name,
      token_count: 0,
      applications: [],
      credential_ids: [],
      last_used_at: null,
      last_ip: null,
      last_place: null,
      last_user_agent: null,
      last_agent: null,
      signals: [],
      reuse: [],
      session_ids: [],
    };
    device.token_count += 1;
    device.credential_ids.push(credential.id!);
    if (credential.client_id && !device.applications.some((a) => a.client_id === credential.client_id)) {
      device.applications.push({
        client_id: credential.client_id,
        name: names.clients.get(credential.client_id) ?? credential.client_id,
      });
    }
    const token = credential.token_id ? tokenById.get(credential.token_id) : undefined;
    for (const signal of token?.signals ?? []) if (!device.signals.includes(signal)) device.signals.push(signal);
    if (token?.session_id && !device.session_ids.includes(token.session_id)) device.session_ids.push(token.session_id);
    // "Last used" is the Refresh Tokens tab's "Last exchanged" of the device's newest-exchanged
    // token, the same value: never exchanged is "Never", not the time it was issued. The
    // address and agent shown are those of the device's most recent activity (an issue counts).
    const activeAt = token ? (token.last_exchanged_at ?? token.created_at) : null;
    if (token && activeAt && activeAt > (lastActivity.get(name) ?? '')) {
      lastActivity.set(name, activeAt);
      device.last_ip = token.device.last_ip;
      device.last_place = token.device.last_place ?? null;
      device.last_user_agent = token.device.last_user_agent;
      device.last_agent = token.device.last_agent;
    }
    if (token?.last_exchanged_at && (!device.last_used_at || token.last_exchanged_at > device.last_used_at))
      device.last_used_at = token.last_exchanged_at;
    devices.set(name, device);
  }
  const activity = (d: Device) => lastActivity.get(d.name) ?? '';
  return [...devices.values()].sort((a, b) => activity(b).localeCompare(activity(a)) || a.name.localeCompare(b.name));
}

/** The tokens a grant covers: same application, and the grant's API among the token's. */
export function tokensOfGrant(grant: Pick<MgmtGrant, 'clientID' | 'audience'>, tokens: RefreshToken[]): RefreshToken[] {
  return tokens.filter(
    (t) => t.client_id === grant.clientID && t.resource_servers.some((rs) => rs.audience === grant.audience),
  );
}

export function authorizedApps(grants: MgmtGrant[], tokens: RefreshToken[], names: Names): AuthorizedApp[] {
  return grants
    .map((grant) => {
      const covered = tokensOfGrant(grant, tokens);
      const first =
        covered
          .map((t) => t.created_at)
          .filter((d): d is string => d !== null)
          .sort()[0] ?? null;
      return {
        grant_id: grant.id!,
        client_id: grant.clientID!,
        client_name: names.clients.get(grant.clientID!) ?? grant.clientID!,
        audience: grant.audience!,
        api_name: apiName(grant.audience!, names),
        scopes: grant.scope ?? [],
        first_token_at: first,
        token_count: covered.length,
        device_names: [...new Set(covered.map((t) => t.device_name ?? UNNAMED_DEVICE))].sort((a, b) =>
          a.localeCompare(b),
        ),
      };
    })
    .sort((a, b) => a.client_name.localeCompare(b.client_name) || a.api_name.localeCompare(b.api_name));
}

export function toSession(session: MgmtSession, tokens: RefreshToken[], names: Names): Session {
  return {
    id: session.id!,
    created_at: iso(session.created_at),
    last_interacted_at: iso(session.last_interacted_at),
    authenticated_at: iso(session.authenticated_at),
    expires_at: iso(session.expires_at),
    idle_expires_at: iso(session.idle_expires_at),
    device: deviceInfo(session.device),
    applications: (session.clients ?? []).map((c) => ({
      client_id: c.client_id!,
      name: names.clients.get(c.client_id!) ?? c.client_id!,
    })),
    authentication_methods: (session.authentication?.methods ?? []).map((m) => m.name ?? 'unknown'),
    token_count: tokens.filter((t) => t.session_id === session.id).length,
    device_names: [
      ...new Set(tokens.filter((t) => t.session_id === session.id && t.device_name).map((t) => t.device_name!)),
    ].sort((a, b) => a.localeCompare(b)),
  };
}

/** A session in words: "Chrome 126 on ChromeOS (Jane's Chromebook), 203.0.113.7". */
export function describeSession(session: Session): string {
  const agent = session.device.last_agent ?? session.device.initial_agent ?? 'an unknown agent';
  const where = session.device.last_ip ?? session.device.initial_ip;
  return `${agent}${session.device_names.length ? ` (${session.device_names.join(', ')})` : ''}${where ? `, ${where}` : ''}`;
}

/** What the impact is computed from: the user's lists as loaded for this request. */
export interface ImpactData {
  tokens: RefreshToken[];
  grants: MgmtGrant[];
  credentials: DeviceCredential[];
  sessions: Session[];
  settingDeletesGrant: boolean;
  names: Names;
}

/**
 * Exactly what a destructive action will revoke, given "Refresh Token Revocation Deletes
 * Grant". Unlinking a device revokes its tokens, and with the setting on also deletes each
 * of their grants, taking that application's tokens for the same API on every other device
 * (reference 002). A lost device is unlinked the same way and also loses the sessions its
 * tokens were issued in, with every token issued in them. Revoking a grant always takes all
 * of its tokens. Revoking one token, the table's filtered tokens, or a session revokes just
 * those tokens.
 */
export function computeImpact(request: ImpactRequest, data: ImpactData): Impact | undefined {
  const { tokens, grants, names } = data;
  const asImpactToken = (t: RefreshToken, via: ImpactToken['via']): ImpactToken => ({
    id: t.id,
    client_id: t.client_id,
    client_name: t.client_name,
    device_name: t.device_name,
    binding: t.binding,
    via,
  });
  const grantSummary = (g: MgmtGrant) => ({
    grant_id: g.id!,
    client_name: names.clients.get(g.clientID!) ?? g.clientID!,
    api_name: apiName(g.audience!, names),
  });
  const sessionSummary = (s: Session): ImpactSession => ({ session_id: s.id, description: describeSession(s) });
  const base = {
    action: request.action,
    setting_deletes_grant: data.settingDeletesGrant,
    sessions: [] as ImpactSession[],
  };

  switch (request.action) {
    case 'device.unlink':
    case 'device.lost': {
      const credentials = data.credentials.filter((c) => (c.device_name || UNNAMED_DEVICE) === request.device_name);
      if (credentials.length === 0) return undefined;
      const targetIds = new Set(credentials.map((c) => c.token_id ?? c.id!));
      const targets = tokens.filter((t) => targetIds.has(t.id));
      // The flag's consequence from the one rule the tenant plans by (@rtc/contracts/revocation-flag):
      // the preview must say it before anything is revoked, so the console computes it, from
      // the setting the tenant reports, against the embedded tenant and a real Auth0 alike.
      const affectedGrants = revocationDeletesGrant('device_unlinked', {
        revoke_refresh_token_grant: data.settingDeletesGrant,
      })
        ? grants.filter((g) =>
            targets.some(
              (t) => t.client_id === g.clientID && t.resource_servers.some((rs) => rs.audience === g.audience),
            ),
          )
        : [];
      const seen = new Set(targetIds);
      const more = affectedGrants
        .flatMap((g) => tokensOfGrant(g, tokens))
        .filter((t) => !seen.has(t.id) && seen.add(t.id));
      // Credentials whose token is not in the loaded list still count as targets.
      const loaded = new Set(tokens.map((t) => t.id));
      const unseen = credentials
        .filter((c) => !c.token_id || !loaded.has(c.token_id))
        .map(
          (c): ImpactToken => ({
            id: c.id!,
            client_id: c.client_id!,
            client_name: names.clients.get(c.client_id!) ?? c.client_id!,
            device_name: request.device_name,
            binding: null,
            via: 'target',
          }),
        );
      const sessionIds = new Set(targets.map((t) => t.session_id).filter((id): id is string => id !== null));
      const ended = request.action === 'device.lost' ? data.sessions.filter((s) => sessionIds.has(s.id)) : [];
      const inSessions = tokens.filter(
        (t) => t.session_id !== null && ended.some((s) => s.id === t.session_id) && !seen.has(t.id) && seen.add(t.id),
      );
      return {
        ...base,
        target_name: request.device_name,
        tokens: [
          ...targets.map((t) => asImpactToken(t, 'target')),
          ...unseen,
          ...more.map((t) => asImpactToken(t, 'grant')),
          ...inSessions.map((t) => asImpactToken(t, 'session')),
        ],
        grants: affectedGrants.map(grantSummary),
        sessions: ended.map(sessionSummary),
      };
    }
    case 'grant.revoke': {
      const grant = grants.find((g) => g.id === request.grant_id);
      if (!grant) return undefined;
      return {
        ...base,
        target_name: `${names.clients.get(grant.clientID!) ?? grant.clientID} for ${apiName(grant.audience!, names)}`,
        tokens: tokensOfGrant(grant, tokens).map((t) => asImpactToken(t, 'target')),
        grants: [grantSummary(grant)],
      };
    }
    case 'refresh_token.revoke': {
      const token = tokens.find((t) => t.id === request.token_id);
      if (!token) return undefined;
      return {
        ...base,
        target_name: `${token.client_name} on ${token.device_name ?? UNNAMED_DEVICE}`,
        tokens: [asImpactToken(token, 'target')],
        grants: [],
      };
    }
    case 'refresh_tokens.revoke_all': {
      // Exactly the rows the refresh-token table shows under these filters.
      const covered = tokens.filter(
        (t) =>
          (!request.client_id || t.client_id === request.client_id) &&
          (!request.device_name || (t.device_name ?? UNNAMED_DEVICE) === request.device_name),
      );
      const app = request.client_id ? (names.clients.get(request.client_id) ?? request.client_id) : 'every application';
      return { ...base, target_name: app, tokens: covered.map((t) => asImpactToken(t, 'target')), grants: [] };
    }
    case 'session.revoke': {
      const session = data.sessions.find((s) => s.id === request.session_id);
      if (!session) return undefined;
      return {
        ...base,
        target_name: `the session from ${describeSession(session)}`,
        tokens: tokens.filter((t) => t.session_id === session.id).map((t) => asImpactToken(t, 'target')),
        grants: [],
        sessions: [sessionSummary(session)],
      };
    }
  }
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const devicesOf = (tokens: ImpactToken[]) =>
  [...new Set(tokens.map((t) => t.device_name ?? UNNAMED_DEVICE))].join(', ');

/**
 * How a fresh impact differs from the one the person confirmed, in sentences; empty when the
 * action may run. The setting is compared only where it changes what the action does.
 */
export function impactChanges(expected: ExpectedImpact | undefined, impact: Impact): string[] {
  if (!expected) return ['no preview was confirmed'];
  const changes: string[] = [];
  const diff = <T>(now: T[], key: (x: T) => string, before: string[]) => {
    const was = new Set(before);
    const is = new Set(now.map(key));
    return { added: now.filter((x) => !was.has(key(x))), removed: before.filter((id) => !is.has(id)) };
  };
  const settingMatters = impact.action === 'device.unlink' || impact.action === 'device.lost';
  if (settingMatters && expected.setting_deletes_grant !== impact.setting_deletes_grant) {
    changes.push(`Refresh Token Revocation Deletes Grant is now ${impact.setting_deletes_grant ? 'on' : 'off'}`);
  }
  const tokens = diff(impact.tokens, (t) => t.id, expected.token_ids);
  if (tokens.added.length)
    changes.push(`${count(tokens.added.length, 'more refresh token')} would be revoked, on ${devicesOf(tokens.added)}`);
  if (tokens.removed.length)
    changes.push(
      `${count(tokens.removed.length, 'previewed refresh token')} ${tokens.removed.length === 1 ? 'is' : 'are'} already gone`,
    );
  const grants = diff(impact.grants, (g) => g.grant_id, expected.grant_ids);
  if (grants.added.length)
    changes.push(
      `the grant${grants.added.length === 1 ? '' : 's'} of ${grants.added.map((g) => `${g.client_name} for ${g.api_name}`).join(', ')} would be deleted too`,
    );
  if (grants.removed.length)
    changes.push(`${count(grants.removed.length, 'previewed grant')} would no longer be deleted`);
  const sessions = diff(impact.sessions, (s) => s.session_id, expected.session_ids);
  if (sessions.added.length)
    changes.push(
      `${count(sessions.added.length, 'more session')} would end: ${sessions.added.map((s) => s.description).join('; ')}`,
    );
  if (sessions.removed.length)
    changes.push(
      `${count(sessions.removed.length, 'previewed session')} ${sessions.removed.length === 1 ? 'has' : 'have'} ended already`,
    );
  return changes;
}
