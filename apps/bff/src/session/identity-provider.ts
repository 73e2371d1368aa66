import * as oidc from 'openid-client';
import type { BffConfig } from '../config.ts';

/**
 * The staff's OpenID Connect provider (the embedded tenant or Auth0): discovered once, on
 * first use, and again after a failure.
 */
export class IdentityProvider {
  private discovered: Promise<oidc.Configuration> | undefined;

  constructor(private readonly config: BffConfig['oidc']) {}

  configuration(): Promise<oidc.Configuration> {
    const insecure = new URL(this.config.issuer).protocol === 'http:';
    this.discovered ??= oidc
      .discovery(
        new URL(this.config.issuer),
        this.config.clientId,
        undefined,
        oidc.ClientSecretPost(this.config.clientSecret),
        {
          ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
        },
      )
      .catch((err) => {
        this.discovered = undefined; // try again next time
        throw err;
      });
    return this.discovered;
  }
}
