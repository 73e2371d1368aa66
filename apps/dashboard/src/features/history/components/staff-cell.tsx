import type { StaffAttribution } from '@rtc/contracts';
import { Link } from 'react-router';
import { paths } from '../../../config/paths';
import { useCan } from '../../auth/api/get-me';

/** The staff member who did it, linked to the audit entry where the role may read the audit log. */
export function StaffCell({ staff }: { staff: StaffAttribution | null }) {
  const canReadAudit = useCan('readAudit');
  if (!staff) return <span className="muted">—</span>;
  const who = `${staff.name}${staff.role ? ` (${staff.role})` : ''}`;
  return canReadAudit ? (
    <Link to={`${paths.audit}?entry=${encodeURIComponent(staff.audit_id)}`}>{who}</Link>
  ) : (
    <span>{who}</span>
  );
}
