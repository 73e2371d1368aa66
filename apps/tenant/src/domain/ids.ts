import { randomId } from '../crypto/secrets.ts';

const TIME_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** 8 base62 characters of the timestamp, so ids sort by creation (checkpoint paging does). */
function timePrefix(ms: number): string {
  let n = Math.max(0, Math.floor(ms));
  let out = '';
  for (let i = 0; i < 8; i++) {
    out = TIME_ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/** Ids the Management API shows. They name things; they grant nothing. */
export const ids = {
  refreshToken: (now: number) => `${timePrefix(now)}${randomId(16)}`,
  grant: () => randomId(24),
  session: (now: number) => `${timePrefix(now)}${randomId(16)}`,
  revocationJob: (now: number) => `rvk_${timePrefix(now)}${randomId(8)}`,
  event: (now: number) => `${timePrefix(now)}${randomId(12)}`,
  user: () => `auth0|${randomId(24).toLowerCase()}`,
  clientGrant: () => randomId(16, 'cgr_'),
  resourceServer: () => randomId(24),
  /** An access token's `jti` (RFC 9068 2.2): 24 base62 characters, about 143 bits, so no two issues collide. */
  accessToken: () => randomId(24),
};

/** A refresh token's id as a device credential (Auth0 prefixes those with `dcr_`). */
export const deviceCredentialId = (refreshTokenId: string) => `dcr_${refreshTokenId}`;
export const refreshTokenIdOfDeviceCredential = (id: string) => (id.startsWith('dcr_') ? id.slice(4) : undefined);
