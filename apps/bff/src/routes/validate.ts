import { ConfirmedActionBody } from '@rtc/contracts';
import { containsNul, jsonBody, type BodyRefusal } from '@rtc/request-body';
import { validator } from 'hono/validator';
import type { z } from 'zod';
import { badRequest } from '../errors.ts';

const fields = (error: z.ZodError) =>
  Object.fromEntries(error.issues.map((i) => [i.path.join('.') || 'body', i.message]));

/** NUL cannot be stored as PostgreSQL text (the audit log's filters and entries): refused at the edge. */
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

/** The BFF's words for a body refused before its schema is read (always a 400 bad_request). */
const REFUSED_BODY: Record<BodyRefusal['reason'], (detail: string) => string> = {
  content_type: () => 'Send a JSON body (Content-Type: application/json).',
  syntax: () => 'The request body is not valid JSON.',
  depth: (detail) => `The request body is not acceptable: ${detail}`,
  duplicate_key: (detail) => `The request body is not acceptable: ${detail}`,
  not_object: (detail) => `The request body is not acceptable: ${detail}`,
  nul: () => 'Text must not contain NUL characters.',
};

/** A JSON body, validated; the handler reads `c.req.valid('json')`. */
export const body = <T extends z.ZodType>(schema: T) =>
  jsonBody<z.input<T>, z.output<T>>({
    refuse: ({ reason, message }) => badRequest(REFUSED_BODY[reason](message)),
    validate: (value) => {
      const result = schema.safeParse(value);
      if (!result.success) throw badRequest('The request body is not valid.', fields(result.error));
      return result.data;
    },
  });

/**
 * The confirmed preview of a DELETE action, in an optional JSON body: a DELETE sent without
 * one is still answered, with 409 and the preview to confirm.
 */
export const confirmation = validator('json', async (_value, c): Promise<ConfirmedActionBody> => {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json'))
    throw badRequest('Send a JSON body (Content-Type: application/json).');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('The request body is not valid JSON.');
  }
  const result = ConfirmedActionBody.safeParse(parsed);
  if (!result.success) throw badRequest('The request body is not valid.', fields(result.error));
  return result.data;
});

/** A path id as the Management API accepts it: 1 to 255 characters, no control character. */
export function pathId(value: string): string {
  if (value.length === 0 || value.length > 255 || [...value].some((ch) => ch.charCodeAt(0) < 0x20))
    throw badRequest('That id is not valid.');
  return value;
}
