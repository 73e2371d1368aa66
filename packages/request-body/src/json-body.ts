import type { Env, MiddlewareHandler } from 'hono';
import { parseJsonObject, UnacceptableJson, type JsonRejection } from './json.ts';
import { containsNul } from './nul.ts';

/** Why a JSON body was refused before its schema saw it. */
export type BodyRefusal = { reason: 'content_type' | 'nul' | JsonRejection; message: string };

export interface JsonBodyOptions<Out> {
  /** The app's schema check: returns the value handlers read, or throws the app's own error. */
  validate(body: Record<string, unknown>): Out;
  /** The app's documented error for a body refused before `validate` (each app words its own). */
  refuse(refusal: BodyRefusal): Error;
}

/**
 * A JSON body, validated; the handler reads `c.req.valid('json')`. Not Hono's validator, which
 * parses the body itself first and answers bad JSON in its own words: here anything that is
 * not one acceptable JSON object of Content-Type application/json (too deep, a repeated key,
 * an array, a NUL anywhere) is refused through `refuse`, before any handler runs.
 */
export function jsonBody<In, Out>(
  options: JsonBodyOptions<Out>,
): MiddlewareHandler<Env, string, { in: { json: In }; out: { json: Out } }> {
  return async function jsonBody(c, next) {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json')
      throw options.refuse({ reason: 'content_type', message: 'Content-Type must be application/json.' });
    let body: Record<string, unknown>;
    try {
      body = parseJsonObject(await c.req.text());
    } catch (err) {
      if (!(err instanceof UnacceptableJson)) throw err;
      throw options.refuse({ reason: err.reason, message: err.message });
    }
    if (containsNul(body)) throw options.refuse({ reason: 'nul', message: 'NUL characters are not allowed.' });
    c.req.addValidatedData('json', options.validate(body) as object);
    await next();
  };
}
