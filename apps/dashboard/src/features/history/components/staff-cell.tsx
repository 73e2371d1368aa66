import type { StaffAttribution } from '@rtc/contracts';
import { Link } from 'react-router';
import { paths } from '../../../config/paths';
import { useCan } from '../../auth/api/get-me';

/**
 * The staff member who did it, linked to the audit entry where the role may read the audit log.
 * `unknownWhenNone`: a revocation through the Management API that no console action explains
 * (another tool, the API called directly, or two people at once) says so, rather than a dash
 * that reads as "nobody".
 */
export function StaffCell({
  staff,
  unknownWhenNone = false,
}: {
  staff: StaffAttribution | null;
  unknownWhenNone?: boolean;
}) {
  const canReadAudit = useCan('readAudit');
  if (!staff)
    return unknownWhenNone ? (
      <span className="muted" title="Not done through this console, or not by one person that it can name">
        Unknown
      </span>
    ) : (
      <span className="muted">—</span>
    );
  const who = `${staff.name}${staff.role ? ` (${staff.role})` : ''}`;
  return canReadAudit ? (
    <Link to={`${paths.audit}?entry=${encodeURIComponent(staff.audit_id)}`}>{who}</Link>
  ) : (
    <span>{who}</span>
  );
}
