/**
 * A refresh token's DPoP binding in words, the same in the dashboard and in the audit
 * log: "Bound to key 1a2B3c4D… (DPoP)" (the thumbprint's first 8 characters), "Bearer", or
 * null where the tenant does not say (a real Auth0 tenant): shown as nothing, never guessed.
 */
export function bindingWords(
  binding: { kind: 'dpop'; jkt: string } | { kind: 'bearer' } | null | undefined,
): string | null {
  if (!binding) return null;
  return binding.kind === 'dpop' ? `Bound to key ${shortThumbprint(binding.jkt)} (DPoP)` : 'Bearer';
}

/** A key thumbprint shortened for reading: its first 8 characters and an ellipsis. */
export function shortThumbprint(jkt: string): string {
  return jkt.length > 8 ? `${jkt.slice(0, 8)}…` : jkt;
}

/**
 * The binding the Management API reports: `dpop_jkt` a thumbprint (bound), null (bearer), or
 * absent (the tenant does not say: Auth0's bodies have no such field).
 */
export function bindingOf(dpopJkt: unknown): { kind: 'dpop'; jkt: string } | { kind: 'bearer' } | null {
  if (typeof dpopJkt === 'string' && dpopJkt !== '') return { kind: 'dpop', jkt: dpopJkt };
  return dpopJkt === null ? { kind: 'bearer' } : null;
}

/**
 * The embedded tenant's log event (not an Auth0 type) for a DPoP-bound refresh token presented
 * without its key: a stolen copy tried and refused. `details.reason` says how.
 */
export const DPOP_BOUND_TOKEN_REFUSED = 'dpop_bound_token_refused';
