import type { Role } from '@rtc/contracts';
import { Badge } from '../../../components/ui/badge';

/** Marks a console staff account among end users, with its role: acting on it acts on a colleague. */
export function StaffMark({ role }: { role: Role | null | undefined }) {
  if (!role) return null;
  return <Badge tone="info">Staff · {role}</Badge>;
}
