import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIp } from './client-ip.ts';

/** Answers what clientIp reads, with the hop count given in the path. */
const app = new Hono();
app.get('/hops/:n', (c) => c.json({ ip: clientIp(c, Number(c.req.param('n'))) }));

let server: ServerType;
let base: string;
beforeAll(async () => {
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function seen(hops: number, forwardedFor?: string): Promise<string | null> {
  const res = await fetch(`${base}/hops/${hops}`, {
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  });
  return ((await res.json()) as { ip: string | null }).ip;
}

describe('clientIp over a real socket (the socket peer is 127.0.0.1)', () => {
  it('with no trusted proxy, is the socket peer whatever X-Forwarded-For claims', async () => {
    expect(await seen(0)).toBe('127.0.0.1');
    expect(await seen(0, '203.0.113.9')).toBe('127.0.0.1');
  });

  it('behind one trusted proxy, is the right-most forwarded address, never the left-most the client wrote', async () => {
    expect(await seen(1, '203.0.113.9')).toBe('203.0.113.9');
    expect(await seen(1, '6.6.6.6, 203.0.113.9')).toBe('203.0.113.9');
  });

  it('behind two trusted proxies, skips the address the second proxy appended', async () => {
    expect(await seen(2, '6.6.6.6, 198.51.100.7, 10.0.0.2')).toBe('198.51.100.7');
  });

  it('with fewer forwarded addresses than trusted hops, is the left-most one', async () => {
    expect(await seen(3, '198.51.100.7')).toBe('198.51.100.7');
  });

  it('ignores empty entries and spaces as a list reader would', async () => {
    expect(await seen(1, '6.6.6.6,, 203.0.113.9 ,')).toBe('203.0.113.9');
  });

  it('writes IPv4 mapped into IPv6 as IPv4, and keeps IPv6', async () => {
    expect(await seen(1, '::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(await seen(1, '2001:db8::1')).toBe('2001:db8::1');
  });

  it('falls back to the socket peer when a trusted slot holds no address', async () => {
    expect(await seen(1, 'unknown')).toBe('127.0.0.1');
    expect(await seen(1)).toBe('127.0.0.1');
  });
});

describe('clientIp without a socket', () => {
  it('is null for an in-process request, however many hops are trusted', async () => {
    expect(await (await app.request('/hops/0')).json()).toEqual({ ip: null });
    expect(await (await app.request('/hops/1', { headers: { 'x-forwarded-for': '203.0.113.9' } })).json()).toEqual({
      ip: '203.0.113.9',
    });
  });
});
