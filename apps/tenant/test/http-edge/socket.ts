import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo, Socket } from 'node:net';
import {
  Agent,
  buildConnector,
  fetch as undiciFetch,
  type RequestInit as UndiciRequestInit,
  type Response as UndiciResponse,
} from 'undici';

/**
 * An app on a free port of 127.0.0.1, served as `npm run tenant` serves it (@hono/node-server
 * over node:http), counting the TCP connections it accepts: a test can then tell a reused
 * keep-alive connection from a fresh one.
 */
export async function servedCounting(fetch: (req: Request) => Response | Promise<Response>) {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  server.on('connection', (socket: Socket) => {
    accepted++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    /** TCP connections accepted so far. */
    accepted: () => accepted,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A client as the auth0 SDK and most Node apps are: undici's fetch over a keep-alive pool,
 * here of exactly one connection, so every request reuses the connection of the one before.
 * It counts the connections it opens, so a test sees a connection lost to a reset.
 */
export function oneConnection(base: string) {
  const connector = buildConnector({});
  let opened = 0;
  const agent = new Agent({
    connections: 1,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
    connect: (options, callback) => {
      opened++;
      connector(options, callback);
    },
  });
  return {
    fetch: (path: string, init: UndiciRequestInit = {}): Promise<UndiciResponse> =>
      undiciFetch(`${base}${path}`, { ...init, dispatcher: agent }),
    /** Connections opened so far. */
    opened: () => opened,
    close: () => agent.close(),
  };
}

/** What went wrong on the wire, readable in an assertion message. */
export function describeFailure(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return `${e.message ?? String(err)}${e.cause ? ` (${e.cause.code ?? ''} ${e.cause.message ?? ''})` : ''}`;
}
