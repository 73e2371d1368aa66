import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyLimit } from './body-limit.ts';

class TooLarge extends Error {}

/** An app behind the limit, served over node:http as both apps are, echoing what its handler reads. */
function appReading(read: (req: Request) => Promise<unknown>) {
  const app = new Hono();
  app.use(bodyLimit({ maxBytes: 1024, drainBytes: 64 * 1024, onTooLarge: () => new TooLarge() }));
  app.onError((err, c) =>
    err instanceof TooLarge ? c.json({ error: 'too_large' }, 413) : c.json({ error: String(err) }, 500),
  );
  app.post('/read', async (c) => c.json({ read: await read(c.req.raw) }));
  app.post('/text-then-json', async (c) => c.json({ text: await c.req.text(), json: await c.req.json() }));
  app.post('/form', async (c) => c.json({ form: await c.req.parseBody() }));
  return app;
}

let server: ServerType;
let base: string;
beforeAll(async () => {
  const app = appReading((req) => req.text());
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const post = (path: string, body: string, type = 'application/json') =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

describe('bodyLimit over a real socket', () => {
  it('hands the whole body on through the request itself, so code reading c.req.raw sees it', async () => {
    const res = await post('/read', '{"a":"b"}');
    expect(await res.json()).toEqual({ read: '{"a":"b"}' });
    expect(res.status).toBe(200);
  });

  it('lets a handler read the body as text and then as JSON', async () => {
    const res = await post('/text-then-json', '{"n":1}');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ text: '{"n":1}', json: { n: 1 } });
  });

  it('lets a handler parse a form body', async () => {
    const res = await post('/form', 'a=1&b=two', 'application/x-www-form-urlencoded');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ form: { a: '1', b: 'two' } });
  });

  it('keeps multi-byte characters split across chunks whole', async () => {
    const text = JSON.stringify({ s: 'é€😀'.repeat(100) });
    const res = await post('/read', text);
    expect(await res.json()).toEqual({ read: text });
  });

  it("refuses a body over the limit with the caller's error", async () => {
    const res = await post('/read', 'x'.repeat(2048));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'too_large' });
  });

  it('refuses a body declared past the drain bound, and closes the connection', async () => {
    const res = await post('/read', 'x'.repeat(65 * 1024));
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
  });

  it('answers a chunked body that grows past the drain bound with 413 and Connection: close, not a reset socket', async () => {
    // No Content-Length: the bound is found while reading. 16 chunks of 8 KB, past the 64 KB bound.
    const chunk = new Uint8Array(8 * 1024).fill(0x78);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 16) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(`${base}/read`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
    expect(await res.json()).toEqual({ error: 'too_large' });
  });
});
