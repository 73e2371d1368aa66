import type { Endpoint, ResponseOf } from '@rtc/contracts/endpoints';
import type { Context } from 'hono';

/**
 * Answers a route's JSON (200) as its contract in `@rtc/contracts/endpoints` types it, the
 * contract the dashboard reads it by: a field missing, misnamed or of another type fails the
 * type-check here rather than in the browser.
 */
export function reply<E extends Endpoint>(
  c: Context,
  _endpoint: E,
  value: ResponseOf<E>,
  headers?: Record<string, string>,
): Response {
  return c.json(value as object, 200, headers);
}
