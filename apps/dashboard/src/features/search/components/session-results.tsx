import type { SessionCounts } from '@rtc/contracts';
import { useQuery } from '@tanstack/react-query';
import { EmptyState } from '../../../components/ui/empty-state';
import { RelativeTime } from '../../../components/ui/relative-time';
import { SkeletonRows } from '../../../components/ui/skeleton';
import { plural } from '../../../lib/format';
import { sessionSearchQuery } from '../api/search';
import { describeFilter, isEmpty, type SearchFilter } from '../lib/filters';
import { LoadNotices, Pager, SightingCell, Unavailable, UserCell, useCursorTrail } from './results';
import { useSearchOutlet } from './search-page';

const counts = (c: SessionCounts) => `${plural(c.sessions, 'session')} · ${plural(c.users, 'user')}`;

/** The Sessions tab: a server page of sessions matching the search, with the counts. Each is ended from its user's page. */
export function SessionResults() {
  const { filter, applicationName, reportFieldErrors } = useSearchOutlet();
  if (isEmpty(filter)) return <EmptyState title="Search sessions">Give an address or range, a network, an agent or a time, then Search.</EmptyState>;
  return <SessionResultPages key={JSON.stringify(filter)} filter={filter} applicationName={applicationName} reportFieldErrors={reportFieldErrors} />;
}

function SessionResultPages({ filter, applicationName, reportFieldErrors }: { filter: SearchFilter; applicationName: (id: string) => string; reportFieldErrors: (error: unknown) => void }) {
  const trail = useCursorTrail(filter);
  const results = useQuery(sessionSearchQuery(filter, trail.from));
  const data = results.data;
  if (data?.unavailable) return <Unavailable sentence={data.unavailable} />;
  return (
    <section aria-labelledby="session-results-heading">
      <h2 id="session-results-heading" className="section-title">
        Sessions
      </h2>
      <p className="muted" aria-live="polite" data-testid="search-counts">
        {data?.totals ? counts(data.totals) : ''}
      </p>
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
      {data && data.sessions.length === 0 ? <EmptyState title="No match">No live session matches this search.</EmptyState> : null}
      <Pager
        label="Search result pages"
        page={trail.page}
        last={!!data && !data.next}
        onPrevious={trail.previous}
        onNext={data?.next && !results.isPlaceholderData ? () => trail.next(data.next!) : undefined}
      />
    </section>
  );
}
