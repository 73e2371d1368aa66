import type { Role } from '@rtc/contracts';
import { roleFromClaim } from '../session/role-recheck.ts';

/**
 * The console role a tenant user holds, if any: staff are listed among end users, and a
 * support person must see which accounts are staff. The role is the ID-token claim
 * `rolesClaim`, which the tenant keeps in `app_metadata.custom_claims` (the README's first
 * admin, the demo staff); a tenant that adds the claim some other way (an Action reading its
 * own store) shows no mark, rather than a guessed one.
 */
export function consoleRoleOf(user: { app_metadata?: unknown }, rolesClaim: string): Role | null {
  const metadata = user.app_metadata;
  if (!metadata || typeof metadata !== 'object') return null;
  const claims = (metadata as { custom_claims?: unknown }).custom_claims;
  if (!claims || typeof claims !== 'object') return null;
  return roleFromClaim((claims as Record<string, unknown>)[rolesClaim]) ?? null;
}
