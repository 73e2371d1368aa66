import type { Context } from 'hono';
import type { TenantDeps } from '../../deps.ts';
import type { Params } from '../../http/params.ts';
import type { ClientRecord } from '../../store/types.ts';
import type { TokenResponse } from '../issue-user-tokens.ts';

export interface GrantContext {
  deps: TenantDeps;
  c: Context;
  params: Params;
  client: ClientRecord;
  ip: string | null;
  userAgent: string | null;
}

/** A grant type of POST /oauth/token. The endpoint dispatches through a map of these. */
export type GrantHandler = (ctx: GrantContext) => Promise<TokenResponse>;
