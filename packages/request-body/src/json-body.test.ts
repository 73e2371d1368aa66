import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { jsonBody, type BodyRefusal } from './json-body.ts';

class Refused extends Error {
  constructor(readonly refusal: BodyRefusal) {
    super(refusal.message);
  }
}
class Invalid extends Error {}

const app = new Hono();
app.onError((err, c) => {
  if (err instanceof Refused) return c.json({ refused: err.refusal.reason }, 400);
  if (err instanceof Invalid) return c.json({ invalid: err.message }, 422);
  return c.json({ error: String(err) }, 500);
});
app.post(
  '/',
  jsonBody<{ n: unknown }, { n: number }>({
    refuse: (refusal) => new Refused(refusal),
    validate: (body) => {
      if (typeof body.n !== 'number') throw new Invalid('n must be a number');
      return { n: body.n * 2 };
    },
  }),
  (c) => c.json({ valid: c.req.valid('json') }),
);

const post = (body: string, type: string | null = 'application/json') =>
  app.request('/', { method: 'POST', body, headers: type === null ? {} : { 'content-type': type } });

describe('jsonBody', () => {
  it('hands the handler what validate returned', async () => {
    const res = await post('{"n":2}', 'Application/JSON; charset=utf-8');
    expect(await res.json()).toEqual({ valid: { n: 4 } });
  });

  it('lets the app answer a schema failure in its own words', async () => {
    const res = await post('{"n":"2"}');
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ invalid: 'n must be a number' });
  });

  const REFUSED: [string, string, string | null, BodyRefusal['reason']][] = [
    ['no Content-Type', '{"n":1}', null, 'content_type'],
    ['a form', 'n=1', 'application/x-www-form-urlencoded', 'content_type'],
    ['a look-alike media type', '{"n":1}', 'application/jsonp', 'content_type'],
    ['bad JSON', '{"n":', 'application/json', 'syntax'],
    ['an array', '[{"n":1}]', 'application/json', 'not_object'],
    ['a repeated key', '{"n":1,"n":2}', 'application/json', 'duplicate_key'],
    ['10,000 levels', `{"n":1,"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 'application/json', 'depth'],
    ['an escaped NUL in a nested key', '{"n":1,"x":[{"k\\u0000":1}]}', 'application/json', 'nul'],
  ];
  for (const [name, body, type, reason] of REFUSED) {
    it(`refuses ${name} before validate runs (${reason})`, async () => {
      const res = await post(body, type);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ refused: reason });
    });
  }
});
