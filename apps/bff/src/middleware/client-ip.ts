import type { Context } from 'hono';
import { isIP } from 'node:net';

/**
 * The caller's address, as the tenant reads it (apps/tenant/src/http/params.ts): with
 * `trustedHops` proxies in front (BFF_TRUST_PROXY, 0 by default) the right-most address of
 * X-Forwarded-For that no trusted proxy vouches for; never the left-most, which the client
 * chose. Kept here rather than imported: the BFF stands on no tenant code.
 */
export function clientIp(c: Context, trustedHops: number): string | null {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  const socket = normalize(incoming?.socket?.remoteAddress ?? null);
  if (trustedHops <= 0) return socket;
  const forwarded = (c.req.header('x-forwarded-for') ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  const chain = [...forwarded, socket];
  const client = normalize(chain[Math.max(0, chain.length - 1 - trustedHops)] ?? null);
  return client !== null && isIP(client) ? client : socket;
}

function normalize(address: string | null): string | null {
  if (!address) return null;
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
