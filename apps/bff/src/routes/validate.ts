import { parseJsonObject, UnacceptableJson } from '@rtc/request-body';
import type { Env, MiddlewareHandler } from 'hono';
import { validator } from 'hono/validator';
import type { z } from 'zod';
import { badRequest } from '../errors.ts';

const fields = (error: z.ZodError) => Object.fromEntries(error.issues.map((i) => [i.path.join('.') || 'body', i.message]));

/**
 * NUL can be carried by JSON and percent-encoding but not stored as PostgreSQL text (the audit
 * log's filters and entries): refused at the edge, with every other control character left
 * to the schemas.
 */
function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (typeof value === 'object' && value !== null) return Object.entries(value).some(([key, v]) => key.includes('\u0000') || containsNul(v));
  return false;
}
const refuseNul = (value: unknown) => {
  if (containsNul(value)) throw badRequest('Text must not contain NUL characters.');
};

/** Validation at the edge: a 400 naming each bad field, and nothing malformed goes further. */
export const query = <T extends z.ZodType>(schema: T) =>
  validator('query', (value) => {
    refuseNul(value);
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw badRequest('Some query parameters are not valid.', fields(parsed.error));
    return parsed.data as z.output<T>;
  });

/**
 * A JSON body, validated; the handler reads `c.req.valid('json')`. Not Hono's validator,
 * which parses the body itself first and answers bad JSON in its own words: here anything
 * that is not one acceptable JSON object (too deep, a repeated key, an array) is a 400.
 */
export const body = <T extends z.ZodType>(schema: T): MiddlewareHandler<Env, string, { in: { json: z.input<T> }; out: { json: z.output<T> } }> =>
  async function validateBody(c, next) {
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) throw badRequest('Send a JSON body (Content-Type: application/json).');
    let parsed: unknown;
    try {
      parsed = parseJsonObject(await c.req.text());
    } catch (err) {
      if (!(err instanceof UnacceptableJson)) throw err;
      throw badRequest(err.reason === 'syntax' ? 'The request body is not valid JSON.' : `The request body is not acceptable: ${err.message}`);
    }
    refuseNul(parsed);
    const result = schema.safeParse(parsed);
    if (!result.success) throw badRequest('The request body is not valid.', fields(result.error));
    c.req.addValidatedData('json', result.data as object);
    await next();
  };

/** A path id as the Management API accepts it. */
export function pathId(value: string): string {
  if (value.length === 0 || value.length > 255 || /[\u0000-\u001f]/.test(value)) throw badRequest('That id is not valid.');
  return value;
}
