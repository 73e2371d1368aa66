import type {
  ExpectedImpact,
  Impact,
  ImpactRequest,
  ImpactSession,
  ImpactToken,
  RefreshToken,
  Session,
} from '@rtc/contracts';
import { revocationDeletesGrant } from '@rtc/contracts/revocation-flag';
import type { DeviceCredential, MgmtGrant } from '../management/gateway.ts';
import {
  apiName,
  describeSession,
  type Names,
  refreshTokenCredentialsOf,
  tokensOfGrant,
  UNNAMED_DEVICE,
} from './user-view.ts';

/**
 * What a destructive action on a user's access will revoke (its impact, shown before it runs),
 * and how a fresh impact differs from the one the person confirmed. Pure functions, no I/O.
 */

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
 * (Auth0's "Refresh Token Revocation Deletes Grant" setting). A lost device is unlinked the same way and also loses the sessions its
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
      const credentials = refreshTokenCredentialsOf(data.credentials, request.device_name);
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
