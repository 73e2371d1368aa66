import { bindingOf, type AuthorizedApp, type Device, type RefreshToken, type Session } from '@rtc/contracts';
import type { DeviceCredential, MgmtGrant, MgmtRefreshToken, MgmtSession } from '../management/gateway.ts';
import { placeOf } from './ip-places.ts';
import { theftSignals } from './theft-signals.ts';
import { describeAgent } from './user-agent.ts';

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
    if (credential.token_id) names.set(credential.token_id, deviceNameOf(credential));
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
    // The embedded tenant's `dpop_jkt` (RFC 9449 sender-constraining); Auth0's bodies have none: unknown, not bearer.
    binding: bindingOf((token as { dpop_jkt?: unknown }).dpop_jkt),
    signals: [],
  };
}

/** The device a credential is on, by name, as the Devices tab groups them. */
export const deviceNameOf = (credential: DeviceCredential): string => credential.device_name || UNNAMED_DEVICE;

/**
 * Whether a device credential is one of the device's refresh tokens: what the Devices tab counts
 * and what unlinking the device revokes. A real Auth0 tenant also lists a device's public keys
 * among its device credentials; they are not refresh tokens, so they are neither counted nor
 * deleted.
 */
export const isRefreshTokenCredential = (credential: DeviceCredential): boolean => credential.type !== 'public_key';

/** A device's refresh-token credentials: the one definition the tab, the preview and the unlink share. */
export const refreshTokenCredentialsOf = (credentials: DeviceCredential[], deviceName: string): DeviceCredential[] =>
  credentials.filter((c) => isRefreshTokenCredential(c) && deviceNameOf(c) === deviceName);

/** Devices as the Auth0 Dashboard lists them: by name, with their number of refresh tokens. */
export function groupDevices(credentials: DeviceCredential[], tokens: RefreshToken[], names: Names): Device[] {
  const tokenById = new Map(tokens.map((t) => [t.id, t]));
  const devices = new Map<string, Device>();
  const lastActivity = new Map<string, string>();
  for (const credential of credentials) {
    if (!isRefreshTokenCredential(credential)) continue;
    const name = deviceNameOf(credential);
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
