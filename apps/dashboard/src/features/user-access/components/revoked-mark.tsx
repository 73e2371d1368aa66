import { Badge } from '../../../components/ui/badge';

/**
 * A row the person revoked that the tenant's listing still shows (it catches up in a moment).
 * The tenant refused it from the moment it answered, so the row says "Revoked", as the
 * action's "Done." does: "Revoking…" beside it would say the opposite.
 */
export function RevokedMark() {
  return <Badge tone="warn">Revoked</Badge>;
}
