import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import proxyAddr from 'proxy-addr';

/**
 * The caller's address. With `trustedHops` proxies in front (0: none; TENANT_TRUST_PROXY and
 * BFF_TRUST_PROXY), X-Forwarded-For is read from the right: the socket's peer is the last
 * proxy, each trusted proxy appended the address it saw, so the client is the right-most
 * address that no trusted proxy vouches for. The left-most entries are whatever the client
 * chose to send, never trusted. Null when the request came without a socket (in-process tests).
 */
export function clientIp(c: Context, trustedHops: number): string | null {
  const socket = normalizeIp(socketAddress(c));
  if (trustedHops <= 0) return socket;
  const forwardedFor = c.req.header('x-forwarded-for');
  // proxy-addr reads only these two fields of a node request: the peer and the header.
  const seenBy = {
    socket: { remoteAddress: socket ?? undefined },
    headers: { 'x-forwarded-for': forwardedFor },
  } as unknown as IncomingMessage;
  // Index 0 is the socket's peer, 1 the right-most forwarded address, and so on.
  const client = normalizeIp(proxyAddr(seenBy, (_address, index) => index < trustedHops) ?? null);
  // A trusted proxy writes addresses; anything else there means a misconfigured chain.
  return client !== null && isIP(client) ? client : socket;
}

/** The TCP peer, from @hono/node-server's own reading of the connection. */
function socketAddress(c: Context): string | null {
  const bindings = c.env as { incoming?: unknown; server?: { incoming?: unknown } } | undefined;
  if (!bindings?.incoming && !bindings?.server?.incoming) return null;
  return getConnInfo(c).remote.address ?? null;
}

/** IPv4 addresses arrive on dual-stack sockets as `::ffff:a.b.c.d`; the world writes `a.b.c.d`. */
function normalizeIp(address: string | null): string | null {
  if (!address) return null;
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
