import { ManagementError } from 'auth0';
import { BffError } from '../errors.ts';

/**
 * A Management API failure as a BffError a support person can act on: what the console was
 * trying to do (`what`), and what to check or when to retry. A 401 means the cached token is
 * no longer accepted: `onUnauthorized` drops it so the next call fetches another.
 */
export function toBffError(what: string, err: unknown, onUnauthorized: () => void): BffError {
  const task = { task: what };
  if (!(err instanceof ManagementError) || err.statusCode === undefined) {
    return new BffError(
      502,
      'tenant_unreachable',
      `The tenant's Management API could not be reached while trying to ${what}. Check that the tenant is up, then retry.`,
      task,
    );
  }
  const message = (err.body as { message?: string } | undefined)?.message ?? err.message;
  switch (err.statusCode) {
    case 400:
      return new BffError(400, 'rejected_by_tenant', `The tenant rejected the request to ${what}: ${message}`, task);
    case 401:
      onUnauthorized();
      return new BffError(
        502,
        'management_unauthorized',
        `The tenant did not accept the console's Management API token while trying to ${what}. ` +
          'Retry; if it persists, check the machine-to-machine application.',
        task,
      );
    case 403:
      return new BffError(
        502,
        'management_forbidden',
        `The console's machine-to-machine application lacks a permission needed to ${what} (${message}). ` +
          "Grant it in the tenant's APIs settings.",
        task,
      );
    case 404:
      return new BffError(
        404,
        'not_found',
        `Not found while trying to ${what}: it may have been deleted already.`,
        task,
      );
    case 429: {
      const retryAfter = Number(err.rawResponse?.headers.get('retry-after')) || 5;
      return new BffError(
        503,
        'rate_limited',
        `The tenant's Management API is rate limiting the console. Try again in ${retryAfter} seconds.`,
        { retryAfter, ...task },
      );
    }
    default:
      return new BffError(
        502,
        'tenant_error',
        `The tenant failed while trying to ${what} (HTTP ${err.statusCode}). Retry in a moment.`,
        task,
      );
  }
}
