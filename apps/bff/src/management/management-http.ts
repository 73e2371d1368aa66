import { BffError } from '../errors.ts';
import type { ManagementTokenProvider } from './token-provider.ts';

/**
 * Plain HTTP to the Management API, for the embedded tenant's extensions the SDK knows
 * nothing of (the summary, the search): the gateway's cached token, the BFF's 429-aware fetch,
 * and its errors in words a support person can act on. A 404 is answered, not thrown: on a
 * real Auth0 tenant it means the extension is not there, which the caller says in its words.
 */
export class ManagementHttp {
  constructor(
    private readonly baseUrl: string,
    private readonly tokens: ManagementTokenProvider,
    private readonly fetchImpl: typeof fetch,
  ) {}

  /** `answered`: the statuses the caller reads itself (404 by default, as above); any other failure throws. */
  async request(
    what: string,
    path: string,
    init: RequestInit = {},
    answered: readonly number[] = [404],
  ): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${path}`, {
        ...init,
        headers: {
          ...(init.headers as Record<string, string> | undefined),
          authorization: `Bearer ${await this.tokens.get()}`,
        },
      });
    } catch {
      throw new BffError(
        502,
        'tenant_unreachable',
        `The tenant's Management API could not be reached while trying to ${what}. Check that the tenant is up, then retry.`,
      );
    }
    if (res.ok || answered.includes(res.status)) return res;
    const message = ((await res.json().catch(() => ({}))) as { message?: string }).message ?? `HTTP ${res.status}`;
    switch (res.status) {
      case 400:
        // What the console sent passed its own checks; the tenant's words say what it refused.
        throw new BffError(400, 'rejected_by_tenant', `The tenant rejected the request to ${what}: ${message}`);
      case 401:
        this.tokens.invalidate();
        throw new BffError(
          502,
          'management_unauthorized',
          `The tenant did not accept the console's Management API token while trying to ${what}. Retry.`,
        );
      case 403:
        throw new BffError(
          502,
          'management_forbidden',
          `The console's machine-to-machine application lacks a permission needed to ${what} (${message}).`,
        );
      case 429:
        throw new BffError(
          503,
          'rate_limited',
          `The tenant's Management API is rate limiting the console. Try again in ${Number(res.headers.get('retry-after')) || 5} seconds.`,
        );
      default:
        throw new BffError(
          502,
          'tenant_error',
          `The tenant failed while trying to ${what} (${message}). Retry in a moment.`,
        );
    }
  }
}
