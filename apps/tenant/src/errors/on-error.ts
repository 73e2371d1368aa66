import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from '../observability/logger.ts';
import { ManagementError } from './management-error.ts';
import { OAuthError } from './oauth-error.ts';

/**
 * The one place an error becomes a response. Known errors carry their public status and
 * body; anything else is logged with the request id and answered as a generic 500 with no
 * detail, so a stack trace never reaches a client.
 */
export function errorHandler(logger: Logger) {
  return (err: Error, c: Context): Response => {
    const isManagement = c.req.path.startsWith('/api/v2');
    if (err instanceof OAuthError) {
      return c.json(err.toJSON(), err.status, { 'Cache-Control': 'no-store', ...err.headers });
    }
    if (err instanceof ManagementError) {
      return c.json(err.toJSON(), err.statusCode, err.headers);
    }
    if (err instanceof HTTPException && err.status < 500) {
      const message = err.message || 'Bad request';
      return isManagement
        ? c.json(new ManagementError(err.status as 400, message).toJSON(), err.status)
        : c.json({ error: 'invalid_request', error_description: message }, err.status);
    }
    const requestId = c.get('requestId' as never) as string | undefined;
    logger.error('unhandled error', {
      requestId,
      path: c.req.path,
      error: err.name,
      detail: err.message,
      stack: err.stack,
    });
    return isManagement
      ? c.json(
          {
            statusCode: 500,
            error: 'Internal Server Error',
            message: `Internal error (request ${requestId ?? 'unknown'})`,
          },
          500,
        )
      : c.json({ error: 'server_error', error_description: `Internal error (request ${requestId ?? 'unknown'})` }, 500);
  };
}
