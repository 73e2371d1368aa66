import type { SearchSighting, SearchUser } from '@rtc/contracts';
import type { UseQueryResult } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { Button } from '../../../components/ui/button';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { RetryingNotice } from '../../../components/ui/retrying-notice';
import { paths } from '../../../config/paths';
import { IpWithPlace } from '../../../components/ui/ip-address';
import type { SearchFilter } from '../lib/filters';

/** The cursors of the pages before this one, for Previous; a new filter starts on the first page. */
export function useCursorTrail(filter: SearchFilter) {
  const key = JSON.stringify(filter);
  const [trail, setTrail] = useState<{ key: string; cursors: string[] }>({ key, cursors: [] });
  const cursors = trail.key === key ? trail.cursors : [];
  return {
    from: cursors.at(-1),
    page: cursors.length + 1,
    previous: cursors.length > 0 ? () => setTrail({ key, cursors: cursors.slice(0, -1) }) : undefined,
    next: (cursor: string) => setTrail({ key, cursors: [...cursors, cursor] }),
  };
}

/** The user, linked to their page (the tab that shows what was found). */
export function UserCell({ user, tab }: { user: SearchUser; tab: 'refresh-tokens' | 'sessions' }) {
  return (
    <>
      <Link to={paths.user(user.user_id, tab)}>{user.name ?? user.email ?? user.user_id}</Link>
      {user.email && user.name ? <div className="muted small">{user.email}</div> : null}
    </>
  );
}

/** An address with its network and country, and the agent, as the user pages show them. */
export function SightingCell({ sighting }: { sighting: SearchSighting }) {
  if (!sighting.ip && !sighting.agent) return <span className="muted">—</span>;
  return (
    <>
      <div>
        <IpWithPlace ip={sighting.ip} place={sighting.place} asn={sighting.asn} />
      </div>
      {sighting.agent ? (
        <div className="muted small" title={sighting.user_agent ?? undefined}>
          {sighting.agent}
        </div>
      ) : null}
    </>
  );
}

export function Pager({
  label,
  page,
  last,
  onPrevious,
  onNext,
}: {
  label: string;
  page: number;
  last: boolean;
  onPrevious: (() => void) | undefined;
  onNext: (() => void) | undefined;
}) {
  return (
    <nav className="pager" aria-label={label}>
      <Button onClick={onPrevious} disabled={!onPrevious}>
        Previous
      </Button>
      <span>
        Page {page}
        {last ? ' (the last)' : ''}
      </span>
      <Button onClick={onNext} disabled={!onNext}>
        Next
      </Button>
    </nav>
  );
}

/** "Retrying…" while a failed load is tried again, then the error; a 400's fields go beside the form's fields. */
export function LoadNotices({
  query,
  what,
  onFieldErrors,
}: {
  query: UseQueryResult<unknown>;
  what: string;
  onFieldErrors: (error: unknown) => void;
}) {
  // The effect's own render's onFieldErrors is the current one; a new function on each render must not report again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: an error is reported when it arrives, once
  useEffect(() => onFieldErrors(query.error), [query.error]);
  return (
    <>
      <RetryingNotice query={query} what={what} />
      {query.error ? (
        <ErrorNotice error={query.error} onRetry={() => void query.refetch()} title={`Could not search ${what}`} />
      ) : null}
    </>
  );
}

/** On a tenant that cannot search (a real Auth0 tenant): what the BFF says, in its words. */
export function Unavailable({ sentence }: { sentence: string }) {
  return (
    <p className="callout" role="note">
      {sentence}
    </p>
  );
}
