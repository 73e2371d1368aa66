import type { ContentfulStatusCode } from 'hono/utils/http-status';

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/**
 * An error of the Management API, in Auth0's body:
 * `{ statusCode, error, message, errorCode }` (the SDK's ManagementApiError reads these).
 */
export class ManagementError extends Error {
  readonly headers: Record<string, string> = {};
  constructor(
    readonly statusCode: ContentfulStatusCode,
    message: string,
    readonly errorCode?: string,
  ) {
    super(message);
    this.name = 'ManagementError';
  }
  toJSON() {
    return {
      statusCode: this.statusCode,
      error: REASON[this.statusCode] ?? 'Error',
      message: this.message,
      ...(this.errorCode ? { errorCode: this.errorCode } : {}),
    };
  }
}

export const badRequest = (message: string, errorCode = 'invalid_body') => new ManagementError(400, message, errorCode);
export const invalidQuery = (message: string) => new ManagementError(400, message, 'invalid_query_string');
export const invalidUri = (message: string) => new ManagementError(400, message, 'invalid_uri');
export const notFound = (message: string, errorCode = 'inexistent_resource') =>
  new ManagementError(404, message, errorCode);
export const unauthorized = (message = 'Missing authentication') => new ManagementError(401, message);
export const insufficientScope = (missing: string[]) =>
  new ManagementError(403, `Insufficient scope, expected any of: ${missing.join(',')}`, 'insufficient_scope');
