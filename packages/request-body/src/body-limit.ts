import type { Context, MiddlewareHandler, Next } from 'hono';
import { IncomingMessage } from 'node:http';

export interface BodyLimitOptions {
  /** Largest body a handler may see; a larger one is refused with `onTooLarge`. */
  maxBytes: number;
  /**
   * How much of a refused body is still read (and thrown away) before answering. A client
   * that is still uploading when the answer arrives has its connection torn down (undici
   * reports `UND_ERR_SOCKET`, and the pooled connection is lost with the request after
   * it); read to the end, the answer arrives on a healthy keep-alive connection. Past this
   * bound the answer says `Connection: close` and the server stops reading.
   */
  drainBytes?: number;
  /** The error to answer a body over `maxBytes` with (its status is the caller's: 413). */
  onTooLarge(c: Context): Error;
}

/** 8 MiB: a few seconds of upload at worst, far above any real request to this service. */
const DEFAULT_DRAIN_BYTES = 8 * 1024 * 1024;

/**
 * Reads every request body completely, up to a bound, before any handler runs, so no
 * answer (413, 401, 404, a validation error) is ever sent while the client is still
 * uploading. Handlers then read the buffered body with `c.req.text()` as usual.
 *
 * Not Hono's `bodyLimit`: it answers 413 as soon as the declared length or the bytes read pass
 * the limit, and lets a body within its declared length stream on unread, so a client still
 * uploading then has its keep-alive connection torn down. This one drains first.
 */
export function bodyLimit(options: BodyLimitOptions): MiddlewareHandler {
  const drainBytes = Math.max(options.drainBytes ?? DEFAULT_DRAIN_BYTES, options.maxBytes);
  return async function bodyLimit(c, next) {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (incoming instanceof IncomingMessage) return readIncoming(c, next, incoming, options, drainBytes);
    const raw = c.req.raw;
    if (raw.body === null) return next();

    const declared = Number(raw.headers.get('content-length') ?? Number.NaN);
    if (declared > drainBytes) {
      // Not worth reading: answer at once and close, as RFC 9110 15.5.14 allows.
      throw closing(c, options.onTooLarge(c));
    }
    const reader = raw.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch {
        // The client went away mid-upload: no one is left to read an answer.
        return c.body(null, 400);
      }
      const { done, value } = chunk;
      if (done) break;
      size += value.byteLength;
      if (size > options.maxBytes) {
        chunks.length = 0;
        if (size > drainBytes) {
          await reader.cancel().catch(() => {});
          throw closing(c, options.onTooLarge(c));
        }
        continue;
      }
      chunks.push(value);
    }
    if (size > options.maxBytes) throw options.onTooLarge(c);
    // The request handed on carries the bytes read, as Hono's own bodyLimit hands it on: every
    // reader (c.req.text(), json(), parseBody(), or c.req.raw itself) sees the body whole.
    // node:http's chunks sit on plain ArrayBuffers, never on a SharedArrayBuffer.
    const bytes = chunks.length === 1 ? (chunks[0] as Uint8Array<ArrayBuffer>) : Buffer.concat(chunks);
    c.req.raw = new Request(raw, { body: bytes });
    return next();
  };
}

/**
 * The same, on @hono/node-server, from node:http's request itself. Through `c.req.raw` each
 * request built a WHATWG Request, a ReadableStream over the socket and an AbortController
 * before the first byte was read: on the token endpoint, more CPU than the body's parsing.
 * The bytes read are handed on the two ways its readers look for them, both documented:
 * node-server's `incoming.rawBody` (what it builds `c.req.raw`'s body from, should anything
 * read the Request itself), and Hono's `c.req.bodyCache` (a public field of HonoRequest, which
 * Hono's own validator and parseBody fill the same way), which c.req.text(), json() and
 * parseBody() read first.
 */
async function readIncoming(
  c: Context,
  next: Next,
  incoming: IncomingMessage,
  options: BodyLimitOptions,
  drainBytes: number,
) {
  const method = incoming.method ?? 'GET';
  // node-server gives GET and HEAD no body, whatever the headers say.
  if (method === 'GET' || method === 'HEAD') return next();
  const declared = Number(incoming.headers['content-length'] ?? Number.NaN);
  if (declared > drainBytes) throw closing(c, options.onTooLarge(c));
  const read = await readAll(incoming, options.maxBytes, drainBytes);
  // The client went away mid-upload: no one is left to read an answer.
  if (read === 'aborted') return c.body(null, 400);
  // Past what is worth draining: answer at once and close (the rest is never read).
  if (read === 'past-drain') throw closing(c, options.onTooLarge(c));
  if (read === 'too-large') throw options.onTooLarge(c);
  const chunks = read;
  const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  (incoming as IncomingMessage & { rawBody?: Buffer }).rawBody = bytes;
  const cache = c.req.bodyCache as Record<'arrayBuffer' | 'text', Promise<ArrayBuffer | string> | undefined>;
  cache.text = Promise.resolve(utf8.decode(bytes));
  cache.arrayBuffer = Promise.resolve(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  );
  return next();
}

const utf8 = new TextDecoder();

/**
 * The body's chunks, or why not. Events rather than `for await`: leaving an async iterator
 * early destroys the stream and with it the socket, and the 413 would never be read.
 */
function readAll(
  incoming: IncomingMessage,
  maxBytes: number,
  drainBytes: number,
): Promise<Buffer[] | 'too-large' | 'past-drain' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: Buffer[] | 'too-large' | 'past-drain' | 'aborted') => {
      incoming
        .off('data', onData)
        .off('end', onEnd)
        .off('error', onError)
        .off('aborted', onError)
        .off('close', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= maxBytes) chunks.push(chunk);
      else if (size > drainBytes) {
        incoming.pause();
        done('past-drain');
      } else chunks.length = 0;
    };
    const onEnd = () => done(size > maxBytes ? 'too-large' : chunks);
    const onError = () => done('aborted');
    // Closed without an end (the client went away), or gone already: never wait forever.
    if (incoming.destroyed) return resolve('aborted');
    incoming
      .on('data', onData)
      .once('end', onEnd)
      .once('error', onError)
      .once('aborted', onError)
      .once('close', onError);
  });
}

/** The answer to this error will close the connection (node:http honours the header). */
function closing(c: Context, error: Error): Error {
  c.header('Connection', 'close');
  return error;
}
