import {
  bindingOf,
  searchNarrows,
  type Role,
  type TokenBinding,
  WIDE_SEARCH_REVOKE_REASON,
  type SessionSearchFilter,
  type SessionSearchImpact,
  type SessionSearchQuery,
  type SessionSearchResult,
  type TokenSearchFilter,
  type TokenSearchImpact,
  type TokenSearchQuery,
  type TokenSearchResult,
} from '@rtc/contracts';
import { BffError } from '../errors.ts';
import { countTokens, digestOf, toSessionRow, toTokenRow, topUsers } from '../domain/search-view.ts';
import type { SupportRevokeLimits } from '../config.ts';
import type { ApplicationsGateway } from '../management/applications.ts';
import type { ManagementGateway } from '../management/gateway.ts';
import { consoleRoleOf } from '../domain/staff-role.ts';
import {
  SEARCH_UNAVAILABLE,
  type SearchGateway,
  type TenantRefreshToken,
  type TenantSession,
} from '../management/search.ts';

/** A result set revoked at once is at most this many tokens by default (config.search.tokenLimit): past it, narrow the search. */
export const SEARCH_REVOKE_LIMIT = 10_000;
/** Sessions end one Management API call each (no bulk call exists): fewer at once by default (config.search.sessionLimit). */
export const SESSION_REVOKE_LIMIT = 1_000;
/** By default a result of more than 1,000 tokens, or more than half an application's live tokens, is an admin's to revoke (config.supportRevoke). */
export const SUPPORT_REVOKE_LIMITS: SupportRevokeLimits = { maxTokens: 1_000, maxSharePercent: 50 };
const END_CONCURRENCY = 4;
/** The tenant's bulk revocation takes at most this many ids a call. */
const REVOKE_BATCH = 100;
/** The tenant's largest page, used to collect a result set for the preview. */
const COLLECT_PAGE = 100;
const FIRST_USERS = 10;
/** User names are read per user (the Management API has no lookup of many ids at once): remembered briefly, for paging back and forth. */
const USER_TTL_MS = 60_000;
const MAX_USERS_REMEMBERED = 5_000;
const LOOKUP_CONCURRENCY = 8;

/** The binding preview, with what it counted: the ids the revocation acts on. */
export type CollectedImpact = TokenSearchImpact & {
  ids: string[];
  /** The DPoP binding of each id, as the tenant reported it (null: it did not say), for the audit log. */
  bindings: Map<string, TokenBinding>;
  /** Every user holding one of them, with how many (the incident view counts users across tokens and sessions). */
  perUser: Map<string, number>;
};
export type CollectedSessionImpact = SessionSearchImpact & { ids: string[]; perUser: Map<string, number> };

const countPerUser = (rows: { user_id: string }[]) => {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.user_id, (counts.get(row.user_id) ?? 0) + 1);
  return counts;
};

/**
 * A revocation the tenant failed part-way: `done` of the ids went (those listed), the rest did
 * not, or not for certain. Carries the tenant's error (its status: 502, 503 with Retry-After).
 */
export class PartialRevocation extends Error {
  constructor(
    readonly done: string[],
    readonly notDone: string[],
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'PartialRevocation';
  }
}

const filterOf = <T extends { take?: number; from?: string | undefined }>(query: T): Omit<T, 'take' | 'from'> => {
  const { take: _take, from: _from, ...filter } = query;
  return filter;
};

/**
 * Search across users: pages of refresh tokens and sessions as the console shows
 * them, and the binding preview of revoking a token result set, collected from the tenant's
 * pages. A tenant without the search (404: a real Auth0 tenant) gets the sentence instead.
 */
export class SearchService {
  private readonly users = new Map<
    string,
    { at: number; email: string | null; name: string | null; role: Role | null }
  >();

