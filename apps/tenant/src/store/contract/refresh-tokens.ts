import type { NewRefreshToken, RefreshTokenRecord, RotationOutcome, RotationPlanner } from '../../domain/model.ts';
import type { RevokeReason } from '../../domain/revocation.ts';
import type { CheckpointPage, Page } from './paging.ts';

/** Live refresh tokens of one application (see summarizeRefreshTokensByClient below). */
export interface ClientTokenCounts {
  client_id: string;
  tokens: number;
  users: number;
  devices: number;
  /** How many of `tokens` are DPoP-bound (`dpop_jkt` set); the rest are bearer tokens. */
  bound: number;
  /** The insertion order of the newest of these tokens: a revocation given it covers no later one. */
  issued_through: number;
}

/**
 * What the Management API shows of a refresh token, and all a listing reads of each row: no
 * secret hashes, scope, audience or revocation columns (a page of 50 at 1M tokens).
 */
export type RefreshTokenSummary = Pick<
  RefreshTokenRecord,
  | 'id'
  | 'user_id'
  | 'client_id'
  | 'session_id'
  | 'rotating'
  | 'resource_servers'
  | 'metadata'
  | 'created_at'
  | 'expires_at'
  | 'idle_expires_at'
  | 'last_exchanged_at'
  | 'device'
  | 'dpop_jkt'
>;

export interface RefreshTokenFilter {
  user_id?: string;
  rotating?: boolean;
  client_id?: string;
  audience?: string;
  session_id?: string;
  device_name?: string;
  grant_id?: string;
}

/**
 * Search across users (the tenant's extension, not Auth0's: GET /api/v2/refresh-tokens/search):
 * every given condition must hold. Strings come validated and normalised by the route.
 */
export interface RefreshTokenSearch {
  /** Inclusive range of address keys (`addressKey` of @rtc/ip-intel): the initial OR the last address in it. */
  ip?: { from: Buffer; to: Buffer };
  /** "AS64500": the initial OR the last ASN. */
  asn?: string;
  /** Substring, ASCII case-insensitive, of the initial OR the last user agent. */
  user_agent?: string;
  /** Substring, ASCII case-insensitive, of the device name. */
  device_name?: string;
  client_id?: string;
  /** Last used (last exchange, or creation if never exchanged) at or after, in ms. */
  last_used_from?: number;
  /** Last used strictly before, in ms. */
  last_used_to?: number;
  /** DPoP (RFC 9449): only tokens bound to a key (`dpop_jkt` set), or only bearer ones. */
  dpop?: 'bound' | 'bearer';
}

/** What a search answers of each token: what the API shows, and the device name. */
export type RefreshTokenSearchHit = RefreshTokenSummary & Pick<RefreshTokenRecord, 'device_name'>;

/** Refresh tokens: issued, rotated under a lock on their family, listed, searched and revoked by id. */
export interface RefreshTokenStore {
  /** Issues a token; revokes the oldest of (user, client) beyond `activeLimit`. */
  issueRefreshToken(token: NewRefreshToken, activeLimit: number): Promise<{ revokedForLimit: string[] }>;
  /**
   * Looks the presented secret up and, under a lock on its family, asks `planner` what to
   * do, then applies the plan in the same transaction. Exactly one of several concurrent
   * exchanges of one secret can see it as `current`.
   */
  rotateRefreshToken(secretHash: Buffer, now: number, planner: RotationPlanner): Promise<RotationOutcome>;
  /** Finds the token a secret belongs to, and whether it is usable now (no state change). */
  findRefreshTokenBySecret(
    secretHash: Buffer,
    now: number,
  ): Promise<{ token: RefreshTokenRecord; usable: boolean } | undefined>;
  getRefreshToken(id: string): Promise<RefreshTokenRecord | undefined>;
  /** Live tokens only (not revoked, not expired), ordered by id, checkpoint-paged. */
  listRefreshTokens(
    filter: RefreshTokenFilter,
    now: number,
    from: string | undefined,
    take: number,
  ): Promise<CheckpointPage<RefreshTokenRecord>>;
  /**
   * The Management API's listing of one user's live tokens (of one application when given):
   * `listRefreshTokens` reading only the columns the API shows. With `userMustExist`, the page
   * is empty unless the user exists, read by the same statement, so a caller that must answer
   * 404 for an unknown user looks the user up only when the page is empty (a deleted user's
   * tokens stay live until the background revocation marks them).
   */
  listRefreshTokenSummaries(
    filter: { user_id: string; client_id?: string },
    now: number,
    from: string | undefined,
    take: number,
    options?: { userMustExist?: boolean },
  ): Promise<CheckpointPage<RefreshTokenSummary>>;
  /** Live tokens, ordered by id, offset-paged with a total (the device-credentials listing). */
  pageRefreshTokens(
    filter: RefreshTokenFilter,
    now: number,
    page: number,
    perPage: number,
  ): Promise<Page<RefreshTokenRecord>>;
  /** Includes revoked tokens, newest first; for the dashboard's history. */
  listRefreshTokensHistory(
    filter: RefreshTokenFilter,
    page: number,
    perPage: number,
  ): Promise<Page<RefreshTokenRecord>>;
  /** A user's tokens whose rows are marked revoked at or after `since`, the latest revoked first, at most `limit`. */
  listRevokedRefreshTokens(userId: string, since: number, limit: number): Promise<RefreshTokenRecord[]>;
  countLiveRefreshTokens(filter: RefreshTokenFilter, now: number): Promise<number>;
  /**
   * Live tokens per application: how many, of how many users, on how many devices (a user's
   * device name; a user's unnamed tokens count as one device). Every application with live
   * tokens, or only `client_id`. For the console's Applications area.
   */
  summarizeRefreshTokensByClient(now: number, clientId?: string): Promise<ClientTokenCounts[]>;
  /** The users with live tokens of one application, most tokens first (then by user id), at most `limit`. */
  listRefreshTokenUsersOfClient(
    clientId: string,
    now: number,
    limit: number,
  ): Promise<{ user_id: string; tokens: number }[]>;
  /**
   * Live tokens matching every condition of `filter`, ordered by id, checkpoint-paged. Like
   * every listing, it leaves out tokens a journaled bulk revocation covers, marked or not.
   */
  searchRefreshTokens(
    filter: RefreshTokenSearch,
    now: number,
    from: string | undefined,
    take: number,
  ): Promise<CheckpointPage<RefreshTokenSearchHit>>;
  /** Live tokens whose initial or last address lies in `range`, counted from the address indexes alone, no further than `limit` + 1. */
  countAddressCandidates(range: { from: Buffer; to: Buffer }, limit: number): Promise<number>;
  /**
   * How many live tokens `searchRefreshTokens` finds, of how many users, on how many devices (as the
   * summary counts them), counting no further than `limit` (then `limited`, and the counts of those: at least).
   */
  countRefreshTokenSearch(
    filter: RefreshTokenSearch,
    now: number,
    limit: number,
  ): Promise<{ tokens: number; users: number; devices: number; limited: boolean }>;
  updateRefreshTokenMetadata(id: string, metadata: Record<string, string>): Promise<RefreshTokenRecord | undefined>;
  /** Revokes tokens by id at once. Returns the ids that were live. */
  revokeRefreshTokens(ids: string[], reason: RevokeReason, now: number): Promise<string[]>;
}
