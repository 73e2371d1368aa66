import type { HistoryEntry } from '@rtc/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { Button } from '../../../components/ui/button';
import { EmptyState } from '../../../components/ui/empty-state';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { IpWithPlace } from '../../../components/ui/ip-address';
import { RelativeTime } from '../../../components/ui/relative-time';
import { SkeletonRows } from '../../../components/ui/skeleton';
import { paths } from '../../../config/paths';
import { useCan } from '../../auth/api/get-me';
import { historyQuery } from '../api/history';
import { RevokedView } from './revoked-view';
import { StaffCell } from './staff-cell';

const PER_PAGE = 25;

/**
 * History (Auth0's user page has one): sign-ins, failed sign-ins, refresh exchanges, reuse,
 * revocations and session ends from the tenant's log, newest first and paged at the tenant,
 * with who on the staff did what the console did; then what was revoked and ended.
 */
export function HistoryTab({ userId }: { userId: string }) {
  const [page, setPage] = useState(0);
  const history = useQuery(historyQuery(userId, page, PER_PAGE));
  const canReadAudit = useCan('readAudit');
  const total = history.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(Math.min(total, 1000) / PER_PAGE));

  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading" className="section-title">
        History
      </h2>
      <p className="muted">
        What happened to this user at the tenant, newest first. A refresh token's exchanges are listed once per hour.
        {canReadAudit ? (
          <>
            {' '}
            <Link to={`${paths.audit}?user_id=${encodeURIComponent(userId)}`}>Audit entries about this user</Link>
          </>
        ) : null}
      </p>
      {history.error ? (
        <ErrorNotice error={history.error} onRetry={() => void history.refetch()} title="Could not load the history" />
      ) : null}
      <table className="table">
        <caption className="visually-hidden">History of this user</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">Application and device</th>
            <th scope="col">Address</th>
            <th scope="col">By staff</th>
          </tr>
        </thead>
        {history.isPending ? (
          <SkeletonRows columns={5} rows={3} label="Loading the history" />
        ) : (
          <tbody>
            {history.data?.entries.map((entry) => (
              <HistoryRow key={entry.id} entry={entry} />
            ))}
          </tbody>
        )}
      </table>
      {history.data && history.data.entries.length === 0 ? (
        <EmptyState title="Nothing logged for this user yet" />
      ) : null}
      {total > PER_PAGE ? (
        <nav className="pager" aria-label="History pages">
          <Button disabled={page === 0} onClick={() => setPage(page - 1)}>
            Previous
          </Button>
          <span aria-live="polite">
            Page {page + 1} of {pages}
          </span>
          <Button disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
            Next
          </Button>
        </nav>
      ) : null}
      <RevokedView userId={userId} />
    </section>
  );
}

function HistoryRow({ entry }: { entry: HistoryEntry }) {
  const what = [entry.client_name, entry.device_name ? `"${entry.device_name}"` : null].filter(Boolean).join(' on ');
  return (
    <tr data-kind={entry.kind}>
      <td>
        <RelativeTime value={entry.at} />
      </td>
      <th scope="row">
        {entry.label}
        {entry.refresh_token_id ? (
          <div className="muted small">
            Refresh token <code>{entry.refresh_token_id}</code>
          </div>
        ) : null}
      </th>
      <td>{what || '—'}</td>
      <td>{entry.ip ? <IpWithPlace ip={entry.ip} place={null} unknown="—" /> : '—'}</td>
      <td>
        <StaffCell staff={entry.staff} unknownWhenNone={entry.type === 'sapi'} />
      </td>
    </tr>
  );
}
