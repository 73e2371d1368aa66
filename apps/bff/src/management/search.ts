import type { SessionSearchFilter, TokenSearchFilter } from '@rtc/contracts';
import { ManagementHttp } from './management-http.ts';
import type { ManagementTokenProvider } from './token-provider.ts';

/** What the tenant records of where a token or session was first and last seen. */
export interface TenantDevice {
  initial_ip?: string;
  initial_asn?: string;
  initial_user_agent?: string;
  last_ip?: string;
  last_asn?: string;
  last_user_agent?: string;
}

/** A refresh token as GET /api/v2/refresh-tokens/{id} serializes it (the search uses the same serializer). */
export interface TenantRefreshToken {
  id: string;
  user_id: string;
  client_id: string;
  session_id?: string | null;
  created_at?: string;
  last_exchanged_at?: string | null;
  device?: TenantDevice;
  device_name?: string | null;
  /** The DPoP key's thumbprint, null for a bearer token; absent from a tenant that does not say. */
  dpop_jkt?: string | null;
}

/** A session as GET /api/v2/sessions/{id} serializes it. */
export interface TenantSession {
  id: string;
  user_id: string;
  created_at?: string;
  authenticated_at?: string;
  last_interacted_at?: string;
  device?: TenantDevice;
  clients?: { client_id: string }[];
}

/**
 * `limited`: past 10,000 matches the tenant stops counting (tokens or sessions 10,000, users
 * and devices counted over those). A tenant from before that answers no `limited`: false.
 */
export type TenantTokenPage = {
  refresh_tokens: TenantRefreshToken[];
  next: string | null;
  totals: { tokens: number; users: number; devices: number; limited: boolean } | null;
};
export type TenantSessionPage = {
  sessions: TenantSession[];
  next: string | null;
  totals: { sessions: number; users: number; limited: boolean } | null;
};
const withLimited = <T extends object>(
  totals: (T & { limited?: unknown }) | undefined,
): (T & { limited: boolean }) | null => (totals ? { ...totals, limited: totals.limited === true } : null);

/** Said in the console where search results would be, when the tenant cannot search. */
export const SEARCH_UNAVAILABLE =
  "This tenant's Management API cannot search across users (Auth0 lists refresh tokens and sessions per " +
  'user only; the search is an extension of the embedded tenant, GET /api/v2/refresh-tokens/search and ' +
  '/api/v2/sessions/search). Finding every token or session used from an address, network, agent or ' +
  'device, and revoking such a result, cannot be offered here: open each user instead.';

const paramsOf = (
  filter: Record<string, string | undefined>,
  page: { take: number; from?: string | undefined; totals: boolean },
) => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value !== undefined) params.set(key, value);
  params.set('take', String(page.take));
  if (page.from) params.set('from', page.from);
  if (page.totals) params.set('include_totals', 'true');
  return params.toString();
};
const cursor = (next: unknown, rows: unknown[]) =>
  typeof next === 'string' && next !== '' && rows.length > 0 ? next : null;

/**
 * The search across users: GET /api/v2/refresh-tokens/search and
 * /api/v2/sessions/search, extensions of the embedded tenant (not Auth0's). Each answers one
 * page; null where the tenant answers 404 (a real Auth0 tenant has no such route).
 */
export class SearchGateway {
  private readonly http: ManagementHttp;

  constructor(baseUrl: string, tokens: ManagementTokenProvider, fetchImpl: typeof fetch) {
    this.http = new ManagementHttp(baseUrl, tokens, fetchImpl);
  }

  async tokens(
    filter: TokenSearchFilter,
    page: { take: number; from?: string | undefined; totals: boolean },
  ): Promise<TenantTokenPage | null> {
    const res = await this.http.request(
      'search refresh tokens across users',
      `/refresh-tokens/search?${paramsOf(filter, page)}`,
    );
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    const body = (await res.json()) as {
      refresh_tokens?: TenantRefreshToken[];
      next?: unknown;
      totals?: { tokens: number; users: number; devices: number; limited?: unknown };
    };
    const rows = body.refresh_tokens ?? [];
    return { refresh_tokens: rows, next: cursor(body.next, rows), totals: withLimited(body.totals) };
  }

  async sessions(
    filter: SessionSearchFilter,
    page: { take: number; from?: string | undefined; totals: boolean },
  ): Promise<TenantSessionPage | null> {
    const res = await this.http.request('search sessions across users', `/sessions/search?${paramsOf(filter, page)}`);
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    const body = (await res.json()) as {
      sessions?: TenantSession[];
      next?: unknown;
      totals?: { sessions: number; users: number; limited?: unknown };
    };
    const rows = body.sessions ?? [];
    return { sessions: rows, next: cursor(body.next, rows), totals: withLimited(body.totals) };
  }
}
