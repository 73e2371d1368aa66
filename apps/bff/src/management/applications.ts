import type { TokenCounts } from '@rtc/contracts';
import { BffError } from '../errors.ts';
import { ManagementHttp } from './management-http.ts';
import type { ManagementTokenProvider } from './token-provider.ts';

/** One application's live refresh tokens as the tenant counts them. */
export type ClientCounts = TokenCounts & {
  client_id: string;
  issued_through?: number /** DPoP-bound tokens among them, where the tenant counts them. */;
  bound?: number;
};

/** Said in the console wherever counts would be, when the tenant cannot give them. */
export const COUNTS_UNAVAILABLE =
  "This tenant's Management API cannot count refresh tokens across users (Auth0 lists them per user " +
  'only; the counts come from an extension of the embedded tenant, GET /api/v2/refresh-tokens/summary). ' +
  'The counts, the users affected and the binding preview cannot be shown here, so revoking every token ' +
  'of an application is not offered.';

/**
 * The Management API calls of the Applications area, beside the gateway: the
 * application-wide counts (GET /refresh-tokens/summary, an extension of the embedded tenant,
 * not Auth0's) and the application-wide revocation (POST /clients/{id}/refresh-tokens/revoke,
 * the embedded tenant's own route: Auth0 revokes per user only, and refuses `client_id` without
 * `user_id` at POST /refresh-tokens/revoke). Plain fetch with the gateway's cached token and
 * the BFF's 429-aware fetch, since the SDK knows no summary endpoint.
 */
export class ApplicationsGateway {
  private readonly http: ManagementHttp;

  constructor(baseUrl: string, tokens: ManagementTokenProvider, fetchImpl: typeof fetch) {
    this.http = new ManagementHttp(baseUrl, tokens, fetchImpl);
  }

  private request(what: string, path: string, init: RequestInit = {}): Promise<Response> {
    return this.http.request(what, path, init);
  }

  /** Every application's counts, or one's (with the users holding most of its tokens); null where the tenant cannot count (404: not the embedded tenant). */
  async summary(
    clientId?: string,
  ): Promise<{ applications: ClientCounts[]; users: { user_id: string; tokens: number }[] } | null> {
    const query = clientId === undefined ? '' : `?client_id=${encodeURIComponent(clientId)}&users=10`;
    const res = await this.request('count refresh tokens per application', `/refresh-tokens/summary${query}`);
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    const body = (await res.json()) as { applications?: ClientCounts[]; users?: { user_id: string; tokens: number }[] };
    return { applications: body.applications ?? [], users: body.users ?? [] };
  }

  /** Every refresh token of the application, across users: 202, in force at once on the tenant. */
  async revokeAll(clientId: string, issuedThrough: number | null): Promise<void> {
    const res = await this.request(
      "revoke the application's refresh tokens",
      `/clients/${encodeURIComponent(clientId)}/refresh-tokens/revoke`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // issued_through (from the embedded tenant's summary): nothing issued after the preview.
        body: JSON.stringify(issuedThrough !== null ? { issued_through: issuedThrough } : {}),
      },
    );
    if (res.status !== 404) {
      await res.body?.cancel();
      return;
    }
    // The embedded tenant says which 404: the application is gone (its tokens went with it), or no such route.
    const { errorCode } = (await res.json().catch(() => ({}))) as { errorCode?: string };
    if (errorCode === 'inexistent_client')
      throw new BffError(404, 'not_found', 'The application no longer exists; deleting it revoked its refresh tokens.');
    throw new BffError(
      502,
      'not_supported',
      "The tenant's Management API has no application-wide revocation (POST /clients/{id}/refresh-tokens/revoke, an extension of the embedded tenant).",
    );
  }
}
