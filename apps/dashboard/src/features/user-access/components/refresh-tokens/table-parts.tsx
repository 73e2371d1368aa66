import type { RefreshToken } from '@rtc/contracts';
import { useQuery, type UseQueryResult } from '@tanstack/react-query';
import type { useSearchParams } from 'react-router';
import { Badge } from '../../../../components/ui/badge';
import { Button } from '../../../../components/ui/button';
import { ErrorNotice } from '../../../../components/ui/error-notice';
import { RelativeTime } from '../../../../components/ui/relative-time';
import { RetryingNotice } from '../../../../components/ui/retrying-notice';
import { securityEventsQuery } from '../../api/user-access';
import { UNNAMED_DEVICE } from '../../lib/token-table';
import type { useActionDialog } from '../action-dialog';

/** The tenant's largest page. A user with more tokens than this is paged on the server. */
export const SERVER_PAGE = 100;

/** The tab's one action dialog and result summary, whichever table shows. */
export type Actions = ReturnType<typeof useActionDialog>;

/** Both tables' heading with its bulk action, the last action's result, and reuse alerts. */
export function TokenSectionHead({
  userId,
  summary,
  children,
}: {
  userId: string;
  summary: React.ReactNode;
  children: React.ReactNode;
}) {
  return (
    <>
      <div className="section-head">
        <h2 id="tokens-heading" className="section-title">
          Refresh Tokens
        </h2>
        {children}
      </div>
      {summary}
      <ReuseCallout userId={userId} />
    </>
  );
}

/** "Retrying…" while a failed load is tried again, then the error with a retry button. */
export function LoadNotices({ query }: { query: UseQueryResult<unknown> }) {
  return (
    <>
      <RetryingNotice query={query} what="refresh tokens" />
      {query.error ? (
        <ErrorNotice error={query.error} onRetry={() => void query.refetch()} title="Could not load refresh tokens" />
      ) : null}
    </>
  );
}

/** Filter changes go in the URL (shareable, back-button friendly) and return to the first page. */
export function useUrlFilters(setParams: ReturnType<typeof useSearchParams>[1]) {
  return (changes: Record<string, string | null>) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [key, value] of Object.entries(changes)) value ? next.set(key, value) : next.delete(key);
        if (!('page' in changes)) next.delete('page');
        return next;
      },
      { replace: true },
    );
}

export const applicationsOf = (tokens: RefreshToken[]) =>
  [...new Map(tokens.map((t) => [t.client_id, t.client_name])).entries()].sort((a, b) => a[1].localeCompare(b[1]));

export function ApplicationFilter({
  value,
  applications,
  onChange,
  hint,
}: {
  value: string;
  applications: [string, string][];
  onChange: (value: string) => void;
  hint?: string;
}) {
  return (
    <label>
      Application{hint ? <span className="muted"> ({hint})</span> : null}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">All applications</option>
        {applications.map(([id, name]) => (
          <option key={id} value={id}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Pager({
  label,
  onPrevious,
  onNext,
  children,
}: {
  label: string;
  onPrevious: (() => void) | undefined;
  onNext: (() => void) | undefined;
  children: React.ReactNode;
}) {
  return (
    <nav className="pager" aria-label={label}>
      <Button onClick={onPrevious} disabled={!onPrevious}>
        Previous
      </Button>
      <span>{children}</span>
      <Button onClick={onNext} disabled={!onNext}>
        Next
      </Button>
    </nav>
  );
}

/** Token families revoked for reuse, from the user's log. */
function ReuseCallout({ userId }: { userId: string }) {
  const events = useQuery(securityEventsQuery(userId));
  const reuse = events.data?.events.filter((e) => e.type === 'ferrt') ?? [];
  if (reuse.length === 0) return null;
  return (
    <section className="callout callout-danger" aria-label="Revoked token families">
      <h3>Revoked token families</h3>
      <ul>
        {reuse.map((event) => (
          <li key={event.id}>
            <Badge tone="danger">Reuse detected</Badge> {event.client_name ?? 'An application'} on{' '}
            {event.device_name ?? UNNAMED_DEVICE}: a rotated refresh token was used again, so its whole family was
            revoked <RelativeTime value={event.at} />
            {event.where ? ` (from ${event.where})` : ''}.
          </li>
        ))}
      </ul>
    </section>
  );
}
