import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An error of the Authentication API, answered as RFC 6749 section 5.2 does:
 * `{ "error": code, "error_description": description }`. Statuses follow Auth0, which
 * answers `invalid_grant` with 403 rather than the RFC's 400.
 */
export class OAuthError extends Error {
  readonly headers: Record<string, string> = {};
  constructor(
    readonly status: ContentfulStatusCode,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
    this.name = new.target.name;
  }
  toJSON() {
    return { error: this.error, error_description: this.description };
  }
}

export class InvalidRequest extends OAuthError {
  constructor(description: string, status: ContentfulStatusCode = 400) {
    super(status, 'invalid_request', description);
  }
}

export class InvalidClient extends OAuthError {
  constructor(description = 'Client authentication failed.') {
    super(401, 'invalid_client', description);
  }
}

export class InvalidGrant extends OAuthError {
  constructor(description: string) {
    super(403, 'invalid_grant', description);
  }
}

/** Auth0's answer for any refresh token it will not exchange: unknown, revoked, expired or reused. */
export class InvalidRefreshToken extends InvalidGrant {
  constructor() {
    super('Unknown or invalid refresh token.');
  }
}

export class UnauthorizedClient extends OAuthError {
  constructor(description: string) {
    super(403, 'unauthorized_client', description);
  }
}

export class UnsupportedGrantType extends OAuthError {
  constructor(grantType: string) {
    super(400, 'unsupported_grant_type', `Unsupported grant type: ${grantType}`);
  }
}

export class AccessDenied extends OAuthError {
  constructor(description: string) {
    super(403, 'access_denied', description);
  }
}

export class InvalidScope extends OAuthError {
  constructor(description: string) {
    super(403, 'invalid_scope', description);
  }
}

export class InvalidToken extends OAuthError {
  constructor(description = 'Invalid or expired access token.') {
    super(401, 'invalid_token', description);
    this.headers['WWW-Authenticate'] = `Bearer error="invalid_token", error_description="${description}"`;
  }
}

export class TooManyRequests extends OAuthError {
  constructor(description: string, retryAfterSeconds: number, rateHeaders: Record<string, string>) {
    super(429, 'too_many_requests', description);
    Object.assign(this.headers, rateHeaders, { 'Retry-After': String(retryAfterSeconds) });
  }
}

export class PayloadTooLarge extends OAuthError {
  constructor() {
    super(413, 'invalid_request', 'Request body is too large.');
  }
}

/** RFC 9449 section 5: a DPoP proof that is missing where required, malformed, replayed or does not fit the request. */
export class InvalidDpopProof extends OAuthError {
  constructor(description: string) {
    super(400, 'invalid_dpop_proof', description);
  }
}

/** RFC 9449 section 8: the proof must carry the server's nonce; the client retries with the one in `DPoP-Nonce`. */
export class UseDpopNonce extends OAuthError {
  constructor(nonce: string) {
    super(400, 'use_dpop_nonce', 'Authorization server requires nonce in DPoP proof.');
    this.headers['DPoP-Nonce'] = nonce;
  }
}

/**
 * RFC 9449 section 7.1: a resource's refusal of a DPoP-bound access token (or of its proof) is
 * a 401 with a `DPoP` challenge naming the algorithms it accepts.
 */
export class InvalidDpopToken extends OAuthError {
  constructor(error: 'invalid_token' | 'invalid_dpop_proof', description: string, algorithms: readonly string[]) {
    super(401, error, description);
    this.headers['WWW-Authenticate'] =
      `DPoP error="${error}", error_description="${description}", algs="${algorithms.join(' ')}"`;
  }
}
