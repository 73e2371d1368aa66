import type { SearchRevokeResult, TokenCounts } from '@rtc/contracts';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { Button } from '../../../components/ui/button';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { EmptyState } from '../../../components/ui/empty-state';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { RelativeTime } from '../../../components/ui/relative-time';
import { SkeletonBlock, SkeletonRows } from '../../../components/ui/skeleton';
import { paths } from '../../../config/paths';
import { ApiError } from '../../../lib/api-client';
import { plural } from '../../../lib/format';
import { tokenSearchImpactQuery, tokenSearchQuery, useRevokeSearchTokens } from '../api/search';
import { describeFilter, isEmpty, type SearchFilter } from '../lib/filters';
import { LoadNotices, Pager, SightingCell, Unavailable, UserCell, useCursorTrail } from './results';
import { useSearchOutlet } from './search-page';

const counts = (c: TokenCounts) => `${plural(c.tokens, 'token')} · ${plural(c.users, 'user')} · ${plural(c.devices, 'device')}`;
const revokedWords = (c: TokenCounts) => `${plural(c.tokens, 'refresh token')} of ${plural(c.users, 'user')} on ${plural(c.devices, 'device')}`;

/** The Refresh tokens tab: a server page of matches, the counts, and "Revoke these N tokens". */
export function TokenResults() {
  const { filter, applicationName, reportFieldErrors } = useSearchOutlet();
  if (isEmpty(filter)) return <EmptyState title="Search refresh tokens">Give an address or range, a network, an agent, a device, an application or a time, then Search.</EmptyState>;
  return <TokenResultPages key={JSON.stringify(filter)} filter={filter} applicationName={applicationName} reportFieldErrors={reportFieldErrors} />;
}

function TokenResultPages({ filter, applicationName, reportFieldErrors }: { filter: SearchFilter; applicationName: (id: string) => string; reportFieldErrors: (error: unknown) => void }) {
  const trail = useCursorTrail(filter);
  const results = useQuery(tokenSearchQuery(filter, trail.from));
  const [revoking, setRevoking] = useState(false);
  const [done, setDone] = useState<SearchRevokeResult | null>(null);
  const data = results.data;
  const totals = data?.totals ?? null;
  const label = totals?.tokens === 1 ? 'Revoke this token' : `Revoke these ${totals?.tokens.toLocaleString() ?? ''} tokens`;

  if (data?.unavailable) return <Unavailable sentence={data.unavailable} />;
  return (
    <section aria-labelledby="token-results-heading">
      <div className="section-head">
        <h2 id="token-results-heading" className="section-title">
          Refresh tokens
        </h2>
        {totals && totals.tokens > 0 ? (
          <Button variant="danger" onClick={() => setRevoking(true)}>
            {label}
          </Button>
        ) : null}
      </div>
      <p className="muted" aria-live="polite" data-testid="search-counts">
        {totals ? counts(totals) : ''}
      </p>
      <RevokeSummary done={done} onDismiss={() => setDone(null)} />
      <LoadNotices query={results} what="refresh tokens" onFieldErrors={reportFieldErrors} />
      <table className="table" aria-busy={results.isPlaceholderData || results.isPending}>
        <caption className="visually-hidden">Refresh tokens matching {describeFilter(filter, applicationName)}</caption>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Application</th>
            <th scope="col">Device</th>
            <th scope="col">Issued from</th>
            <th scope="col">Last used from</th>
            <th scope="col">Last used</th>
          </tr>
        </thead>
        {results.isPending ? (
          <SkeletonRows columns={6} rows={4} label="Searching refresh tokens" />
        ) : (
          <tbody>
            {data?.tokens.map((t) => (
              <tr key={t.id}>
                <th scope="row">
                  <UserCell user={t.user} tab="refresh-tokens" />
                </th>
                <td>{t.application.name}</td>
                <td>{t.device_name ?? <span className="muted">{t.initial.agent ?? 'Unnamed device'}</span>}</td>
                <td>
                  <SightingCell sighting={t.initial} />
                </td>
                <td>
                  <SightingCell sighting={t.last} />
                </td>
                <td>
                  <RelativeTime value={t.last_used_at} />
                </td>
              </tr>
            ))}
          </tbody>
        )}
      </table>
      {data && data.tokens.length === 0 ? <EmptyState title="No match">No live refresh token matches this search.</EmptyState> : null}
      <Pager
        label="Search result pages"
        page={trail.page}
        last={!!data && !data.next}
        onPrevious={trail.previous}
        onNext={data?.next && !results.isPlaceholderData ? () => trail.next(data.next!) : undefined}
      />
      {revoking ? (
        <RevokeDialog
          filter={filter}
          applicationName={applicationName}
          onClose={() => setRevoking(false)}
          onDone={(result) => {
            setRevoking(false);
            setDone(result);
          }}
        />
      ) : null}
    </section>
  );
}

