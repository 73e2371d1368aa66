import type { RefreshToken, RefreshTokenList, RefreshTokenPage } from '@rtc/contracts';
import { useQuery, type UseQueryResult } from '@tanstack/react-query';
import { Fragment, useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { Badge } from '../../../components/ui/badge';
import { Button } from '../../../components/ui/button';
import { EmptyState } from '../../../components/ui/empty-state';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { RetryingNotice } from '../../../components/ui/retrying-notice';
import { RelativeTime } from '../../../components/ui/relative-time';
import { SkeletonRows } from '../../../components/ui/skeleton';
import { plural } from '../../../lib/format';
import { useCan } from '../../auth/api/get-me';
import { pollWhile, refreshTokenPageQuery, refreshTokensQuery, securityEventsQuery } from '../api/user-access';
import { usePendingRevocations } from '../lib/pending-revocations';
import { filterTokens, sortTokens, SORT_KEYS, type SortKey, UNNAMED_DEVICE } from '../lib/token-table';
import { useRevocableList } from '../lib/use-revocable-list';
import { DetailsList } from '../../../components/ui/details-list';
import { useActionDialog } from './action-dialog';
import { RevokedMark } from './revoked-mark';
import { IpWithPlace } from '../../../components/ui/ip-address';
import { TokenBindingBadge } from '../../../components/ui/token-binding';
import { bindingWords } from '@rtc/contracts/binding';

const PAGE_SIZE = 50;
/** The tenant's largest page. A user with more tokens than this is paged on the server. */
const SERVER_PAGE = 100;
const idsOfPage = (data: RefreshTokenPage) => data.tokens.map((t) => t.id);

/**
 * Everything the Management API knows of each refresh token; revoke one, or all. The first
 * page decides how: when it holds every token (at most SERVER_PAGE), the table sorts and
 * filters them here; otherwise it pages on the server, as the tenant does, until the person
 * asks to load every token (up to the console's cap) to sort and filter them.
 */
export function RefreshTokensTab({ userId }: { userId: string }) {
  const [everything, setEverything] = useState(false);
  // One dialog and result summary for the tab, whichever table shows: an action can move the
  // user between the two (revoking most tokens), and its result must stay on screen.
  const actions = useActionDialog(userId);
  const first = useQuery(refreshTokenPageQuery(userId, { take: SERVER_PAGE }));
  const table = everything ? (
    <EveryToken userId={userId} actions={actions} />
  ) : first.data?.next ? (
    <ServerPagedTokens userId={userId} actions={actions} onLoadEverything={() => setEverything(true)} />
  ) : (
    <FirstPageIsEverything userId={userId} actions={actions} />
  );
  return (
    <>
      {table}
      {actions.dialog}
    </>
  );
}

type Actions = ReturnType<typeof useActionDialog>;

function FirstPageIsEverything({ userId, actions }: { userId: string; actions: Actions }) {
  const { query, isRevoking } = useRevocableList(
    userId,
    'token:',
    (id, poll) => refreshTokenPageQuery(id, { take: SERVER_PAGE }, poll),
    idsOfPage,
  );
  const list = useMemo(() => (query.data ? { tokens: query.data.tokens, truncated: false } : undefined), [query.data]);
  return <TokenTable userId={userId} actions={actions} query={query} list={list} isRevoking={isRevoking} />;
}

function EveryToken({ userId, actions }: { userId: string; actions: Actions }) {
  const { query, isRevoking } = useRevocableList(userId, 'token:', refreshTokensQuery, (data) =>
    data.tokens.map((t) => t.id),
  );
  return <TokenTable userId={userId} actions={actions} query={query} list={query.data} isRevoking={isRevoking} />;
}

/** Every token loaded: sorted, filtered and paged here, with the filters in the URL. */
function TokenTable({
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

      <div className="filters" role="search" aria-label="Filter refresh tokens">
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
      </div>

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

/**
 * More tokens than one page: the tenant's pages, oldest first, SERVER_PAGE at a time, filtered
 * by application on the tenant. Sorting and the device filter need every token, which the
 * person can load (up to the console's cap) with one button.
 */
function ServerPagedTokens({
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
  useEffect(() => {
    if (!tokens.data || tokens.isPlaceholderData) return;
    const key = JSON.stringify(page.queryKey);
    const now = new Set(tokens.data.tokens.map((t) => t.id));
    const before = shownBefore.current.get(key);
    shownBefore.current.set(key, now);
    if (before)
      settleGone(
        'token:',
        [...before].filter((id) => !now.has(id)),
      );
  }, [tokens.data, tokens.isPlaceholderData, settleGone]); // eslint-disable-line react-hooks/exhaustive-deps
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
      <div className="filters" role="search" aria-label="Filter refresh tokens">
        <ApplicationFilter
          value={app}
          applications={applications}
          onChange={(value) => update({ app: value || null })}
          hint="applications seen so far"
        />
      </div>

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

/** Both tables' heading with its bulk action, the last action's result, and reuse alerts. */
function TokenSectionHead({
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
function LoadNotices({ query }: { query: UseQueryResult<unknown> }) {
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
function useUrlFilters(setParams: ReturnType<typeof useSearchParams>[1]) {
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

const applicationsOf = (tokens: RefreshToken[]) =>
  [...new Map(tokens.map((t) => [t.client_id, t.client_name])).entries()].sort((a, b) => a[1].localeCompare(b[1]));

function ApplicationFilter({
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

function Pager({
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
    <div className="callout callout-danger" role="region" aria-label="Revoked token families">
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
    </div>
  );
}

type OpenAction = ReturnType<typeof useActionDialog>['open'];

function TokenRows({
  tokens,
  isRevoking,
  canRevoke,
  open,
}: {
  tokens: RefreshToken[];
  isRevoking: (id: string) => boolean;
  canRevoke: boolean;
  open: OpenAction;
}) {
  const [expanded, setExpanded] = useState<string | null>(null);
  return (
    <tbody>
      {tokens.map((token) => {
        const revoking = isRevoking(token.id);
        const isOpen = expanded === token.id;
        return (
          <Fragment key={token.id}>
            <tr aria-busy={revoking}>
              <th scope="row">{token.client_name}</th>
              <td>
                {token.device_name ?? <span className="muted">{token.device.initial_agent ?? 'Unknown agent'}</span>}
              </td>
              <td>
                <RelativeTime value={token.created_at} />
              </td>
              <td>
                <RelativeTime value={token.last_exchanged_at} fallback="Never" />
              </td>
              <td>
                <RelativeTime value={earliest(token.expires_at, token.idle_expires_at)} fallback="Never" />
              </td>
              <td>
                {revoking ? <RevokedMark /> : <Badge tone="good">{token.rotating ? 'Live · rotating' : 'Live'}</Badge>}{' '}
                {token.signals.length ? <Badge tone="danger">Used elsewhere</Badge> : null}{' '}
                <TokenBindingBadge binding={token.binding} />
              </td>
              <td className="actions">
                <Button
                  variant="ghost"
                  aria-expanded={isOpen}
                  aria-controls={`token-${token.id}`}
                  onClick={() => setExpanded(isOpen ? null : token.id)}
                >
                  Details
                  <span className="visually-hidden">
                    {' '}
                    of {token.client_name} on {token.device_name ?? 'this device'}
                  </span>
                </Button>
                {canRevoke ? (
                  <Button
                    variant="danger"
                    disabled={revoking}
                    aria-label={`Revoke ${token.client_name} token on ${token.device_name ?? 'unnamed device'}`}
                    onClick={() =>
                      open(
                        { action: 'refresh_token.revoke', token_id: token.id },
                        { title: 'Revoke this refresh token?', confirmLabel: 'Revoke' },
                      )
                    }
                  >
                    Revoke
                  </Button>
                ) : null}
              </td>
            </tr>
            {isOpen ? (
              <tr className="details-row">
                <td colSpan={7} id={`token-${token.id}`}>
                  <TokenDetails token={token} />
                </td>
              </tr>
            ) : null}
          </Fragment>
        );
      })}
    </tbody>
  );
}

const earliest = (a: string | null, b: string | null) => (a && b ? (a < b ? a : b) : (a ?? b));

function TokenDetails({ token }: { token: RefreshToken }) {
  const d = token.device;
  const rows: [string, React.ReactNode][] = [
    ['Token id', <code>{token.id}</code>],
    ['Application', `${token.client_name} (${token.client_id})`],
    ['Device name', token.device_name ?? '—'],
    ['Rotating', token.rotating ? 'Yes: each exchange returns a new token' : 'No'],
    [
      'Binding',
      token.binding?.kind === 'dpop' ? (
        <>
          {bindingWords(token.binding)}: a copy is refused without the app's private key. Thumbprint{' '}
          <code>{token.binding.jkt}</code>
        </>
      ) : token.binding?.kind === 'bearer' ? (
        'Bearer: whoever holds a copy can use it'
      ) : (
        'Unknown: the tenant does not say'
      ),
    ],
    ['Session', token.session_id ? <code>{token.session_id}</code> : 'None (issued without a session)'],
    ['Created', <RelativeTime value={token.created_at} />],
    ['Last exchanged', <RelativeTime value={token.last_exchanged_at} fallback="Never" />],
    ['Idle expiry', <RelativeTime value={token.idle_expires_at} fallback="Never" />],
    ['Absolute expiry', <RelativeTime value={token.expires_at} fallback="Never" />],
    ['Initial IP', <IpWithPlace ip={d.initial_ip} place={d.initial_place} asn={d.initial_asn} />],
    ['Initial user agent', <AgentInWords agent={d.initial_agent} raw={d.initial_user_agent} />],
    ['Last IP', <IpWithPlace ip={d.last_ip} place={d.last_place} asn={d.last_asn} />],
    ['Last user agent', <AgentInWords agent={d.last_agent} raw={d.last_user_agent} />],
    ['Signals', token.signals.length ? token.signals.join(' ') : 'None: last used as issued'],
    ['APIs and scopes', token.resource_servers.map((rs) => `${rs.api_name}: ${rs.scopes.join(' ')}`).join('; ') || '—'],
    ['Metadata', Object.keys(token.metadata).length ? <code>{JSON.stringify(token.metadata)}</code> : '—'],
  ];
  return <DetailsList rows={rows} />;
}

/** "curl 8.5.0 curl/8.5.0": the agent in words, then its raw text only when that says more ("node" is both). */
function AgentInWords({ agent, raw }: { agent: string | null; raw: string | null }) {
  if (!raw) return <>—</>;
  if (!agent || agent === raw) return <code className="raw-agent">{raw}</code>;
  return (
    <>
      {agent} <code className="raw-agent">{raw}</code>
    </>
  );
}