  constructor(
    private readonly search: SearchGateway,
    private readonly mgmt: ManagementGateway,
    private readonly apps: ApplicationsGateway,
    private readonly now: () => number = Date.now,
    private readonly limits: { tokenLimit: number; sessionLimit: number } = {
      tokenLimit: SEARCH_REVOKE_LIMIT,
      sessionLimit: SESSION_REVOKE_LIMIT,
    },
    private readonly supportLimits: SupportRevokeLimits = SUPPORT_REVOKE_LIMITS,
    /** The ID-token claim that carries a console role (config.oidc.rolesClaim): a user holding one is staff. */
    private readonly rolesClaim: string,
  ) {}

  /**
   * One page as the console shows it. Counting is the costly part of a search at the tenant:
   * only the first page (no `from`) asks for totals; the dashboard keeps them while paging.
   */
  async tokens(query: TokenSearchQuery): Promise<TokenSearchResult> {
    const page = await this.search.tokens(filterOf(query), {
      take: query.take,
      from: query.from,
      totals: query.from === undefined,
    });
    if (!page) return { tokens: [], next: null, totals: null, unavailable: SEARCH_UNAVAILABLE };
    const [names, users] = await Promise.all([
      this.mgmt.names(),
      this.userNames(page.refresh_tokens.map((t) => t.user_id)),
    ]);
    return {
      tokens: page.refresh_tokens.map((t) => toTokenRow(t, users, names)),
      next: page.next,
      totals: page.totals,
      unavailable: null,
    };
  }

  async sessions(query: SessionSearchQuery): Promise<SessionSearchResult> {
    const page = await this.search.sessions(filterOf(query), {
      take: query.take,
      from: query.from,
      totals: query.from === undefined,
    });
    if (!page) return { sessions: [], next: null, totals: null, unavailable: SEARCH_UNAVAILABLE };
    const [names, users] = await Promise.all([this.mgmt.names(), this.userNames(page.sessions.map((s) => s.user_id))]);
    return {
      sessions: page.sessions.map((s) => toSessionRow(s, users, names)),
      next: page.next,
      totals: page.totals,
      unavailable: null,
    };
  }

  /**
   * What revoking the result set would revoke, now: every matching token, collected page by
   * page (up to the token limit), counted, and bound by the digest of their ids. The first
   * page's totals already tell a result past the limit (or one the tenant stopped counting,
   * `limited`): then over_limit at once, one tenant call, not a hundred pages for nothing.
   */
  async tokenImpact(filter: TokenSearchFilter): Promise<CollectedImpact> {
    const limit = this.limits.tokenLimit;
    const matched: TenantRefreshToken[] = [];
    let from: string | undefined;
    let tenantTotals: TokenSearchImpact['totals'] | null = null;
    let overLimit = false;
    for (;;) {
      const page = await this.search.tokens(filter, { take: COLLECT_PAGE, from, totals: from === undefined });
      if (!page) throw new BffError(501, 'search_unavailable', SEARCH_UNAVAILABLE);
      tenantTotals ??= page.totals;
      matched.push(...page.refresh_tokens);
      if (matched.length > limit || (tenantTotals && (tenantTotals.limited || tenantTotals.tokens > limit))) {
        overLimit = true;
        break;
      }
      if (!page.next) break;
      from = page.next;
    }
    // Within the limit the counts are of exactly the tokens collected; past it, the tenant's.
    const totals = overLimit && tenantTotals ? tenantTotals : { ...countTokens(matched), limited: false };
    const top = topUsers(matched, FIRST_USERS);
    const users = await this.userNames(top.map((u) => u.user_id));
    const ids = overLimit ? [] : matched.map((t) => t.id);
    return {
      filter,
      totals,
      first_users: top.map((u) => ({
        user_id: u.user_id,
        email: users.get(u.user_id)?.email ?? null,
        tokens: u.count,
      })),
      digest: digestOf(ids),
      over_limit: overLimit,
      limit,
      admin_only: searchNarrows(filter)
        ? ((await this.applicationWide(matched, overLimit ? totals.tokens : null)) ?? (await this.staffAmong(matched)))
        : WIDE_SEARCH_REVOKE_REASON,
      ids,
      bindings: new Map(overLimit ? [] : matched.map((t) => [t.id, bindingOf(t.dpop_jkt)])),
      perUser: countPerUser(matched),
    };
  }