/**
 * "Revoke these N tokens": the binding preview (counts, first users), REVOKE typed in, and the
 * revocation bound to exactly what the preview matched. If the result set changed meanwhile
 * (409), nothing was revoked: the dialog says what changed, shows the new preview, and asks again.
 */
function RevokeDialog({ filter, applicationName, onClose, onDone }: { filter: SearchFilter; applicationName: (id: string) => string; onClose: () => void; onDone: (result: SearchRevokeResult) => void }) {
  const impact = useQuery(tokenSearchImpactQuery(filter));
  const revoke = useRevokeSearchTokens();
  const [changed, setChanged] = useState<string | null>(null);
  const preview = impact.data;
  const conflict = revoke.error instanceof ApiError && revoke.error.status === 409;
  return (
    <ConfirmDialog
      open
      title="Revoke the tokens this search found"
      confirmLabel={changed ? 'Revoke these tokens now' : 'Revoke these tokens'}
      confirmWord="REVOKE"
      ready={!!preview && !impact.isFetching && !preview.over_limit && preview.totals.tokens > 0}
      isPending={revoke.isPending}
      error={conflict ? undefined : (revoke.error ?? impact.error)}
      restoreFocus={false}
      onClose={onClose}
      onConfirm={() => {
        if (!preview) return;
        setChanged(null);
        revoke.mutate(
          { filter, expected: { tokens: preview.totals.tokens, digest: preview.digest } },
          {
            onSuccess: onDone,
            onError: (err) => {
              if (err instanceof ApiError && err.status === 409) {
                setChanged(err.message);
                void impact.refetch();
              }
            },
          },
        );
      }}
    >
      {changed ? (
        <div className="callout callout-warn" role="alert" data-testid="impact-changed">
          <p>
            <strong>The tokens this search finds changed since you opened it; nothing was revoked.</strong>
          </p>
          <p>{changed}</p>
          <p>Check what it does now, then confirm again.</p>
        </div>
      ) : null}
      {preview && !impact.isFetching ? (
        preview.over_limit ? (
          <p className="callout" role="alert">
            This search finds more than {preview.limit.toLocaleString()} refresh tokens ({revokedWords(preview.totals)}), more than the console revokes at once. Narrow the search: a smaller range, an application, a time.
          </p>
        ) : (
          <div data-testid="impact">
            <p>
              This revokes <strong>{revokedWords(preview.totals)}</strong>, every live token matching {describeFilter(filter, applicationName)}, at once. Their users must sign in again on those devices.
            </p>
            {preview.first_users.length > 0 ? (
              <>
                <p>Users affected (most tokens first):</p>
                <ul aria-label="Users affected">
                  {preview.first_users.map((u) => (
                    <li key={u.user_id}>
                      {u.email ?? u.user_id} ({plural(u.tokens, 'token')})
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            <p className="muted small">If what the search finds changes before you confirm, nothing is revoked and the new preview is shown.</p>
          </div>
        )
      ) : impact.error ? null : (
        <SkeletonBlock lines={2} label="Finding every token this search matches" />
      )}
      {impact.error ? <ErrorNotice error={impact.error} onRetry={() => void impact.refetch()} title="Could not preview this revocation" /> : null}
    </ConfirmDialog>
  );
}

/**
 * The result of the last revocation: a live region (present before it fills, so it is
 * announced), focused when it fills, with a link to its audit entry.
 */
function RevokeSummary({ done, onDismiss }: { done: SearchRevokeResult | null; onDismiss: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!done) return;
    // After the dialog's close, which gives focus back to its opener.
    const timer = setTimeout(() => ref.current?.focus(), 0);
    return () => clearTimeout(timer);
  }, [done]);
  return (
    <div ref={ref} role="status" aria-live="polite" tabIndex={done ? -1 : undefined} className={done ? 'callout callout-success action-summary' : 'action-summary-empty'}>
      {done ? (
        <>
          <p>
            <strong>Done.</strong> Revoked {revokedWords(done.revoked)}. They are refused from now on.
          </p>
          <p>
            <Link to={`${paths.audit}?action=search.revoke_tokens&entry=${encodeURIComponent(done.audit_id)}`}>See this action in the audit log</Link>{' '}
            <Button variant="ghost" onClick={onDismiss}>
              Dismiss
            </Button>
          </p>
        </>
      ) : null}
    </div>
  );
}
