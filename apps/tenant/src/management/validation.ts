import { containsNul, jsonBody, type BodyRefusal } from '@rtc/request-body';
import { validator } from 'hono/validator';
import { z } from 'zod';
import { badRequest, invalidQuery } from '../errors/management-error.ts';

/** A readable sentence from zod's first issue, naming the property as Auth0 does. */
function describe(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const path = issue.path.join('.');
  return path ? `${issue.message} on property ${path}` : issue.message;
}

/** Validates the query string; the handler reads `c.req.valid('query')`. */
export const query = <T extends z.ZodType>(schema: T) =>
  validator('query', (value) => {
    if (containsNul(value)) throw invalidQuery('Query validation error: NUL characters are not allowed.');
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw invalidQuery(`Query validation error: ${describe(parsed.error)}.`);
    return parsed.data as z.output<T>;
  });

/** What Auth0 answers for a body refused before its schema is read (always `invalid_body`). */
const REFUSED_BODY: Record<BodyRefusal['reason'], (detail: string) => string> = {
  content_type: () => 'Content-Type must be application/json',
  syntax: () => 'Invalid request payload JSON format',
  depth: (detail) => `Payload validation error: ${detail}`,
  duplicate_key: (detail) => `Payload validation error: ${detail}`,
  not_object: (detail) => `Payload validation error: ${detail}`,
  nul: () => 'Payload validation error: NUL characters are not allowed.',
};

/** Validates a JSON body; the handler reads `c.req.valid('json')`. Every refusal is a 400 `invalid_body`. */
export const json = <T extends z.ZodType>(schema: T) =>
  jsonBody<z.input<T>, z.output<T>>({
    refuse: ({ reason, message }) => badRequest(REFUSED_BODY[reason](message), 'invalid_body'),
    validate: (body) => {
      const parsed = schema.safeParse(body);
      if (!parsed.success) throw badRequest(`Payload validation error: ${describe(parsed.error)}.`, 'invalid_body');
      return parsed.data;
    },
  });

/** A path id: printable, at most 255 characters. */
export function pathId(value: string, what = 'id'): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what an id may not hold.
  if (value.length === 0 || value.length > 255 || /[\u0000-\u001f]/.test(value)) {
    throw badRequest(`Path validation error: invalid ${what}`, 'invalid_uri');
  }
  return value;
}

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'Expected type integer')
    .transform(Number)
    .pipe(z.number().int().min(min, `Must be at least ${min}`).max(max, `Must be at most ${max}`));
const id = z.string().min(1).max(255);

/** Offset paging: `page`, `per_page` (1 to 100), `include_totals`. */
export const offsetPaging = {
  page: int(0, 100_000).optional(),
  per_page: int(1, 100).optional(),
  include_totals: bool.optional(),
};

/** Checkpoint paging: `from`, `take` (1 to 100, 50 by default). */
export const checkpointPaging = {
  from: id.optional(),
  take: int(1, 100).optional(),
  include_totals: bool.optional(),
};

export const fieldSelection = {
  fields: z.string().max(1000).optional(),
  include_fields: bool.optional(),
};

export const schemas = { bool, int, id };

/**
 * Auth0's `fields` / `include_fields`: keep only (or drop) the listed top-level fields.
 */
export function selectFields<T extends object>(item: T, fields: string | undefined, include = true): Partial<T> {
  if (!fields) return item;
  const names = new Set(
    fields
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean),
  );
  return Object.fromEntries(Object.entries(item).filter(([key]) => names.has(key) === include)) as Partial<T>;
}

/** Auth0's offset page: a bare array, or `{ start, limit, total, <name>: [...] }` with totals. */
export function offsetPage<T>(
  name: string,
  items: T[],
  total: number,
  page: number,
  perPage: number,
  includeTotals: boolean,
) {
  return includeTotals ? { start: page * perPage, limit: perPage, total, [name]: items } : items;
}
