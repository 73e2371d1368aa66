import type { SearchSessionsRevokeResult, SessionCounts } from '@rtc/contracts';
import { searchRevokePermission, WIDE_SEARCH_REVOKE_REASON } from '@rtc/contracts/roles';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '../../../components/ui/button';
import { EmptyState } from '../../../components/ui/empty-state';
import { RelativeTime } from '../../../components/ui/relative-time';
import { SkeletonRows } from '../../../components/ui/skeleton';
import { plural } from '../../../lib/format';
import { sessionSearchImpactQuery, sessionSearchQuery, useEndSearchSessions } from '../api/search';
import { useCan } from '../../auth/api/get-me';
import { sessionCountWords } from '../lib/counts';
import { describeFilter, filterForApi, isEmpty, type SearchFilter } from '../lib/filters';
import { BindingDialog, onConflictOf, ResultSummary } from './binding-dialog';
import { LoadNotices, Pager, SightingCell, Unavailable, UserCell, useCursorTrail } from './results';
import { useSearchOutlet } from './search-page';

const endedWords = (c: SessionCounts) => `${plural(c.sessions, 'session')} of ${plural(c.users, 'user')}`;

/** The Sessions tab: a server page of sessions matching the search, the counts, and "End these N sessions". */
export function SessionResults() {
  const { filter, applicationName, reportFieldErrors } = useSearchOutlet();
  if (isEmpty(filter))
    return (
      <EmptyState title="Search sessions">
        Give an address or range, a network, an agent or a time, then Search.
      </EmptyState>
    );
  return (
    <SessionResultPages
      key={JSON.stringify(filter)}
      filter={filter}
      applicationName={applicationName}
      reportFieldErrors={reportFieldErrors}
    />
  );
}

function SessionResultPages({
  filter,
  applicationName,
  reportFieldErrors,
}: {
  filter: SearchFilter;
  applicationName: (id: string) => string;
  reportFieldErrors: (error: unknown) => void;
}) {
  const trail = useCursorTrail(filter);
  const results = useQuery(sessionSearchQuery(filter, trail.from));
  // Counted on the first page only: later pages show its counts, from the cache.
  const firstPage = useQuery({ ...sessionSearchQuery(filter, undefined), enabled: trail.from === undefined });
  const data = results.data;
  const [ending, setEnding] = useState(false);
  const [done, setDone] = useState<SearchSessionsRevokeResult | null>(null);
  const mayEnd = useCan(searchRevokePermission(filterForApi(filter)));
  const totals = data?.totals ?? firstPage.data?.totals ?? null;
  if (data?.unavailable) return <Unavailable sentence={data.unavailable} />;
  return (
    <section aria-labelledby="session-results-heading">
      <div className="section-head">
        <h2 id="session-results-heading" className="section-title">
          Sessions
        </h2>
        {totals && totals.sessions > 0 ? (
          <Button
            variant="danger"
            onClick={() => setEnding(true)}
            disabled={!mayEnd}
            aria-describedby={mayEnd ? undefined : 'session-revoke-reason'}
          >
            {totals.sessions === 1
              ? 'End this session'
              : totals.limited
                ? 'End these sessions'
                : `End these ${totals.sessions.toLocaleString()} sessions`}
          </Button>
        ) : null}
      </div>
      {totals && totals.sessions > 0 && !mayEnd ? (
        <p className="muted small" id="session-revoke-reason" data-testid="revoke-reason">
          {WIDE_SEARCH_REVOKE_REASON}
        </p>
      ) : null}
      <p className="muted" aria-live="polite" data-testid="search-counts">
        {totals ? sessionCountWords(totals) : ''}
      </p>
      <ResultSummary
        done={
          done && {
            sentence: `Ended ${endedWords(done.ended)}, and revoked every refresh token issued in them.`,
            action: 'search.revoke_sessions',
            auditId: done.audit_id,
          }
        }
        onDismiss={() => setDone(null)}
      />
      <LoadNotices query={results} what="sessions" onFieldErrors={reportFieldErrors} />
      <table className="table" aria-busy={results.isPlaceholderData || results.isPending}>
        <caption className="visually-hidden">Sessions matching {describeFilter(filter, applicationName)}</caption>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Applications</th>
            <th scope="col">Started from</th>
            <th scope="col">Last seen from</th>
            <th scope="col">Last used</th>
          </tr>
        </thead>
        {results.isPending ? (
          <SkeletonRows columns={5} rows={4} label="Searching sessions" />
        ) : (
          <tbody>
            {data?.sessions.map((s) => (
              <tr key={s.id}>
                <th scope="row">
                  <UserCell user={s.user} tab="sessions" />
                </th>
                <td>{s.applications.map((a) => a.name).join(', ') || <span className="muted">None</span>}</td>
                <td>
                  <SightingCell sighting={s.initial} />
                </td>
                <td>
                  <SightingCell sighting={s.last} />
                </td>
                <td>
                  <RelativeTime value={s.last_used_at} />
                </td>
              </tr>
            ))}
          </tbody>
        )}
      </table>
      {data && data.sessions.length === 0 ? (
        <EmptyState title="No match">No live session matches this search.</EmptyState>
      ) : null}
      <Pager
        label="Search result pages"
        page={trail.page}
        last={!!data && !data.next}
        onPrevious={trail.previous}
        onNext={data?.next && !results.isPlaceholderData ? () => trail.next(data.next!) : undefined}
      />
      {ending ? (
        <EndDialog
          filter={filter}
          applicationName={applicationName}
          onClose={() => setEnding(false)}
          onDone={(result) => {
            setEnding(false);
            setDone(result);
          }}
        />
      ) : null}
    </section>
  );
}

/** "End these N sessions": bound to the count and digest of the preview; each session's refresh tokens go with it. */
function EndDialog({
  filter,
  applicationName,
  onClose,
  onDone,
}: {
  filter: SearchFilter;
  applicationName: (id: string) => string;
  onClose: () => void;
  onDone: (result: SearchSessionsRevokeResult) => void;
}) {
  const impact = useQuery(sessionSearchImpactQuery(filter));
  const end = useEndSearchSessions();
  return (
    <BindingDialog
      title="End the sessions this search found"
      confirmLabel="End these sessions"
      noun="sessions"
      impact={impact}
      count={(p) => p.totals.sessions}
      describe={(p) => (
        <>
          {/* The tenant's search counts sessions, not the tokens issued in them: said plainly, not guessed. */}
          This ends <strong>{endedWords(p.totals)}</strong>, every live session matching{' '}
          {describeFilter(filter, applicationName)}, <strong>and revokes every refresh token issued in them</strong>, at
          once. Their users must sign in again there.
        </>
      )}
      overLimit={(p) =>
        `This search finds more than ${p.limit.toLocaleString()} sessions (${sessionCountWords(p.totals)}), ` +
        `more than the console ends at once. Narrow the search: a smaller range, a time.`
      }
      perUser={(u) => plural(u.sessions, 'session')}
      usersTotal={(p) => p.totals.users}
      loadingLabel="Finding every session this search matches"
      isPending={end.isPending}
      error={end.error}
      onClose={onClose}
      onConfirm={(p, onConflict) =>
        end.mutate(
          { filter, expected: { sessions: p.totals.sessions, digest: p.digest } },
          { onSuccess: onDone, onError: onConflictOf(onConflict) },
        )
      }
    />
  );
}
