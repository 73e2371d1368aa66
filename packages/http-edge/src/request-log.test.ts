import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { describe, expect, it } from 'vitest';
import { requestLog } from './request-log.ts';

function logged(options?: Parameters<typeof requestLog>[1]) {
  const lines: { message: string; fields: Record<string, unknown> }[] = [];
  const app = new Hono();
  app.use(requestId({ headerName: 'x-request-id' }));
  app.use(requestLog({ info: (message, fields = {}) => lines.push({ message, fields }) }, options));
  app.onError((_err, c) => c.text('failed', 500));
  app.get('/ok', (c) => c.text('ok'));
  app.get('/boom', () => {
    throw new Error('boom');
  });
  return { app, lines };
}

describe('requestLog', () => {
  it('logs one line per request: id, method, path without the query, status, milliseconds', async () => {
    const { app, lines } = logged();
    await app.request('/ok?code=secret-code&state=s', { headers: { 'x-request-id': 'req-1' } });
    expect(lines).toEqual([
      {
        message: 'request',
        fields: { requestId: 'req-1', method: 'GET', path: '/ok', status: 200, ms: expect.any(Number) },
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret-code');
  });

  it('logs the status the error handler answered', async () => {
    const { app, lines } = logged();
    await app.request('/boom');
    await app.request('/nowhere');
    expect(lines.map((l) => l.fields.status)).toEqual([500, 404]);
  });

  it('cuts a long path to 200 characters', async () => {
    const { app, lines } = logged();
    await app.request(`/${'p'.repeat(1000)}`);
    expect(String(lines[0]!.fields.path)).toHaveLength(200);
  });

  it("adds the caller's address when asked to", async () => {
    const { app, lines } = logged({ clientIp: () => '203.0.113.9' });
    await app.request('/ok');
    expect(lines[0]!.fields.ip).toBe('203.0.113.9');
  });
});
