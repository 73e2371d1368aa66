import type { ApiError, Impact } from '@rtc/contracts';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An error the dashboard shows where the action was taken: a stable code, a sentence a
 * support person can act on, and the request id to quote when asking for help.
 */
export class BffError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    /** auditDetail: what the audit entry of a failed action records instead of the message (never sent to the browser). */
    /** audited: the refusal is in the audit log already (the error handler records the others). */
    /** task: the Management API call that failed, in words ("list the user's refresh tokens"), as the message names it. */
    readonly extra: {
      retryAfter?: number;
      fields?: Record<string, string>;
      impact?: Impact;
      changes?: string[];
      auditDetail?: string;
      audited?: boolean;
      task?: string;
    } = {},
  ) {
    super(message);
    this.name = 'BffError';
  }
}

export const badRequest = (message: string, fields?: Record<string, string>) =>
  new BffError(400, 'bad_request', message, fields ? { fields } : {});
export const unauthenticated = () => new BffError(401, 'unauthenticated', 'Your session has ended. Sign in again.');
export const forbidden = (message: string) => new BffError(403, 'forbidden', message);
export const notFound = (message: string) => new BffError(404, 'not_found', message);

export interface ErrorLogger {
  error(message: string, fields: Record<string, unknown>): void;
}

/** The BFF's one error handler: known errors keep their status, the rest become a 500 with a request id. */
export function onError(logger: ErrorLogger) {
  return (err: Error, c: Context) => {
    const requestId = (c.get('requestId' as never) as string | undefined) ?? '';
    const body = (status: ContentfulStatusCode, code: string, message: string, extra: BffError['extra'] = {}) => {
      const payload: ApiError = {
        error: {
          code,
          message,
          request_id: requestId,
          ...(extra.retryAfter !== undefined ? { retry_after: extra.retryAfter } : {}),
          ...(extra.fields ? { fields: extra.fields } : {}),
          ...(extra.impact ? { impact: extra.impact } : {}),
          ...(extra.changes ? { changes: extra.changes } : {}),
        },
      };
      return c.json(payload, status, extra.retryAfter !== undefined ? { 'Retry-After': String(extra.retryAfter) } : {});
    };
    if (err instanceof BffError) return body(err.status, err.code, err.message, err.extra);
    if (err instanceof HTTPException && err.status < 500)
      return body(err.status as ContentfulStatusCode, 'bad_request', err.message || 'Bad request');
    logger.error('unhandled error', {
      requestId,
      path: c.req.path,
      error: err.name,
      detail: err.message,
      stack: err.stack,
    });
    return body(500, 'internal', `Something went wrong on our side. Quote request ${requestId} if you report it.`);
  };
}
