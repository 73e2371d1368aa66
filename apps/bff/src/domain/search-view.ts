import {
  bindingOf,
  type SearchSighting,
  type SearchUser,
  type SessionSearchRow,
  type TokenCounts,
  type TokenSearchFilter,
  type TokenSearchRow,
} from '@rtc/contracts';
import { createHash } from 'node:crypto';
import type { TenantDevice, TenantRefreshToken, TenantSession } from '../management/search.ts';
import { placeOf } from './ip-places.ts';
import { describeAgent } from './user-agent.ts';
import type { Names } from './user-view.ts';

/**
 * The search across users as the console shows it: the tenant's rows joined with
 * the users' names and the applications', each address with its network and country and each
 * agent in a few words (the same lookups as the user pages). Pure functions, no I/O.
 */

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

function sighting(ip: unknown, asn: unknown, userAgent: unknown): SearchSighting {
  return {
    ip: str(ip),
    asn: str(asn),
    user_agent: str(userAgent),
    agent: describeAgent(str(userAgent)),
    place: placeOf(str(ip), str(asn)),
  };
}
const initialOf = (d: TenantDevice | undefined) => sighting(d?.initial_ip, d?.initial_asn, d?.initial_user_agent);
const lastOf = (d: TenantDevice | undefined) => sighting(d?.last_ip, d?.last_asn, d?.last_user_agent);

/** Users the page names, by id; one the tenant no longer knows is shown by its id. */
export type UserNames = Map<string, { email: string | null; name: string | null }>;
const userOf = (userId: string, users: UserNames): SearchUser => ({
  user_id: userId,
  email: users.get(userId)?.email ?? null,
  name: users.get(userId)?.name ?? null,
});

export function toTokenRow(token: TenantRefreshToken, users: UserNames, names: Names): TokenSearchRow {
  return {
    id: token.id,
    user: userOf(token.user_id, users),
    application: { client_id: token.client_id, name: names.clients.get(token.client_id) ?? token.client_id },
    device_name: str(token.device_name),
    session_id: str(token.session_id),
    created_at: str(token.created_at),
    last_used_at: str(token.last_exchanged_at) ?? str(token.created_at),
    initial: initialOf(token.device),
    last: lastOf(token.device),
    binding: bindingOf(token.dpop_jkt),
  };
}

export function toSessionRow(session: TenantSession, users: UserNames, names: Names): SessionSearchRow {
  return {
    id: session.id,
    user: userOf(session.user_id, users),
    applications: (session.clients ?? []).map((c) => ({
      client_id: c.client_id,
      name: names.clients.get(c.client_id) ?? c.client_id,
    })),
    created_at: str(session.created_at),
    authenticated_at: str(session.authenticated_at),
    last_used_at: str(session.last_interacted_at) ?? str(session.created_at),
    initial: initialOf(session.device),
    last: lastOf(session.device),
  };
}

/**
 * What a preview is bound to: SHA-256 (hex) of the matched token ids, sorted and joined by
 * newlines. Equal counts can hide one token revoked and another issued; equal digests cannot.
 */
export function digestOf(ids: string[]): string {
  return createHash('sha256')
    .update([...ids].sort().join('\n'))
    .digest('hex');
}

/** Tokens, users, and devices (distinct user and device name, as the tenant counts them). */
export function countTokens(tokens: Pick<TenantRefreshToken, 'user_id' | 'device_name'>[]): TokenCounts {
  return {
    tokens: tokens.length,
    users: new Set(tokens.map((t) => t.user_id)).size,
    devices: new Set(tokens.map((t) => JSON.stringify([t.user_id, t.device_name ?? null]))).size,
  };
}

/** The users with most of the rows (tokens or sessions), most first (ties by id, so a preview reads the same twice). */
export function topUsers(rows: { user_id: string }[], limit: number): { user_id: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.user_id, (counts.get(row.user_id) ?? 0) + 1);
  return [...counts]
    .map(([user_id, count]) => ({ user_id, count }))
    .sort((a, b) => b.count - a.count || a.user_id.localeCompare(b.user_id))
    .slice(0, limit);
}

const FILTER_LABELS: Record<keyof TokenSearchFilter, string> = {
  ip: 'address',
  asn: 'network',
  user_agent: 'user agent containing',
  device_name: 'device name containing',
  client_id: 'application',
  last_used_from: 'last used from',
  last_used_to: 'last used before',
  dpop: 'DPoP binding',
};

/** The filter in words, for the audit log: `address 203.0.113.0/24, application "Acme Mobile" (abc)`. */
export function describeFilter(filter: Partial<TokenSearchFilter>, names: Names): string {
  return (Object.keys(FILTER_LABELS) as (keyof TokenSearchFilter)[])
    .filter((key) => filter[key] !== undefined)
    .map((key) => {
      const value = filter[key]!;
      if (key === 'client_id') return `${FILTER_LABELS[key]} "${names.clients.get(value) ?? value}" (${value})`;
      if (key === 'user_agent' || key === 'device_name') return `${FILTER_LABELS[key]} "${value}"`;
      return `${FILTER_LABELS[key]} ${value}`;
    })
    .join(', ');
}