  /**
   * Why revoking these is an admin's when the result reaches a staff member (a user holding a
   * console role): their credentials are the console's keys, as on the user page, however
   * narrow the search that found them. Every user of the result is looked up (cached a minute).
   */
  private async staffAmong(matched: { user_id: string }[]): Promise<string | null> {
    const users = await this.userNames(matched.map((m) => m.user_id));
    const staff = [...users.values()].filter((u) => u.role !== null);
    if (staff.length === 0) return null;
    const who = staff
      .slice(0, 3)
      .map((u) => `${u.email ?? u.name ?? 'a user'} (${u.role})`)
      .join(', ');
    return (
      `Only an admin may revoke this result: it reaches ` +
      `${staff.length === 1 ? 'a staff member' : `${staff.length} staff members`}, ${who}${staff.length > 3 ? ' and more' : ''}, ` +
      `whose credentials are the console's keys. Narrow the search to leave them out, or ask an admin.`
    );
  }

  /**
   * Why revoking these tokens is an admin's, decided on the result however the filter was
   * shaped: more tokens than support may revoke at once, or all (or more than the configured
   * share) of an application's live tokens, which is what the Applications area reserves to
   * admins. Null: support may. Without the tenant's counts (a tenant with no summary) only the
   * size is judged.
   */
  private async applicationWide(
    matched: TenantRefreshToken[],
    countedPastLimit: number | null,
  ): Promise<string | null> {
    const { maxTokens, maxSharePercent } = this.supportLimits;
    const size = countedPastLimit ?? matched.length;
    if (size > maxTokens)
      return (
        `Only an admin may revoke this result: it holds ${size.toLocaleString('en-US')} refresh tokens, ` +
        `more than the ${maxTokens.toLocaleString('en-US')} support may revoke at once. Narrow the search, or ask an admin.`
      );
    const perApplication = new Map<string, number>();
    for (const token of matched) perApplication.set(token.client_id, (perApplication.get(token.client_id) ?? 0) + 1);
    if (perApplication.size === 0) return null;
    const [summary, names] = await Promise.all([this.apps.summary(), this.mgmt.names()]);
    if (!summary) return null;
    for (const [clientId, count] of perApplication) {
      const live = summary.applications.find((a) => a.client_id === clientId)?.tokens ?? 0;
      const name = names.clients.get(clientId) ?? clientId;
      if (count >= live) {
        return (
          `Only an admin may revoke this result: it holds all ${live.toLocaleString('en-US')} live ` +
          `refresh token${live === 1 ? '' : 's'} of ${name}, as revoking it in the Applications area does. Ask an admin.`
        );
      }
      if (count * 100 > live * maxSharePercent) {
        const percent = Math.round((count * 100) / live);
        return (
          `Only an admin may revoke this result: it holds ${count.toLocaleString('en-US')} ` +
          `of the ${live.toLocaleString('en-US')} live ` +
          `refresh tokens of ${name} (${percent}%, more than ${maxSharePercent}%). Narrow the search, or ask an admin.`
        );
      }
    }
    return null;
  }

  /** What ending every session the search finds would end, now: as tokenImpact, up to the session limit. */
  async sessionImpact(filter: SessionSearchFilter): Promise<CollectedSessionImpact> {
    const limit = this.limits.sessionLimit;
    const matched: TenantSession[] = [];
    let from: string | undefined;
    let tenantTotals: SessionSearchImpact['totals'] | null = null;
    let overLimit = false;
    for (;;) {
      const page = await this.search.sessions(filter, { take: COLLECT_PAGE, from, totals: from === undefined });
      if (!page) throw new BffError(501, 'search_unavailable', SEARCH_UNAVAILABLE);
      tenantTotals ??= page.totals;
      matched.push(...page.sessions);
      if (matched.length > limit || (tenantTotals && (tenantTotals.limited || tenantTotals.sessions > limit))) {
        overLimit = true;
        break;
      }
      if (!page.next) break;
      from = page.next;
    }
    const totals =
      overLimit && tenantTotals
        ? tenantTotals
        : { sessions: matched.length, users: new Set(matched.map((s) => s.user_id)).size, limited: false };
    const top = topUsers(matched, FIRST_USERS);
    const users = await this.userNames(top.map((u) => u.user_id));
    const ids = overLimit ? [] : matched.map((s) => s.id);
    return {
      filter,
      totals,
      first_users: top.map((u) => ({
        user_id: u.user_id,
        email: users.get(u.user_id)?.email ?? null,
        sessions: u.count,
      })),
      digest: digestOf(ids),
      over_limit: overLimit,
      limit,
      admin_only: searchNarrows(filter) ? await this.staffAmong(matched) : WIDE_SEARCH_REVOKE_REASON,
      ids,
      perUser: countPerUser(matched),
    };
  }

