import type { Context, MiddlewareHandler } from 'hono';

/** The one method of either app's logger this needs. */
export interface RequestLogger {
  info(message: string, fields?: Record<string, unknown>): void;
}

export interface RequestLogOptions {
  /** Adds the caller's address to the line (the BFF's staff are people; the tenant's clients log none). */
  clientIp?: (c: Context) => string | null;
}

/**
 * One `request` line per answered request: id, method, path, status and milliseconds. The path
 * only, cut to 200 characters: query strings can carry codes and states.
 */
export function requestLog(logger: RequestLogger, options: RequestLogOptions = {}): MiddlewareHandler {
  const { clientIp } = options;
  return async function requestLog(c, next) {
    const started = performance.now();
    await next();
    const fields: Record<string, unknown> = {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path.slice(0, 200),
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    if (clientIp) fields.ip = clientIp(c);
    logger.info('request', fields);
  };
}
