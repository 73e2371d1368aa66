import type { ClientRecord } from './model.ts';

/**
 * What a client's credentials vouch for, and when that ends. A Management API
 * token outlives the secret it was bought with (24 hours), so a rotated secret, a changed auth
 * method, or client_credentials taken away must end the tokens issued before, at once.
 *
 * Why a stamp in the token rather than comparing its `iat` with the change: `iat` has second
 * granularity, so a token issued in the same second as the change cannot be told before from
 * after. Refusing that whole second would refuse the token a client fetches right after
 * rotating its secret; accepting it would let a holder of the old secret, fetching tokens in a
 * loop, keep one from just before the change. So the client keeps `credentials_changed_at`
 * (ms, strictly increasing), a client_credentials token carries the value it was issued under
 * (CREDENTIALS_CLAIM, absent while the client never changed, so those tokens are Auth0's as
 * before), and the Management API accepts a token only while the two are equal. Exact, and no
 * clocks compared.
 */

/** The private claim of client_credentials tokens: the client's `credentials_changed_at` at issue. */
export const CREDENTIALS_CLAIM = 'https://refresh-token-console/credentials_changed_at';

/** Whether `after` ends what `before`'s credentials vouched for: another secret (or none), another auth method, or client_credentials taken away. */
export function credentialsChanged(before: ClientRecord, after: ClientRecord): boolean {
  const secretChanged =
    before.client_secret_hash === null || after.client_secret_hash === null
      ? before.client_secret_hash !== after.client_secret_hash
      : !before.client_secret_hash.equals(after.client_secret_hash);
  return (
    secretChanged ||
    before.token_endpoint_auth_method !== after.token_endpoint_auth_method ||
    (before.grant_types.includes('client_credentials') && !after.grant_types.includes('client_credentials'))
  );
}

/** `after`, stamped as changed at `now` if its credentials changed (strictly after any earlier stamp, so two changes in one ms differ). */
export function stampCredentials(before: ClientRecord, after: ClientRecord, now: number): ClientRecord {
  if (!credentialsChanged(before, after)) return after;
  return { ...after, credentials_changed_at: Math.max(now, (before.credentials_changed_at ?? 0) + 1) };
}

/** Whether a verified client_credentials token's claims were issued under the client's current credentials. */
export function issuedUnderCurrentCredentials(
  claims: Record<string, unknown>,
  client: Pick<ClientRecord, 'credentials_changed_at'>,
): boolean {
  return (claims[CREDENTIALS_CLAIM] ?? 0) === (client.credentials_changed_at ?? 0);
}