  /**
   * Ends exactly these sessions and revokes the refresh tokens issued in them (POST
   * /api/v2/sessions/{id}/revoke, as the user page's "Revoke session"), END_CONCURRENCY at a
   * time; a session gone meanwhile counts as ended. The first failure stops the rest (the
   * calls under way finish): PartialRevocation says which ended and which did not.
   */
  async endSessions(ids: string[]): Promise<void> {
    let next = 0;
    let failure: { err: unknown } | null = null;
    const done: string[] = [];
    const worker = async () => {
      while (next < ids.length && !failure) {
        const id = ids[next++]!;
        try {
          await this.mgmt.revokeSession(id).catch((err: unknown) => {
            if (!(err instanceof BffError && err.code === 'not_found')) throw err;
          });
          done.push(id);
        } catch (err) {
          failure ??= { err };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(END_CONCURRENCY, ids.length) }, worker));
    if (failure) {
      const ended = new Set(done);
      throw new PartialRevocation(
        done,
        ids.filter((id) => !ended.has(id)),
        (failure as { err: unknown }).err,
      );
    }
  }

  /**
   * Exactly these tokens, 100 ids a call (POST /api/v2/refresh-tokens/revoke {ids}), in order;
   * a call failing stops there: PartialRevocation says which batches went before it.
   */
  async revoke(ids: string[]): Promise<void> {
    for (let at = 0; at < ids.length; at += REVOKE_BATCH) {
      try {
        await this.mgmt.revokeTokensByIds(ids.slice(at, at + REVOKE_BATCH));
      } catch (err) {
        throw new PartialRevocation(ids.slice(0, at), ids.slice(at), err);
      }
    }
  }

  /** Email of each user (cached a minute), for a preview naming the users it reaches. */
  async emails(ids: string[]): Promise<Map<string, string | null>> {
    const users = await this.userNames(ids);
    return new Map([...users].map(([id, u]) => [id, u.email]));
  }

  /** Email and name of each user, read at most LOOKUP_CONCURRENCY at a time; a user gone since is left out. */
  private async userNames(
    ids: string[],
  ): Promise<Map<string, { email: string | null; name: string | null; role: Role | null }>> {
    const now = this.now();
    const result = new Map<string, { email: string | null; name: string | null; role: Role | null }>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const known = this.users.get(id);
      if (known && now - known.at < USER_TTL_MS) result.set(id, known);
      else missing.push(id);
    }
    let next = 0;
    const worker = async () => {
      while (next < missing.length) {
        const id = missing[next++]!;
        const user = await this.mgmt.getUser(id).catch((err: unknown) => {
          if (err instanceof BffError && err.code === 'not_found') return undefined;
          throw err;
        });
        if (!user) continue;
        const entry = {
          at: now,
          email: typeof user.email === 'string' ? user.email : null,
          name: typeof user.name === 'string' ? user.name : null,
          role: consoleRoleOf(user, this.rolesClaim),
        };
        result.set(id, entry);
        if (this.users.size >= MAX_USERS_REMEMBERED) this.users.delete(this.users.keys().next().value!);
        this.users.delete(id);
        this.users.set(id, entry);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, missing.length) }, worker));
    return result;
  }
}
