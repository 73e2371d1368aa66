import { useId, useState } from 'react';
import { Button } from '../../../components/ui/button';

/** How much of a long detail the list shows before "Show all". */
export const DETAIL_PREVIEW_CHARS = 300;

/**
 * An audit entry's detail in the list. A search's revocation records every id it revoked (up
 * to 10,000: about 250 KB), which would bury the page: past DETAIL_PREVIEW_CHARS the list
 * shows the start and a "Show all" disclosure. The CSV export keeps the detail whole.
 */
export function AuditDetail({ detail }: { detail: string }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  if (detail.length <= DETAIL_PREVIEW_CHARS) return <div className="muted small">{detail}</div>;
  return (
    <div className="muted small">
      <span id={id}>{open ? detail : `${detail.slice(0, DETAIL_PREVIEW_CHARS)}…`}</span>{' '}
      <Button variant="ghost" aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)}>
        {open ? 'Show less' : `Show all (${detail.length.toLocaleString('en-US')} characters)`}
      </Button>
    </div>
  );
}
