import type { Impact, ImpactRequest } from '@rtc/contracts';
import { bindingsInWords } from '../domain/token-binding.ts';

/** A user action in the audit log's words: what it revoked, deleted and ended, each by id. */

/** How a destructive action is described in the audit log. */
export function detailOf(impact: Impact): string {
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
export function namedTarget(request: ImpactRequest, impact: Impact): string | undefined {
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
