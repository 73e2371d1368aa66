import { validator } from 'hono/validator';
import type { z } from 'zod';
import { badRequest } from '../errors.ts';

const fields = (error: z.ZodError) => Object.fromEntries(error.issues.map((i) => [i.path.join('.') || 'body', i.message]));

/** Validation at the edge: a 400 naming each bad field, and nothing malformed goes further. */
export const query = <T extends z.ZodType>(schema: T) =>
  validator('query', (value) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw badRequest('Some query parameters are not valid.', fields(parsed.error));
    return parsed.data as z.output<T>;
  });

export const body = <T extends z.ZodType>(schema: T) =>
  validator('json', async (_value, c) => {
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) throw badRequest('Send a JSON body (Content-Type: application/json).');
    let parsed: unknown;
    try {
      parsed = JSON.parse(await c.req.text());
    } catch {
      throw badRequest('The request body is not valid JSON.');
    }
    const result = schema.safeParse(parsed);
    if (!result.success) throw badRequest('The request body is not valid.', fields(result.error));
    return result.data as z.output<T>;
  });

/** A path id as the Management API accepts it. */
export function pathId(value: string): string {
  if (value.length === 0 || value.length > 255 || /[\u0000-\u001f]/.test(value)) throw badRequest('That id is not valid.');
  return value;
}
