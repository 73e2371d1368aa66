import type { RefreshTokenList } from '@rtc/contracts';
import type { UseQueryResult } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { Button } from '../../../../components/ui/button';
import { EmptyState } from '../../../../components/ui/empty-state';
import { SkeletonRows } from '../../../../components/ui/skeleton';
import { plural } from '../../../../lib/format';
import { useCan } from '../../../auth/api/get-me';
import { filterTokens, sortTokens, SORT_KEYS, type SortKey, UNNAMED_DEVICE } from '../../lib/token-table';
import {
  type Actions,
  ApplicationFilter,
  applicationsOf,
  LoadNotices,
  Pager,
  TokenSectionHead,
  useUrlFilters,
} from './table-parts';
import { TokenRows } from './token-rows';

const PAGE_SIZE = 50;

/** Every token loaded: sorted, filtered and paged here, with the filters in the URL. */
export function LoadedTokenTable({
  userId,
  actions,
  query: tokens,
  list,
  isRevoking,
}: {
  userId: string;
  actions: Actions;
  query: UseQueryResult<unknown>;
  list: RefreshTokenList | undefined;
  isRevoking: (id: string) => boolean;
}) {
  const canRevoke = useCan('revoke');
  const { open, summary } = actions;
  const [params, setParams] = useSearchParams();

  const app = params.get('app') ?? '';
  const device = params.get('device') ?? '';
  const sort = (SORT_KEYS as readonly string[]).includes(params.get('sort') ?? '')
    ? (params.get('sort') as SortKey)
    : 'created_at';
  const direction = params.get('dir') === 'asc' ? 'asc' : 'desc';
  const page = Math.max(0, Number(params.get('page') ?? 0) || 0);
  const update = useUrlFilters(setParams);

  const all = list?.tokens ?? [];
  const applications = useMemo(() => applicationsOf(all), [all]);
  const devices = useMemo(() => [...new Set(all.map((t) => t.device_name ?? UNNAMED_DEVICE))].sort(), [all]);
  const visible = useMemo(
    () => sortTokens(filterTokens(all, { clientId: app, device }), sort, direction),
    [all, app, device, sort, direction],
  );
  const pageCount = Math.max(1, Math.ceil(visible.length / PAGE_SIZE));
  const shown = visible.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  const appName = applications.find(([id]) => id === app)?.[1];
  const bulkLabel = visible.length === 1 ? 'Revoke this token' : `Revoke these ${visible.length} tokens`;

  const header = (key: SortKey, label: string) => (
    <th scope="col" aria-sort={sort === key ? (direction === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button
        type="button"
        className="sort"
        onClick={() => update({ sort: key, dir: sort === key && direction === 'desc' ? 'asc' : 'desc' })}
      >
        {label}
        <span aria-hidden="true">{sort === key ? (direction === 'asc' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );

  return (
    <section aria-labelledby="tokens-heading">
      <TokenSectionHead userId={userId} summary={summary}>
        {canRevoke ? (
          // Acts on exactly the rows the filters show, on every page of them.
          <Button
            variant="danger"
            disabled={visible.length === 0}
            onClick={() =>
              open(
                {
                  action: 'refresh_tokens.revoke_all',
                  ...(app ? { client_id: app } : {}),
                  ...(device ? { device_name: device } : {}),
                },
                {
                  title: `${bulkLabel}${app || device ? ` (${[appName, device].filter(Boolean).join(' on ')})` : ''}?`,
                  confirmLabel: bulkLabel,
                },
              )
            }
          >
            {bulkLabel}
          </Button>
        ) : null}
      </TokenSectionHead>

      <search className="filters" aria-label="Filter refresh tokens">
        <ApplicationFilter
          value={app}
          applications={applications}
          onChange={(value) => update({ app: value || null })}
        />
        <label>
          Device
          <select value={device} onChange={(e) => update({ device: e.target.value || null })}>
            <option value="">All devices</option>
            {devices.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <span className="muted" aria-live="polite">
          {list ? `${plural(visible.length, 'token')}${visible.length !== all.length ? ` of ${all.length}` : ''}` : ''}
        </span>
      </search>

      <LoadNotices query={tokens} />
      {list?.truncated ? (
        <p className="callout">
          This user has more refresh tokens than the console loads at once; the oldest are not shown.
        </p>
      ) : null}

      <table className="table tokens">
        <caption className="visually-hidden">Refresh tokens of this user</caption>
        <thead>
          <tr>
            {header('client_name', 'Application')}
            {header('device_name', 'Device')}
            {header('created_at', 'Created')}
            {header('last_exchanged_at', 'Last exchanged')}
            {header('expires_at', 'Expires')}
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
      {list && all.length === 0 ? (
        <EmptyState title="No refresh tokens">This user has no live refresh tokens.</EmptyState>
      ) : null}
      {list && all.length > 0 && visible.length === 0 ? (
        <EmptyState title="No match">No refresh token matches these filters.</EmptyState>
      ) : null}
      {pageCount > 1 ? (
        <Pager
          label="Refresh token pages"
          onPrevious={page > 0 ? () => update({ page: String(page - 1) }) : undefined}
          onNext={page + 1 < pageCount ? () => update({ page: String(page + 1) }) : undefined}
        >
          Page {page + 1} of {pageCount}
        </Pager>
      ) : null}
    </section>
  );
}
