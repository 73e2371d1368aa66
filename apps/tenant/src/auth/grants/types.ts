import type { Context } from 'hono';
import type { TenantDeps } from '../../deps.ts';
import type { Params } from '../../http/params.ts';
import type { ClientRecord } from '../../domain/model.ts';
import type { TokenResponse } from '../issue-user-tokens.ts';
import type { VerifiedProof } from '../dpop.ts';
import type { OAuthError } from '../../errors/oauth-error.ts';

export interface GrantContext {
  deps: TenantDeps;
  c: Context;
  params: Params;
  client: ClientRecord;
  ip: string | null;
  userAgent: string | null;
  /** The request's DPoP proof (RFC 9449), verified before the grant runs, or null without one. */
  proof: VerifiedProof | null;
}

/**
 * A grant type of POST /oauth/token. The endpoint dispatches through a map of these.
 * `onRefusedProof`: called when the endpoint refuses the request's DPoP proof, before the
 * grant runs (the refresh grant records an attempt on a bound token).
 */
export type GrantHandler = ((ctx: GrantContext) => Promise<TokenResponse>) & {
  onRefusedProof?: (ctx: Omit<GrantContext, 'proof'>, refusal: OAuthError) => Promise<void>;
};
