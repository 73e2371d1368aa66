import { bindingWords } from '@rtc/contracts/binding';
import type { Impact, ImpactToken } from '@rtc/contracts';
import { listOf, plural } from '../../../lib/format';
import { listShort } from '../../../lib/summarise-list';

const SETTING = 'Refresh Token Revocation Deletes Grant';
const UNNAMED = 'an unnamed device';

/** "3 refresh tokens on iPhone 15", "2 more tokens on Pixel 8 and iPad", "120 refresh tokens on iPhone 15, Pixel 8 and 118 more". */
function onDevices(tokens: ImpactToken[], noun: string): string {
  const devices = [...new Set(tokens.map((t) => t.device_name ?? UNNAMED))];
  return `${plural(tokens.length, noun)} on ${listShort(devices)}`;
}

/**
 * The impact preview in plain words, for the confirmation dialog. Every sentence names
 * exactly what goes, so a support person can read it to a customer.
 */
/** After the action: what was revoked, in one sentence (tokens, devices, applications, sessions). */
export function describeResult(impact: Impact): string {
  const devices = [...new Set(impact.tokens.map((t) => t.device_name ?? 'an unnamed device'))];
  const apps = [...new Set(impact.tokens.map((t) => t.client_name))];
  const parts = [
    impact.tokens.length
      ? `Revoked ${plural(impact.tokens.length, 'refresh token')} on ${plural(devices.length, 'device')} ` +
        `(${listShort(devices)}) of ${plural(apps.length, 'application')} (${listShort(apps)})`
      : 'Revoked no refresh token',
  ];
  if (impact.grants.length)
    parts.push(
      `deleted ${plural(impact.grants.length, 'grant')} (${listShort(impact.grants.map((g) => `${g.client_name} for ${g.api_name}`))})`,
    );
  if (impact.sessions.length) parts.push(`ended ${plural(impact.sessions.length, 'session')}`);
  return `${listOf(parts)}.`;
}

export function describeImpact(impact: Impact): string[] {
  const direct = impact.tokens.filter((t) => t.via === 'target');
  const viaGrant = impact.tokens.filter((t) => t.via === 'grant');
  const grants = impact.grants.map((g) => `${g.client_name} for ${g.api_name}`);

  switch (impact.action) {
    case 'device.unlink':
    case 'device.lost': {
      const sentences = [
        direct.length
          ? `This revokes ${plural(direct.length, 'refresh token')} on ${impact.target_name}.`
          : `This unlinks ${impact.target_name}; it has no live refresh tokens left.`,
      ];
      if (impact.action === 'device.lost') {
        const viaSession = impact.tokens.filter((t) => t.via === 'session');
        sentences.push(
          impact.sessions.length
            ? `It ends ${plural(impact.sessions.length, 'session')} opened from it (${listShort(
                impact.sessions.map((s) => s.description),
                { separator: '; ' },
              )})${viaSession.length ? ` and revokes ${onDevices(viaSession, 'more token')} issued in ${impact.sessions.length > 1 ? 'them' : 'it'}` : ''}.`
            : 'No session at the tenant was opened from it.',
        );
      }
      if (impact.setting_deletes_grant && grants.length) {
        const also = `Because ${SETTING} is on, it also deletes the grant${grants.length > 1 ? 's' : ''} of ${listShort(grants)}`;
        sentences.push(
          viaGrant.length
            ? `${also} and revokes ${onDevices(viaGrant, 'more token')}.`
            : `${also}; no other device uses ${grants.length > 1 ? 'them' : 'it'}.`,
        );
      } else if (!impact.setting_deletes_grant) {
        sentences.push(`${SETTING} is off, so the user's grants stay and their other devices keep working.`);
      }
      return sentences;
    }
    case 'grant.revoke':
      return [
        direct.length
          ? `This deletes the grant of ${impact.target_name} and revokes its ${onDevices(direct, 'refresh token')}.`
          : `This deletes the grant of ${impact.target_name}. No refresh token uses it now.`,
        'The user will have to sign in to that application again.',
      ];
    case 'refresh_token.revoke':
      return [
        `This revokes the refresh token of ${impact.target_name}. The application will have to sign the user in again there.`,
        // The tenant applies the flag to /oauth/revoke and unlinking only; the Management API's revoke leaves the grant.
        `It does not delete the grant, whatever ${SETTING} says: the user's other devices keep working.`,
        ...(impact.tokens[0]?.binding ? [`Binding: ${bindingWords(impact.tokens[0].binding)}.`] : []),
      ];
    case 'refresh_tokens.revoke_all': {
      if (direct.length === 0) return [`There is no live refresh token of ${impact.target_name} to revoke.`];
      return [
        `This revokes all ${onDevices(direct, 'refresh token')} of ${impact.target_name}. The user stays signed in nowhere that depends on them.`,
      ];
    }
    case 'session.revoke':
      return [
        direct.length
          ? `This ends ${impact.target_name} and revokes the ${onDevices(direct, 'refresh token')} issued in it.`
          : `This ends ${impact.target_name}. No refresh token was issued in it.`,
      ];
  }
}
