import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { Button } from '../../../../components/ui/button';
import { EmptyState } from '../../../../components/ui/empty-state';
import { SkeletonRows } from '../../../../components/ui/skeleton';
import { useCan } from '../../../auth/api/get-me';
import { pollWhile, refreshTokenPageQuery } from '../../api/user-access';
import { usePendingRevocations } from '../../lib/pending-revocations';
import {
  type Actions,
  ApplicationFilter,
  LoadNotices,
  Pager,
  SERVER_PAGE,
  TokenSectionHead,
  useUrlFilters,
} from './table-parts';
import { TokenRows } from './token-rows';

/**
 * More tokens than one page: the tenant's pages, oldest first, SERVER_PAGE at a time, filtered
 * by application on the tenant. Sorting and the device filter need every token, which the
 * person can load (up to the console's cap) with one button.
 */
export function ServerPagedTokens({
  userId,
  actions,
  onLoadEverything,
}: {
  userId: string;
  actions: Actions;
  onLoadEverything: () => void;
}) {
  const canRevoke = useCan('revoke');
  const { open, summary } = actions;
  const [params, setParams] = useSearchParams();
  const update = useUrlFilters(setParams);
  const app = params.get('app') ?? '';
  // The cursors of the pages before this one, for Previous; reset when the filter changes.
  const [trail, setTrail] = useState<{ app: string; cursors: string[] }>({ app, cursors: [] });
  const cursors = trail.app === app ? trail.cursors : [];
  const from = cursors.at(-1);
  const pending = usePendingRevocations(userId);
  const page = refreshTokenPageQuery(
    userId,
    { take: SERVER_PAGE, ...(from ? { from } : {}), ...(app ? { clientId: app } : {}) },
    pollWhile(pending.hasPending('token:')),
  );
  const tokens = useQuery(page);
  const isRevoking = (id: string) => pending.isPending(`token:${id}`);
  // A "Revoked" mark goes when the page that showed its token no longer does. A token absent
  // from this page may be on another one: its mark stays.
  const shownBefore = useRef(new Map<string, Set<string>>());
  const { settleGone } = pending;
  const pageKey = JSON.stringify(page.queryKey);
  useEffect(() => {
    if (!tokens.data || tokens.isPlaceholderData) return;
    const now = new Set(tokens.data.tokens.map((t) => t.id));
    const before = shownBefore.current.get(pageKey);
    shownBefore.current.set(pageKey, now);
    if (before)
      settleGone(
        'token:',
        [...before].filter((id) => !now.has(id)),
      );
  }, [pageKey, tokens.data, tokens.isPlaceholderData, settleGone]);
  // The applications seen on the pages read so far: the only ones known without reading every token.
  const [seen, setSeen] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    const names = tokens.data?.tokens.map((t) => [t.client_id, t.client_name] as const) ?? [];
    if (names.some(([id]) => !seen.has(id))) setSeen(new Map([...seen, ...names]));
  }, [tokens.data, seen]);
  const applications = [...seen.entries()].sort((a, b) => a[1].localeCompare(b[1]));
  const appName = seen.get(app);
  const shown = tokens.data?.tokens ?? [];
  const next = tokens.data?.next ?? null;
  const bulkLabel = app ? `Revoke every ${appName ?? 'application'} token` : 'Revoke every token';

  return (
    <section aria-labelledby="tokens-heading">
      <TokenSectionHead userId={userId} summary={summary}>
        {canRevoke ? (
          // Every token of the user (of the application chosen), on every page: the preview counts them.
          <Button
            variant="danger"
            onClick={() =>
              open(
                { action: 'refresh_tokens.revoke_all', ...(app ? { client_id: app } : {}) },
                { title: `${bulkLabel} of this user?`, confirmLabel: bulkLabel },
              )
            }
          >
            {bulkLabel}
          </Button>
        ) : null}
      </TokenSectionHead>

      <p className="callout" role="note">
        This user has more than {SERVER_PAGE} refresh tokens: they are listed {SERVER_PAGE} at a time, oldest first, as
        the tenant pages them.{' '}
        <Button variant="ghost" onClick={onLoadEverything}>
          Load every token to sort and filter by device
        </Button>
      </p>
      <search className="filters" aria-label="Filter refresh tokens">
        <ApplicationFilter
          value={app}
          applications={applications}
          onChange={(value) => update({ app: value || null })}
          hint="applications seen so far"
        />
      </search>

      <LoadNotices query={tokens} />

      <table className="table tokens" aria-busy={tokens.isPlaceholderData}>
        <caption className="visually-hidden">Refresh tokens of this user</caption>
        <thead>
          <tr>
            <th scope="col">Application</th>
            <th scope="col">Device</th>
            <th scope="col">Created</th>
            <th scope="col">Last exchanged</th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        {tokens.isPending ? (
          <SkeletonRows columns={7} rows={4} label="Loading refresh tokens" />
        ) : (
          <TokenRows tokens={shown} isRevoking={isRevoking} canRevoke={canRevoke} open={open} />
        )}
      </table>
      {tokens.data && shown.length === 0 ? (
        <EmptyState title="No refresh tokens">
          No live refresh token {app ? 'of this application ' : ''}on this page.
        </EmptyState>
      ) : null}
      <Pager
        label="Refresh token pages"
        onPrevious={cursors.length > 0 ? () => setTrail({ app, cursors: cursors.slice(0, -1) }) : undefined}
        onNext={next && !tokens.isPlaceholderData ? () => setTrail({ app, cursors: [...cursors, next] }) : undefined}
      >
        Page {cursors.length + 1}
        {next ? '' : ' (the last)'}
      </Pager>
    </section>
  );
}
