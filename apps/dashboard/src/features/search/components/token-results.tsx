import type { SearchRevokeResult, TokenCounts, TokenSearchImpact } from '@rtc/contracts';
import { searchRevokePermission, WIDE_SEARCH_REVOKE_REASON } from '@rtc/contracts/roles';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Button } from '../../../components/ui/button';
import { EmptyState } from '../../../components/ui/empty-state';
import { RelativeTime } from '../../../components/ui/relative-time';
import { TokenBindingBadge } from '../../../components/ui/token-binding';
import { SkeletonRows } from '../../../components/ui/skeleton';
import { plural } from '../../../lib/format';
import { forgetStepUp, rememberForStepUp, resumeAfterStepUp } from '../../../lib/step-up';
import { tokenSearchImpactQuery, tokenSearchQuery, useRevokeSearchTokens } from '../api/search';
import { useCan } from '../../auth/api/get-me';
import { tokenCountWords, tokensRevokedSentence } from '../lib/counts';
import { describeFilter, filterForApi, isEmpty, type SearchFilter } from '../lib/filters';
import { BindingDialog, onConflictOf, ResultSummary } from './binding-dialog';
import { LoadNotices, Pager, SightingCell, Unavailable, UserCell, useCursorTrail } from './results';
import { useSearchOutlet } from './search-page';

const revokedWords = (c: TokenCounts) =>
  `${plural(c.tokens, 'refresh token')} of ${plural(c.users, 'user')} on ${plural(c.devices, 'device')}`;

/** The Refresh tokens tab: a server page of matches, the counts, and "Revoke these N tokens". */
export function TokenResults() {
  const { filter, applicationName, reportFieldErrors } = useSearchOutlet();
  if (isEmpty(filter))
    return (
      <EmptyState title="Search refresh tokens">
        Give an address or range, a network, an agent, a device, an application or a time, then Search.
      </EmptyState>
    );
  return (
    <TokenResultPages
      key={JSON.stringify(filter)}
      filter={filter}
      applicationName={applicationName}
      reportFieldErrors={reportFieldErrors}
    />
  );
}

function TokenResultPages({
  filter,
  applicationName,
  reportFieldErrors,
}: {
  filter: SearchFilter;
  applicationName: (id: string) => string;
  reportFieldErrors: (error: unknown) => void;
}) {
  const trail = useCursorTrail(filter);
  const results = useQuery(tokenSearchQuery(filter, trail.from));
  // Only the first page is counted (the BFF asks the tenant to count once): later pages show
  // the first page's counts, read from the cache, not fetched again.
  const firstPage = useQuery({ ...tokenSearchQuery(filter, undefined), enabled: trail.from === undefined });
  // Back from a step-up sign-in: the same dialog, with the preview it showed (still what binds).
  const [resumed] = useState(() =>
    resumeAfterStepUp<{ filter: SearchFilter; shown: TokenSearchImpact }>('search-revoke-tokens'),
  );
  const resumes = !!resumed && JSON.stringify(resumed.filter) === JSON.stringify(filter);
  useEffect(() => {
    if (resumes) forgetStepUp();
  }, [resumes]);
  const [revoking, setRevoking] = useState(resumes);
  const [done, setDone] = useState<SearchRevokeResult | null>(null);
  const mayRevoke = useCan(searchRevokePermission(filterForApi(filter)));
  const data = results.data;
  const totals = data?.totals ?? firstPage.data?.totals ?? null;
  const label =
    totals?.tokens === 1
      ? 'Revoke this token'
      : totals?.limited
        ? 'Revoke these tokens'
        : `Revoke these ${totals?.tokens.toLocaleString() ?? ''} tokens`;

  if (data?.unavailable) return <Unavailable sentence={data.unavailable} />;
  return (
    <section aria-labelledby="token-results-heading">
      <div className="section-head">
        <h2 id="token-results-heading" className="section-title">
          Refresh tokens
        </h2>
        {totals && totals.tokens > 0 ? (
          <Button
            variant="danger"
            onClick={() => setRevoking(true)}
            disabled={!mayRevoke}
            aria-describedby={mayRevoke ? undefined : 'token-revoke-reason'}
          >
            {label}
          </Button>
        ) : null}
      </div>
      {totals && totals.tokens > 0 && !mayRevoke ? (
        <p className="muted small" id="token-revoke-reason" data-testid="revoke-reason">
          {WIDE_SEARCH_REVOKE_REASON}
        </p>
      ) : null}
      <p className="muted" aria-live="polite" data-testid="search-counts">
        {totals ? tokenCountWords(totals) : ''}
      </p>
      <ResultSummary
        done={
          done && {
            sentence: tokensRevokedSentence(done.revoked),
            action: 'search.revoke_tokens',
            auditId: done.audit_id,
          }
        }
        onDismiss={() => setDone(null)}
      />
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
            <th scope="col">Binding</th>
          </tr>
        </thead>
        {results.isPending ? (
          <SkeletonRows columns={7} rows={4} label="Searching refresh tokens" />
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
                <td>
                  <TokenBindingBadge binding={t.binding} />
                </td>
              </tr>
            ))}
          </tbody>
        )}
      </table>
      {data && data.tokens.length === 0 ? (
        <EmptyState title="No match">No live refresh token matches this search.</EmptyState>
      ) : null}
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
          {...(resumes ? { shown: resumed!.shown } : {})}
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

/** "Revoke these N tokens": bound to the count and digest of the preview. */
function RevokeDialog({
  filter,
  shown,
  applicationName,
  onClose,
  onDone,
}: {
  filter: SearchFilter;
  shown?: TokenSearchImpact;
  applicationName: (id: string) => string;
  onClose: () => void;
  onDone: (result: SearchRevokeResult) => void;
}) {
  const impact = useQuery(tokenSearchImpactQuery(filter));
  const revoke = useRevokeSearchTokens();
  return (
    <BindingDialog
      title="Revoke the tokens this search found"
      confirmLabel="Revoke these tokens"
      noun="tokens"
      impact={impact}
      count={(p) => p.totals.tokens}
      describe={(p) => (
        <>
          This revokes <strong>{revokedWords(p.totals)}</strong>, every live token matching{' '}
          {describeFilter(filter, applicationName)}, at once. Their users must sign in again on those devices.
        </>
      )}
      overLimit={(p) =>
        `This search finds more than ${p.limit.toLocaleString()} refresh tokens (${tokenCountWords(p.totals)}), ` +
        'more than the console revokes at once. Narrow the search: a smaller range, an application, a time.'
      }
      perUser={(u) => plural(u.tokens, 'token')}
      usersTotal={(p) => p.totals.users}
      loadingLabel="Finding every token this search matches"
      isPending={revoke.isPending}
      error={revoke.error}
      onClose={onClose}
      {...(shown ? { shown } : {})}
      onStepUp={(p) => rememberForStepUp('search-revoke-tokens', { filter, shown: p })}
      onConfirm={(p, onConflict) =>
        revoke.mutate(
          { filter, expected: { tokens: p.totals.tokens, digest: p.digest } },
          { onSuccess: onDone, onError: onConflictOf(onConflict) },
        )
      }
    />
  );
}
