import type { StaffClient } from './stack.ts';

interface PreviewedImpact {
  setting_deletes_grant: boolean;
  tokens: { id: string }[];
  grants: { grant_id: string }[];
  sessions: { session_id: string }[];
}

/** What the dashboard sends back when the person confirms a preview. */
export const expectedOf = (impact: PreviewedImpact) => ({
  token_ids: impact.tokens.map((t) => t.id),
  grant_ids: impact.grants.map((g) => g.grant_id),
  session_ids: impact.sessions.map((s) => s.session_id),
  setting_deletes_grant: impact.setting_deletes_grant,
});

/**
 * A destructive action as a person does it in the dashboard: sent, answered 409 with its
 * preview (the BFF runs nothing unconfirmed), then sent again confirming that preview. For
 * tests about something else than the binding itself.
 */
export async function confirmingPreview(
  client: StaffClient,
  method: string,
  path: string,
  body?: Record<string, unknown>,
): Promise<Response> {
  const first = await client.api(method, path, body);
  if (first.status !== 409) return first;
  const { error } = (await first.clone().json()) as { error: { code: string; impact?: PreviewedImpact } };
  if (error.code !== 'impact_changed' || !error.impact) return first;
  return client.api(method, path, { ...(body ?? {}), expected: expectedOf(error.impact) });
}
