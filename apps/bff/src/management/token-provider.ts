import { decodeJwt } from 'jose';
import { BffError } from '../errors.ts';

export interface TokenProviderOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  audience: string;
  /** Renew this long before expiry, so no request goes out with a token about to lapse. */
  renewBeforeSeconds?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * The Management API access token, from client_credentials: cached until shortly before it
 * expires, and fetched once however many requests need it at the same moment. It never
 * leaves the BFF.
 */
export class ManagementTokenProvider {
  private cached: { token: string; expiresAt: number } | undefined;
  private inflight: Promise<string> | undefined;
  /** How many times a token was fetched; tests read it. */
  fetchCount = 0;

  constructor(private readonly options: TokenProviderOptions) {}

  async get(): Promise<string> {
    const now = (this.options.now ?? Date.now)();
    const margin = (this.options.renewBeforeSeconds ?? 60) * 1000;
    if (this.cached && this.cached.expiresAt - margin > now) return this.cached.token;
    this.inflight ??= this.fetchToken().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Forget the token (the API said 401: it was revoked or the key rotated). */
  invalidate(): void {
    this.cached = undefined;
  }

  private async fetchToken(): Promise<string> {
    this.fetchCount += 1;
    const doFetch = this.options.fetch ?? fetch;
    let res: Response;
    try {
      res = await doFetch(this.options.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: this.options.clientId,
          client_secret: this.options.clientSecret,
          audience: this.options.audience,
        }),
      });
    } catch {
      throw new BffError(
        502,
        'tenant_unreachable',
        'The tenant cannot be reached to authorize the console. Check that it is running and its URL.',
      );
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: string; error_description?: string };
      throw new BffError(
        502,
        'management_credentials_rejected',
        `The tenant refused the console's Management API credentials ` +
          `(${body.error ?? res.status}: ${body.error_description ?? 'no detail'}). ` +
          'Check MANAGEMENT_CLIENT_ID, its secret and its client grant.',
      );
    }
    const body = (await res.json()) as { access_token: string; expires_in?: number };
    const now = (this.options.now ?? Date.now)();
    const exp = decodeJwt(body.access_token).exp;
    const expiresAt = body.expires_in ? now + body.expires_in * 1000 : exp ? exp * 1000 : now + 3_600_000;
    this.cached = { token: body.access_token, expiresAt };
    return body.access_token;
  }
}
