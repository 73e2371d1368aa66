/**
 * A bulk revocation (a user's, a grant's, a session's, an application's tokens) is in force the
 * moment it is journaled; the revocation worker marks its rows afterwards, in batches, which at
 * an application's million tokens takes minutes (a bare UPDATE of 500,000 of them alone took
 * 28 s on the bench machine: four partial indexes lose an entry per row). The exchange path asks
 * whether a journaled job covers the row it read; listings, counts, summaries and searches leave
 * such rows out. So what the Management API lists agrees with what the tenant refuses from the
 * moment the revocation answered, however long the marking takes.
 *
 * The same text for both stores (standard SQL); each passes how it names the token's columns:
 * the table's columns in a listing, placeholders when checking one row it has read.
 */
export interface TokenColumnsSql {
  /** The token's place in insertion order: a job's `cutoff` covers tokens up to it. */
  seq: string;
  id: string;
  user_id: string;
  client_id: string;
  audience: string;
  grant_id: string;
  session_id: string;
  device_name: string;
}

/** `EXISTS (...)`: a journaled job, not yet applied to the row, covers this token. */
export function coveredByPendingRevocation(t: TokenColumnsSql): string {
  const j = 'revocation_jobs';
  return `EXISTS (SELECT 1 FROM ${j} WHERE ${j}.cutoff >= ${t.seq} AND (
      (${j}.kind = 'token' AND ${j}.token_id = ${t.id})
      OR (${j}.kind = 'user' AND ${j}.user_id = ${t.user_id}
        AND (${j}.client_id IS NULL OR ${j}.client_id = ${t.client_id}) AND (${j}.audience IS NULL OR ${j}.audience = ${t.audience}))
      OR (${j}.kind = 'grant' AND ${j}.grant_id = ${t.grant_id})
      OR (${j}.kind = 'session' AND ${j}.session_id = ${t.session_id})
      OR (${j}.kind = 'client' AND ${j}.client_id = ${t.client_id} AND (${j}.audience IS NULL OR ${j}.audience = ${t.audience}))
      OR (${j}.kind = 'device' AND ${j}.user_id = ${t.user_id} AND ${j}.device_name = ${t.device_name})))`;
}

/** The columns of the `refresh_tokens` row in scope, with the store's name for its sequence. */
export const tableColumns = (seq: 'rowid' | 'seq'): TokenColumnsSql => ({
  seq: `refresh_tokens.${seq}`,
  id: 'refresh_tokens.id',
  user_id: 'refresh_tokens.user_id',
  client_id: 'refresh_tokens.client_id',
  audience: 'refresh_tokens.audience',
  grant_id: 'refresh_tokens.grant_id',
  session_id: 'refresh_tokens.session_id',
  device_name: 'refresh_tokens.device_name',
});
