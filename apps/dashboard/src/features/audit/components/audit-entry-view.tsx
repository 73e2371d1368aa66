import { AUDIT_ACTION_LABELS } from '@rtc/contracts/audit';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { Badge } from '../../../components/ui/badge';
import { Button } from '../../../components/ui/button';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { paths } from '../../../config/paths';
import { exactTime } from '../../../lib/format';
import { auditEntryQuery } from '../api/audit';
import { customerSummary, entryIds, type NamedId } from '../lib/entry-ids';

function IdList({ title, items }: { title: string; items: NamedId[] }) {
  if (items.length === 0) return null;
  return (
    <>
      <h3 className="small">{`${title} (${items.length})`}</h3>
      <ul aria-label={title}>
        {items.map((item) => (
          <li key={item.id}>
            <code>{item.id}</code>
            {item.about ? ` · ${item.about}` : ''}
          </li>
        ))}
      </ul>
    </>
  );
}

/** One audit entry in full (?entry=<id>): who, when, what, every id it names with its application, and a summary to send the customer. */
export function AuditEntryView({ id }: { id: string }) {
  const entry = useQuery(auditEntryQuery(id));
  const [copied, setCopied] = useState<string>('');
  if (entry.error)
    return (
      <ErrorNotice error={entry.error} onRetry={() => void entry.refetch()} title="Could not load this audit entry" />
    );
  if (entry.isPending) return null;
  if (!entry.data) return <p className="callout">No audit entry has the id {id}.</p>;
  const e = entry.data;
  const ids = entryIds(e.detail);
  const summary = customerSummary(e);
  return (
    <section className="card" aria-labelledby="entry-heading">
      <h2 id="entry-heading" className="section-title">{`Audit entry: ${AUDIT_ACTION_LABELS[e.action]}`}</h2>
      <dl className="details-list">
        <dt>When</dt>
        <dd>{exactTime(e.at)}</dd>
        <dt>Staff member</dt>
        <dd>
          {e.actor.name} <Badge>{e.actor.role ?? 'no console role'}</Badge>
        </dd>
        <dt>Target</dt>
        <dd>
          {e.target}
          {e.target_user_id ? (
            <>
              {' · '}
              <Link to={paths.user(e.target_user_id, 'history')}>{`History of ${e.target_user_id}`}</Link>
            </>
          ) : null}
        </dd>
        <dt>Result</dt>
        <dd>
          <Badge tone={e.result === 'success' ? 'good' : 'danger'}>{e.result}</Badge> · request{' '}
          <code>{e.request_id}</code>
        </dd>
      </dl>
      <IdList title="Refresh tokens" items={ids.tokens} />
      <IdList title="Grants" items={ids.grants} />
      <IdList title="Sessions" items={ids.sessions} />
      <details>
        <summary>Full detail</summary>
        <p className="small">{e.detail}</p>
      </details>
      <h3 className="small">Summary for the customer</h3>
      <p>{summary}</p>
      <Button
        onClick={() =>
          void navigator.clipboard.writeText(summary).then(
            () => setCopied('Copied.'),
            () => setCopied('Could not copy: select the text above.'),
          )
        }
      >
        Copy summary for the customer
      </Button>
      <span role="status" className="muted small">
        {copied ? ` ${copied}` : ''}
      </span>
    </section>
  );
}
